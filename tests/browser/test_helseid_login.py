"""«Logg inn med HelseID» in a real browser against a real OpenID provider (oidc-provider from
npm, tests/oidc): a GP's first login makes their account, a level-3 login is refused, and
logging out ends the provider's session too (issue 14 § 1–4)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from helseiarbeid.core.external_identity import link_pid, pid_hash
from helseiarbeid.core.tables import AuditEvent, User
from helseiarbeid.settings import get_settings
from tests.browser.conftest import screenshot
from tests.cast import PASSWORD, Cast
from tests.live_server import serve
from tests.oidc.harness import RegisteredClient, running_provider

pytestmark = pytest.mark.browser

SERVICE = RegisteredClient("helseiarbeid")
SCOPES = (
    "openid profile helseid://scopes/identity/pid helseid://scopes/identity/security_level "
    "helseid://scopes/hpr/hpr_number"
)


@pytest.fixture
def helseid_server(database: str, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The service with HelseID configured (psychologists provider-only), and the provider."""
    with running_provider([SERVICE]) as issuer:
        provider = {
            "name": "helseid",
            "display_name": "HelseID",
            "issuer": issuer,
            "client_id": SERVICE.client_id,
            "private_jwk": SERVICE.key.as_dict(private=True),
            "scopes": SCOPES,
        }
        monkeypatch.setenv("HELSEIARBEID_OIDC_PROVIDERS", json.dumps([provider]))
        monkeypatch.setenv("HELSEIARBEID_PROVIDER_ONLY_ROLES", "psychologist,physician,gp")
        get_settings.cache_clear()
        with serve(database) as base_url:
            yield base_url
    monkeypatch.undo()
    get_settings.cache_clear()


async def log_in_at_provider(page: Page, base: str, account: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_role("link", name="Logg inn med HelseID").click()
    await page.locator("input[name=login]").fill(account)
    await page.locator("input[name=password]").fill("hva-som-helst")
    await page.locator("button[type=submit]").click()


async def test_a_gp_logs_in_with_helseid_for_the_first_time_and_logs_out(
    page: Page, helseid_server: str
) -> None:
    await page.goto(f"{helseid_server}/login")
    await expect(page.get_by_role("link", name="Logg inn med HelseID")).to_be_visible()
    await screenshot(page, "login-with-helseid")

    await log_in_at_provider(page, helseid_server, "ny-fastlege")
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()
    await expect(page.get_by_role("heading", name="Velkommen, Nina Nyfastlege")).to_be_visible()
    await screenshot(page, "helseid-gp-first-login")
    gp = await User.select(User.role, User.hpr_number, User.pid_hash, User.password_hash).where(
        User.hpr_number == "9123456"
    )
    assert len(gp) == 1
    assert gp[0]["role"] == "gp"
    assert gp[0]["password_hash"] is None
    # The national identity is kept only as its keyed hash.
    assert gp[0]["pid_hash"] == pid_hash("14838000089")
    assert await AuditEvent.exists().where(
        (AuditEvent.resource_type == "login") & (AuditEvent.action == "create")
    )

    await page.get_by_role("button", name="Logg ut").click()
    # The provider asks whether to end its session too (RP-initiated logout).
    await page.get_by_role("button", name="Yes, sign me out").click()
    await expect(page).to_have_url(f"{helseid_server}/login?logged_out=1")
    await expect(page.get_by_role("status")).to_contain_text("Du er logget ut.")
    await page.goto(f"{helseid_server}/")
    await expect(page).to_have_url(f"{helseid_server}/login?next=%2F")


async def test_a_level_3_login_is_refused_in_norwegian(page: Page, helseid_server: str) -> None:
    await log_in_at_provider(page, helseid_server, "fastlege-niva3")
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("sikkerhetsnivå 3")
    await expect(alert).to_contain_text("krever sikkerhetsnivå 4")
    await screenshot(page, "helseid-level-3-refused")
    assert not await User.exists().where(User.hpr_number == "9234567")
    assert await AuditEvent.exists().where(
        (AuditEvent.resource_type == "login") & (AuditEvent.action == "refused")
    )


async def test_health_personnel_other_than_doctors_get_no_account_on_first_login(
    page: Page, helseid_server: str
) -> None:
    await log_in_at_provider(page, helseid_server, "sykepleier-siri")
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("ikke registrert som lege")
    await screenshot(page, "helseid-nurse-refused")
    assert not await User.exists().where(User.hpr_number == "9345678")
    assert await AuditEvent.exists().where(
        (AuditEvent.resource_type == "login") & (AuditEvent.action == "refused")
    )


async def test_a_psychologist_created_by_the_admin_logs_in_with_helseid_not_a_password(
    page: Page, helseid_server: str
) -> None:
    await page.goto(f"{helseid_server}/login")
    await page.get_by_label("E-postadresse").fill("per@test.example")
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("logger inn med HelseID")

    await log_in_at_provider(page, helseid_server, "psykolog-per")
    await expect(page.get_by_role("heading", name="Velkommen, Per Psykolog")).to_be_visible()
    assert await User.count().where(User.role == "psychologist") == 1


async def test_nav_staff_without_hpr_number_are_found_by_national_identity(
    page: Page, helseid_server: str, cast: Cast
) -> None:
    await log_in_at_provider(page, helseid_server, "nav-nils")
    await expect(page.get_by_role("alert")).to_contain_text("Du har ingen bruker i HelseIArbeid")

    await link_pid(cast["nils"].id, "14838000170")
    # Still logged in at the provider (single sign-on): straight back with the same identity.
    await page.get_by_role("link", name="Logg inn med HelseID").click()
    await expect(page.get_by_role("heading", name="Velkommen, Nils NAV")).to_be_visible()

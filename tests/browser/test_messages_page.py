"""In a real browser: the coordinator's «Meldinger» (issue 13 §12): received messages with
type, sender with HER-id, time, referral, AppRec status and errors; sent messages with type,
receiver, referral and delivery state; one of each shown readably, and the read is in the
access log. Desktop and phone width, no WCAG violation (axe)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, expect

from helseiarbeid.core.audit import SYSTEM, Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.tables import AuditEvent, OutboxMessage
from helseiarbeid.messaging import outgoing, services
from helseiarbeid.messaging.outgoing import ReferralStatus
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals import services as referrals
from helseiarbeid.settings import get_settings
from tests.browser.conftest import page_as, screenshot
from tests.cast import Cast
from tests.messaging import gp_record_system
from tests.messaging.conftest import HER_IDS, NEW_20, example

pytestmark = pytest.mark.browser


@pytest.fixture
def her_ids(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HELSEIARBEID_HER_IDS", HER_IDS)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def received(cast: Cast, her_ids: None) -> None:
    actor = SYSTEM
    await services.receive(example(NEW_20), actor)
    await services.receive(
        example(NEW_20)
        .replace(b"<Id>90998</Id>", b"<Id>4</Id>")
        .replace(b"<Id>59</Id>", b"<Id>5</Id>")
        .replace(b"76665c90", b"99995c90"),
        actor,
    )


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_coordinator_reads_a_received_referral_message(
    browser: Browser, live_server: str, received: None, width: int
) -> None:
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.get_by_role("link", name="Meldinger").click()
    accepted = page.get_by_role("row").filter(has_text="HER-id 91096").filter(has_text="OK")
    await expect(accepted).to_contain_text("Henvisning 2.0 (ny)")
    await expect(accepted).to_contain_text("Kattskinnet legesenter")
    await expect(accepted.get_by_role("link", name="HIA-")).to_be_visible()
    # The one refused with E21 reached no clinic's HER-id: the administrator's, not a clinic's.
    await expect(page.get_by_role("row").filter(has_text="Avvist")).to_have_count(0)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"messages-{width}")
    await accepted.get_by_role("link", name="Vis melding").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("ny henvisning")
    await expect(page.locator("main")).to_contain_text("Line Danser")
    await expect(page.locator("main")).to_contain_text("9144897")
    await expect(page.locator("main")).to_contain_text("Stadig dårligere denne vinteren")
    assert "13116900216" not in page.url
    await screenshot(page, f"message-{width}")
    reads = await AuditEvent.select().where(
        (AuditEvent.action == AuditAction.READ.value)
        & (AuditEvent.resource_type == "health_message")
    )
    assert len(reads) == 1
    assert reads[0]["referral_id"] is not None
    assert reads[0]["patient_id"] is not None
    await page.get_by_role("link", name="HIA-").click()
    notice = page.locator("main .notice")
    await expect(notice).to_contain_text("Kom som elektronisk henvisning")
    await expect(notice).to_contain_text("samtykke til NAVs deltakelse (ikke registrert)")
    await screenshot(page, f"message-case-{width}")


@pytest.fixture
async def sent(cast: Cast, her_ids: None) -> None:
    """The example referral received, then its status and the report sent back to the GP."""
    answer = await services.receive(example(NEW_20), SYSTEM)
    referral = (
        await HealthMessage.select(HealthMessage.referral)
        .where(HealthMessage.id == answer.message_id)
        .first()
    )
    assert referral is not None
    async with write_transaction():
        await services.send_referral_status(
            SYSTEM,
            referral["referral"],
            ReferralStatus.RIGHT_TO_CARE,
            "Henvisningen er vurdert. Pasienten har rett til nødvendig helsehjelp.\n"
            "Frist for oppstart av helsehjelpen: 08.01.2027.",
        )
        await services.send_report(
            SYSTEM,
            referral["referral"],
            pdf=b"%PDF-1.7\n" + b"0" * 40_000,
            title="Rapport til fastlege",
            summary="Arbeidsevne avklart.\n\nRapporten fra HelseIArbeid er vedlagt som PDF.",
        )


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_coordinator_sees_messages_sent_to_the_gp(
    browser: Browser, live_server: str, sent: None, width: int
) -> None:
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.get_by_role("link", name="Meldinger").click()
    status = page.get_by_role("row").filter(has_text="status på henvisning")
    await expect(status).to_contain_text("Sendt: Dialogmelding 1.1")
    await expect(status).to_contain_text("Til August September, Kattskinnet legesenter")
    await expect(status).to_contain_text("HER-id 91096")
    await expect(status).to_contain_text("Venter på sending")
    await expect(status.get_by_role("link", name="HIA-")).to_be_visible()
    report = page.get_by_role("row").filter(has_text="Epikrise 1.2")
    await expect(report).to_contain_text("Venter på sending")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"messages-sent-{width}")

    await status.get_by_role("link", name="Vis melding sendt").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Rett til helsehjelp, tid følger"
    )
    main = page.locator("main")
    await expect(main).to_contain_text("Frist for oppstart av helsehjelpen: 08.01.2027.")
    await expect(main).to_contain_text("Line Danser")
    await expect(main).to_contain_text("Venter på sending")
    await screenshot(page, f"message-sent-status-{width}")

    await page.get_by_role("link", name="Tilbake til meldinger").click()
    await report.get_by_role("link", name="Vis melding sendt").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Epikrise 1.2")
    await expect(main).to_contain_text("Arbeidsevne avklart.")
    await expect(main).to_contain_text("Rapport til fastlege (application/pdf, 39 kB)")
    await screenshot(page, f"message-sent-report-{width}")
    reads = await AuditEvent.count().where(
        (AuditEvent.action == AuditAction.READ.value)
        & (AuditEvent.resource_type == "health_message")
        & AuditEvent.patient_id.is_not_null()
    )
    assert reads == 2


@pytest.fixture
async def dialogue(cast: Cast, her_ids: None) -> None:
    """The example referral received, the team's question sent as a Dialogmelding, and the
    GP's answer received (issue 13 §7)."""
    answer = await services.receive(example(NEW_20), SYSTEM)
    referral = (
        await HealthMessage.select(HealthMessage.referral)
        .where(HealthMessage.id == answer.message_id)
        .first()
    )
    assert referral is not None
    frida = cast["frida"]
    async with write_transaction():
        await referrals.request_information(
            Actor(frida.id, frida.role.value),
            referral["referral"],
            "Har pasienten prøvd fysioterapi, og med hvilken effekt?",
        )
    question = (
        await HealthMessage.select(HealthMessage.msg_id)
        .where(HealthMessage.msg_type == "DIALOG_HELSEFAGLIG")
        .first()
    )
    assert question is not None
    reply = gp_record_system.answer_to_request(
        sender=outgoing.Clinic("Kattskinnet legesenter", ("91096",)),
        clinician=outgoing.GpAddress(
            "Kattskinnet legesenter", "91096", "August September", "91100"
        ),
        to=outgoing.Clinic("HelseIArbeid", ("59", "90998")),
        patient=outgoing.PatientRef("13116900216", "Line Danser"),
        answer="Ja, 10 timer høsten 2025 uten varig bedring.",
        request_id="",
        refers_to=question["msg_id"],
        conversation="",
        now=utcnow(),
    )
    assert (await services.receive(reply.xml, SYSTEM)).status == 1


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_coordinator_reads_the_question_and_the_gps_answer(
    browser: Browser, live_server: str, dialogue: None, width: int
) -> None:
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.get_by_role("link", name="Meldinger").click()
    sent = page.get_by_role("row").filter(has_text="Sendt: Dialogmelding 1.1")
    received = page.get_by_role("row").filter(has_text="Svar fra fastlege").filter(has_text="OK")
    await expect(received).to_contain_text("HER-id 91096")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"messages-dialogue-{width}")

    await sent.get_by_role("link", name="Vis melding sendt").click()
    main = page.locator("main")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Tilleggsopplysninger til henvisning"
    )
    await expect(main).to_contain_text("Har pasienten prøvd fysioterapi")
    await screenshot(page, f"message-question-{width}")

    await page.get_by_role("link", name="Tilbake til meldinger").click()
    await received.get_by_role("link", name="Vis melding").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("svar fra fastlegen")
    await expect(page.get_by_role("heading", name="Svar fra fastlege", exact=True)).to_be_visible()
    await expect(main).to_contain_text("Ja, 10 timer høsten 2025 uten varig bedring.")
    await expect(main).to_contain_text("August September, Kattskinnet legesenter")
    await screenshot(page, f"message-answer-{width}")


async def rejected(cast: Cast, her_ids: None, sent: None) -> int:
    """The status message came back rejected by the GP's system (AppRec status 2)."""
    row = (
        await HealthMessage.select(HealthMessage.id)
        .where(HealthMessage.msg_type == "DIALOG_STATUS_HENVISNING")
        .first()
    )
    assert row is not None
    await OutboxMessage.update({OutboxMessage.delivered_at: utcnow()}).where(
        OutboxMessage.channel == "health_message"
    )
    await HealthMessage.update(
        {
            HealthMessage.server_id: "5f5e94d5-d908-476b-a172-a241c52eddb6",
            HealthMessage.apprec_status: 2,
            HealthMessage.apprec_errors: '[["E21", "Mottaker finnes ikke i adresseregisteret"]]',
        }
    ).where(HealthMessage.id == row["id"])
    return int(row["id"])


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_coordinator_sends_a_rejected_message_again(
    browser: Browser, live_server: str, rejected: int, width: int
) -> None:
    page = await page_as(browser, live_server, "kari@test.example", width)
    await page.get_by_role("link", name="Meldinger").click()
    main = page.locator("main")
    await expect(main).to_contain_text("Meldingstjeneren til Norsk Helsenett er ikke satt opp")
    row = page.get_by_role("row").filter(has_text="status på henvisning")
    await expect(row).to_contain_text("Avvist")
    await expect(row).to_contain_text("E21: Mottaker finnes ikke i adresseregisteret")
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await screenshot(page, f"messages-rejected-{width}")

    await row.get_by_role("link", name="Send igjen").click()
    await expect(page.get_by_role("heading", name="Send igjen")).to_be_visible()
    await page.get_by_role("button", name="Send igjen").click()  # the box not ticked
    checkbox = page.get_by_label("Jeg bekrefter at meldingen skal sendes igjen.", exact=True)
    await expect(checkbox).to_be_visible()
    await checkbox.check()
    await screenshot(page, f"message-send-again-{width}")
    await page.get_by_role("button", name="Send igjen").click()
    await expect(page.get_by_role("status")).to_contain_text("lagt i køen for sending")
    await expect(main).to_contain_text("Venter på sending")
    await screenshot(page, f"message-sent-again-{width}")
    copy = (
        await HealthMessage.select(HealthMessage.id)
        .where(HealthMessage.replaces == rejected)
        .first()
    )
    assert copy is not None
    assert page.url.endswith(f"/meldinger/{copy['id']}?sendt=1")

"""Issue 15 §2: a clinic forwards a referral to another clinic with a reason; the history
and the access log say so, the GP is told, and the first clinic no longer sees the case."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.tables import AuditEvent, OutboxMessage
from helseiarbeid.referrals.tables import Referral
from helseiarbeid.settings import get_settings
from tests.cast import bearer, sign_in
from tests.clinic_track.conftest import Pathway
from tests.clinic_track.test_case_access import HEALTH_TEXT
from tests.clinics.conftest import OtherClinic

REASON = "Pasienten har flyttet til Alta kommune."


@pytest.fixture
def mail_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Mail switched on, so what is sent is queued in the outbox (no worker runs here)."""
    monkeypatch.setenv("HELSEIARBEID_SMTP_HOST", "127.0.0.1")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_a_forwarded_referral_is_the_other_clinic_s_and_the_gp_is_told(
    pathway: Pathway, other_clinic: OtherClinic, mail_on: None
) -> None:
    moved = await pathway.post("kari", "/forward", {"clinic": "finnmark", "reason": REASON})
    assert moved.status_code == 204, moved.text
    row = await Referral.select(Referral.clinic).where(Referral.id == pathway.id).first()
    assert row is not None
    assert row["clinic"] == other_clinic.id
    # The GP sees where it went and why, in the referral's history, and has a mail.
    seen = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("gp_anne")
    )
    history = [change["reason"] for change in seen.json()["history_of_status"]]
    assert f"Videresendt fra HelseIArbeid til HelseIArbeid Finnmark: {REASON}" in history
    mail = await OutboxMessage.select().where(OutboxMessage.channel == "mail").first()
    assert mail is not None
    assert "gp_anne@test.example" in mail["recipients"]
    assert "videresendt" in mail["subject"]
    for text in HEALTH_TEXT:
        assert text not in mail["body"]
    audited = await AuditEvent.select().where(
        (AuditEvent.resource_type == "referral_clinic")
        & (AuditEvent.action == AuditAction.UPDATE.value)
    )
    assert [event["referral_id"] for event in audited] == [pathway.id]
    assert audited[0]["actor"] == pathway.cast["kari"].id
    # The first clinic no longer sees it: no health text anywhere, 404 and refusals logged.
    case = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("per")
    )
    assert case.status_code == 404
    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast["kari"])
    page = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert page.status_code == 404
    worklist = await pathway.client.get("/klinikk/arbeidsliste")
    for response in (case, page, worklist):
        # (The complaint's label is also a filter option on the worklist.)
        for text in [*HEALTH_TEXT[:-1], "Lise Lyngstad"]:
            assert text not in response.text
    refused = await AuditEvent.count().where(
        (AuditEvent.action == AuditAction.REFUSED.value) & (AuditEvent.referral_id == pathway.id)
    )
    assert refused >= 2
    # The other clinic has it, with its health text.
    theirs = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}", headers=await bearer(other_clinic.staff["paal"])
    )
    assert theirs.status_code == 200
    assert theirs.json()["description"].startswith("Smerter i korsrygg")
    assert theirs.json()["clinic_name"] == "HelseIArbeid Finnmark"


async def test_forwarding_needs_a_reason_another_clinic_and_an_open_case(
    pathway: Pathway, other_clinic: OtherClinic
) -> None:
    cases = [
        ({"clinic": "finnmark", "reason": "Flyttet."}, 422, "reason"),
        ({"clinic": "finnmark", "reason": "x" * 501}, 422, "reason"),
        ({"clinic": "atlantis", "reason": REASON}, 422, "clinic"),
        ({"clinic": "helseiarbeid", "reason": REASON}, 422, "clinic"),
    ]
    for body, status, field in cases:
        response = await pathway.post("kari", "/forward", body)
        assert response.status_code == status, (body, response.text)
        assert field in response.json()["errors"], response.json()
    nav = await pathway.post("nils", "/forward", {"clinic": "finnmark", "reason": REASON})
    assert nav.status_code == 403
    returned = await pathway.post(
        "frida", "/assessment", {"decision": "returned", "reason": "Ikke aktuelt for teamet."}
    )
    assert returned.status_code == 201, returned.text
    ended = await pathway.post("kari", "/forward", {"clinic": "finnmark", "reason": REASON})
    assert ended.status_code == 409
    row = await Referral.select(Referral.clinic).where(Referral.id == pathway.id).first()
    assert row is not None
    assert row["clinic"] != other_clinic.id


async def test_the_case_page_forwards_and_says_so_on_the_worklist(
    pathway: Pathway, other_clinic: OtherClinic
) -> None:
    client = pathway.client
    await sign_in(client, pathway.cast["kari"])
    page = await client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert "Videresend til en annen klinikk" in page.text
    token = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    path = f"/klinikk/henvisninger/{pathway.id}/videresend"
    short = await client.post(
        path, data={"_csrf_token": token.group(1), "clinic": "finnmark", "reason": "Kort"}
    )
    assert short.status_code == 422
    assert "minst 10 tegn" in short.text
    done = await client.post(
        path, data={"_csrf_token": token.group(1), "clinic": "finnmark", "reason": REASON}
    )
    assert done.status_code == 303
    worklist = await client.get(done.headers["location"])
    assert "videresendt til den andre klinikken" in worklist.text

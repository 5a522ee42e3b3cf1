"""Issue 12 §4: the NAV counsellor sees a referral's health text only while the patient's
consent to NAV taking part is recorded and not withdrawn (DOMAIN.md); the clinic records a
withdrawal and a renewed consent, dated and audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.tables import NavConsentEvent, Referral
from tests.cast import Cast, bearer

DESCRIPTION = "Smerter i korsrygg og nakke"


async def _as_arrived_without_consent(referral_id: int) -> None:
    """The referral as an electronic message would leave it: consent not recorded."""
    await Referral.update(referrals.initial_consent(carried=False)).where(
        Referral.id == referral_id
    )
    await NavConsentEvent.delete().where(NavConsentEvent.referral == referral_id)


async def _consent(
    client: httpx.AsyncClient, headers: dict[str, str], referral_id: int, **body: Any
) -> httpx.Response:
    body.setdefault("effective_on", today_in_oslo().isoformat())
    return await client.post(
        f"/api/v1/referrals/{referral_id}/nav-consent", json=body, headers=headers
    )


async def test_nav_without_recorded_consent_gets_403_and_no_health_text(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    """The issue's example: with the stored consent not given, NAV got 200 with the text."""
    referral_id = annes_referral["id"]
    await _as_arrived_without_consent(referral_id)
    nav = await bearer(cast["nils"])

    response = await client.get(f"/api/v1/referrals/{referral_id}", headers=nav)
    assert response.status_code == 403
    assert "samtykke" in response.json()["detail"]
    assert DESCRIPTION not in response.text
    listing = (await client.get("/api/v1/referrals", headers=nav)).json()
    assert listing["total"] == 0
    assert listing["items"] == []
    # The clinicians still read it: the consent is about NAV.
    per = await client.get(f"/api/v1/referrals/{referral_id}", headers=await bearer(cast["per"]))
    assert per.status_code == 200
    assert per.json()["nav_consent"] == "not_recorded"

    refused = await AuditEvent.select().where(AuditEvent.action == AuditAction.REFUSED.value)
    assert [(r["actor"], r["referral_id"], r["purpose"]) for r in refused] == [
        (cast["nils"].id, referral_id, "NAV uten registrert samtykke fra pasienten")
    ]


async def test_withdrawal_is_dated_and_audited_and_nav_is_refused_until_consent_again(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    referral_id = annes_referral["id"]
    nav, kari = await bearer(cast["nils"]), await bearer(cast["kari"])
    path = f"/api/v1/referrals/{referral_id}"
    assert (await client.get(path, headers=nav)).status_code == 200

    withdrawn_on = today_in_oslo()
    response = await _consent(
        client,
        kari,
        referral_id,
        state="withdrawn",
        effective_on=withdrawn_on.isoformat(),
        note="Ringte klinikken",
    )
    assert response.status_code == 204
    assert (await client.get(path, headers=nav)).status_code == 403
    again = await _consent(client, kari, referral_id, state="withdrawn")
    assert again.status_code == 409
    assert "trukket tilbake" in again.json()["detail"]

    renewed = await _consent(client, kari, referral_id, state="given")
    assert renewed.status_code == 204
    shown = await client.get(path, headers=nav)
    assert shown.status_code == 200
    assert shown.json()["nav_consent"] == "given"

    events = await (
        NavConsentEvent.select(
            NavConsentEvent.state,
            NavConsentEvent.effective_on,
            NavConsentEvent.source,
            NavConsentEvent.recorded_by,
        )
        .where(NavConsentEvent.referral == referral_id)
        .order_by(NavConsentEvent.id)
    )
    today = today_in_oslo()
    assert [tuple(e.values()) for e in events] == [
        ("given", today, "referral", cast["gp_anne"].id),
        ("withdrawn", withdrawn_on, "clinic", cast["kari"].id),
        ("given", today, "clinic", cast["kari"].id),
    ]
    logged = await AuditEvent.select(AuditEvent.actor, AuditEvent.purpose).where(
        AuditEvent.resource_type == "referral_nav_consent"
    )
    assert [(r["actor"], r["purpose"]) for r in logged] == [
        (cast["kari"].id, f"samtykke til NAV-deltakelse trukket tilbake {withdrawn_on}"),
        (cast["kari"].id, f"samtykke til NAV-deltakelse gitt på nytt {today}"),
    ]


async def test_consent_changes_are_refused_to_nav_and_without_a_valid_date(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    referral_id = annes_referral["id"]
    by_nav = await _consent(client, await bearer(cast["nils"]), referral_id, state="withdrawn")
    assert by_nav.status_code == 403
    future = (today_in_oslo() + timedelta(days=1)).isoformat()
    kari = await bearer(cast["kari"])
    response = await _consent(client, kari, referral_id, state="withdrawn", effective_on=future)
    assert response.status_code == 422
    assert response.json()["errors"] == {"effective_on": "Datoen kan ikke være fram i tid."}
    unknown = await _consent(client, kari, referral_id, state="not_recorded")
    assert unknown.status_code == 422
    assert "state" in unknown.json()["errors"]
    row = await Referral.select(Referral.nav_consent).where(Referral.id == referral_id).first()
    assert row == {"nav_consent": "given"}


async def test_a_change_cannot_be_dated_before_the_one_it_follows(
    client: httpx.AsyncClient, cast: Cast, annes_referral: dict[str, Any]
) -> None:
    """Found trying the service: consent given again «01.11» after a withdrawal «30.11» was
    stored, and the history read «Trukket tilbake 30.11 … Gitt 01.11» with status «Gitt»."""
    referral_id = annes_referral["id"]
    today = today_in_oslo()
    # As if the referral (and the consent it carried) arrived ten days ago.
    await NavConsentEvent.update({NavConsentEvent.effective_on: today - timedelta(days=10)}).where(
        NavConsentEvent.referral == referral_id
    )
    kari = await bearer(cast["kari"])
    before_referral = await _consent(
        client,
        kari,
        referral_id,
        state="withdrawn",
        effective_on=(today - timedelta(days=11)).isoformat(),
    )
    assert before_referral.status_code == 422
    withdrawn_on = today - timedelta(days=2)
    withdrawn = await _consent(
        client, kari, referral_id, state="withdrawn", effective_on=withdrawn_on.isoformat()
    )
    assert withdrawn.status_code == 204
    earlier = await _consent(
        client,
        kari,
        referral_id,
        state="given",
        effective_on=(today - timedelta(days=5)).isoformat(),
    )
    assert earlier.status_code == 422
    assert earlier.json()["errors"] == {
        "effective_on": "Datoen kan ikke være før forrige endring av samtykket "
        f"({withdrawn_on:%d.%m.%Y})."
    }
    row = await Referral.select(Referral.nav_consent).where(Referral.id == referral_id).first()
    assert row == {"nav_consent": "withdrawn"}
    assert await NavConsentEvent.count().where(NavConsentEvent.referral == referral_id) == 2
    same_day = await _consent(
        client, kari, referral_id, state="given", effective_on=withdrawn_on.isoformat()
    )
    assert same_day.status_code == 204

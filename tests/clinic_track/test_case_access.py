"""Issue 12 §4: health text only with a need in service («tjenstlig behov», DOMAIN.md).

The NAV counsellor: only with the patient's consent, and only for cases in the open queue or
that they are on; otherwise the worklist shows the case without health text and every route
that shows health text refuses (403). Clinicians: the open queue or their cases, anything
else after a recorded reason, audited as such and for a limited time.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar.routes import HTTPRoute

from helseiarbeid.app import create_app
from helseiarbeid.core.audit import AuditAction
from helseiarbeid.core.clock import pinned, today_in_oslo, utcnow
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.referrals.tables import ReferralDocument
from tests.cast import csrf_token, sign_in
from tests.clinic_track.conftest import Pathway
from tests.referrals.factories import referral_body

# Health text of the referral (tests/referrals/factories.py) and of the team's work.
HEALTH_TEXT = [
    "Smerter i korsrygg",
    "Tidligere frisk",
    "Paracet ved behov",
    "Vurdering av arbeidsevne og videre tiltak",
    "Triasjenotat om søvn",
    "Både muskel- og skjelettplager",
]
_PARAM = re.compile(r"\{(\w+):int\}")


def _case_routes() -> list[str]:
    """Every GET route of the app about one referral, from the route table (so a new page or
    endpoint that shows a case is walked without anyone adding it here)."""
    paths = []
    for route in create_app().routes:
        if (
            isinstance(route, HTTPRoute)
            and "{referral_id:int}" in route.path
            and any("GET" in handler.http_methods for handler in route.route_handlers)
        ):
            paths.append(route.path)
    return sorted(set(paths))


async def _case_with_letter_and_notes(pathway: Pathway) -> dict[str, int]:
    """Triaged by Per, accepted by Frida, a consultation with Per and Nils booked by Kari
    (its appointment letter stored): ids for the route walk."""
    note = await pathway.post(
        "per", "/triage-notes", {"note": "Triasjenotat om søvn.", "recommendation": "accept"}
    )
    assert note.status_code == 201
    assert (await pathway.accept()).status_code == 201
    booked = await pathway.book(["per", "nils"])
    assert booked.status_code == 201
    document = await ReferralDocument.select(ReferralDocument.id).first()
    assert document is not None
    return {
        "referral_id": pathway.id,
        "consultation_id": booked.json()["id"],
        "document_id": document["id"],
    }


async def _withdraw_consent(pathway: Pathway) -> None:
    response = await pathway.post(
        "kari",
        "/nav-consent",
        {"state": "withdrawn", "effective_on": today_in_oslo().isoformat()},
    )
    assert response.status_code == 204


async def _walk(pathway: Pathway, person: str, ids: dict[str, int]) -> dict[str, int]:
    """GET every case route as ``person``: the API with a token, pages with a session. Each
    answer's status by path; fails if any health text is in any answer."""
    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast[person])
    answers = {}
    for template in _case_routes():
        path = _PARAM.sub(lambda match: str(ids.get(match[1], 1)), template)
        headers = await pathway.headers(person) if path.startswith("/api/") else {}
        response = await pathway.client.get(path, headers=headers)
        for text in HEALTH_TEXT:
            assert text not in response.text, (path, text)
        answers[template] = response.status_code
    return answers


async def test_nav_without_consent_is_refused_on_every_case_route(pathway: Pathway) -> None:
    ids = await _case_with_letter_and_notes(pathway)
    await _withdraw_consent(pathway)
    # Nils is on the case (booked), but the patient withdrew the consent.
    answers = await _walk(pathway, "nils", ids)
    assert "/api/v1/referrals/{referral_id:int}/case" in answers
    assert "/klinikk/henvisninger/{referral_id:int}" in answers
    assert "/api/v1/referrals/{referral_id:int}/documents/{document_id:int}" in answers
    assert {path: status for path, status in answers.items() if status != 403} == {}
    # Nor can NAV write on it.
    note = await pathway.post("nils", "/triage-notes", {"note": "x", "recommendation": "accept"})
    assert note.status_code == 403
    refused = await AuditEvent.select(AuditEvent.purpose).where(
        (AuditEvent.action == AuditAction.REFUSED.value)
        & (AuditEvent.actor == pathway.cast["nils"].id)
    )
    assert refused
    assert {row["purpose"] for row in refused} == {"NAV uten registrert samtykke fra pasienten"}


async def test_the_worklist_shows_nav_the_case_without_health_text(pathway: Pathway) -> None:
    await _case_with_letter_and_notes(pathway)
    await _withdraw_consent(pathway)
    listing = (
        await pathway.client.get(
            "/api/v1/clinic/worklist?status=in_progress", headers=await pathway.headers("nils")
        )
    ).json()
    [item] = listing["items"]
    assert (item["id"], item["access"], item["complaint"]) == (pathway.id, "no_health_text", None)
    per = (
        await pathway.client.get(
            "/api/v1/clinic/worklist?status=in_progress", headers=await pathway.headers("per")
        )
    ).json()
    assert (per["items"][0]["access"], per["items"][0]["complaint"]) == ("full", "both")

    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast["nils"])
    page = (await pathway.client.get("/klinikk/arbeidsliste?status=in_progress")).text
    assert "Lise Lyngstad" in page
    assert "Ingen tilgang til helseopplysninger" in page
    assert f'href="/klinikk/henvisninger/{pathway.id}"' not in page
    rows = page.split("<tbody")[1]  # the filter's choices name every complaint
    for text in HEALTH_TEXT:
        assert text not in rows
    logged = await AuditEvent.select(AuditEvent.purpose).where(
        AuditEvent.actor == pathway.cast["nils"].id
    )
    assert {row["purpose"] for row in logged} == {
        "behandling av henvisning i HelseIArbeid-teamet (arbeidsliste, uten helseopplysninger)"
    }


async def test_nav_not_on_a_closed_case_is_refused_but_nav_on_it_is_not(
    pathway: Pathway,
) -> None:
    """Consent given, case returned (out of the open queue): Nils is not on it."""
    returned = await pathway.post(
        "per", "/assessment", {"decision": "returned", "reason": "Passer i kommunen."}
    )
    assert returned.status_code == 201
    answers = await _walk(pathway, "nils", {"referral_id": pathway.id})
    assert set(answers.values()) == {403}
    response = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("nils")
    )
    assert "ikke i teamets åpne kø" in response.json()["detail"]

    # A case Nils took part in (his triage note) stays readable to him after it ended.
    second = await pathway.client.post(
        "/api/v1/referrals", json=referral_body(), headers=await pathway.headers("gp_anne")
    )
    theirs = Pathway(pathway.client, pathway.cast, second.json()["id"])
    note = await theirs.post(
        "nils", "/triage-notes", {"note": "NAV-notat.", "recommendation": "return"}
    )
    assert note.status_code == 201
    assert (
        await theirs.post("per", "/assessment", {"decision": "returned", "reason": "Kommunen."})
    ).status_code == 201
    case = await pathway.client.get(
        f"/api/v1/referrals/{theirs.id}/case", headers=await pathway.headers("nils")
    )
    assert case.status_code == 200
    assert case.json()["status"] == "returned"


@pytest.fixture
async def returned_case(pathway: Pathway) -> Pathway:
    """Triaged and returned by Per; Frida has had nothing to do with it."""
    note = await pathway.post(
        "per", "/triage-notes", {"note": "Triasjenotat om søvn.", "recommendation": "return"}
    )
    assert note.status_code == 201
    returned = await pathway.post(
        "per", "/assessment", {"decision": "returned", "reason": "Passer i kommunen."}
    )
    assert returned.status_code == 201
    return pathway


async def test_a_clinician_opens_a_closed_case_with_a_recorded_reason(
    returned_case: Pathway,
) -> None:
    pathway = returned_case
    case_path = f"/klinikk/henvisninger/{pathway.id}"
    api = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("frida")
    )
    assert api.status_code == 403
    assert "tjenstlig behov" in api.json()["detail"]
    assert "Triasjenotat om søvn" not in api.text
    # Per, who worked on it, still reads it.
    per = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("per")
    )
    assert per.status_code == 200

    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast["frida"])
    page = await pathway.client.get(case_path)
    assert page.status_code == 303
    assert page.headers["location"] == f"{case_path}/tilgang"
    asking = await pathway.client.get(f"{case_path}/tilgang")
    assert "Oppgi tjenstlig behov" in asking.text
    assert "Triasjenotat" not in asking.text

    token = await csrf_token(pathway.client)
    short = await pathway.client.post(
        f"{case_path}/tilgang", data={"reason": "trenger", "_csrf_token": token}
    )
    assert short.status_code == 422
    assert "minst 10 tegn" in short.text
    reason = "Pasienten er henvist på nytt, trenger forrige vurdering"
    given = await pathway.client.post(
        f"{case_path}/tilgang", data={"reason": reason, "_csrf_token": token}
    )
    assert given.status_code == 303
    assert given.headers["location"] == case_path
    opened = await pathway.client.get(case_path)
    assert opened.status_code == 200
    assert "Triasjenotat om søvn" in opened.text

    rows = await AuditEvent.select(
        AuditEvent.action, AuditEvent.resource_type, AuditEvent.purpose
    ).where(AuditEvent.actor == pathway.cast["frida"].id)
    assert [tuple(row.values()) for row in rows] == [
        ("refused", "referral", "sak utenfor åpen kø og ikke tildelt, uten begrunnelse"),
        ("refused", "referral", "sak utenfor åpen kø og ikke tildelt, uten begrunnelse"),
        ("create", "referral_reasoned_access", f"tjenstlig behov: {reason}"),
        ("read", "referral", f"tjenstlig behov: {reason}"),
    ]

    # The access lasts eight hours.
    with pinned(utcnow() + timedelta(hours=9)):
        later = await pathway.client.get(
            f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("frida")
        )
    assert later.status_code == 403


async def test_the_reason_page_is_not_for_nav(returned_case: Pathway) -> None:
    pathway = returned_case
    response = await pathway.post("nils", "/access-reason", {"reason": "Vil gjerne se saken."})
    assert response.status_code == 403
    listing = await pathway.client.get("/api/v1/referrals", headers=await pathway.headers("frida"))
    assert [(i["id"], i["complaint"]) for i in listing.json()["items"]] == [(pathway.id, None)]
    frida = await pathway.post("frida", "/access-reason", {"reason": "Vil gjerne se saken."})
    assert frida.status_code == 201
    assert frida.json()["referral_id"] == pathway.id
    case = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("frida")
    )
    assert case.status_code == 200
    listing = await pathway.client.get("/api/v1/referrals", headers=await pathway.headers("frida"))
    assert [(i["id"], i["complaint"]) for i in listing.json()["items"]] == [(pathway.id, "both")]


async def test_the_case_page_records_a_confirmed_withdrawal_and_renewed_consent(
    pathway: Pathway,
) -> None:
    case_path = f"/klinikk/henvisninger/{pathway.id}"
    await sign_in(pathway.client, pathway.cast["kari"])
    page = (await pathway.client.get(case_path)).text
    assert "Samtykke til at NAV deltar" in page
    assert "på henvisningen fra fastlegen" in page
    token = await csrf_token(pathway.client)
    today = today_in_oslo().isoformat()
    form = {"state": "withdrawn", "effective_on": today, "_csrf_token": token}

    unconfirmed = await pathway.client.post(f"{case_path}/samtykke", data=form)
    assert unconfirmed.status_code == 422
    assert "Kryss av for å bekrefte at samtykket er trukket tilbake." in unconfirmed.text
    nav = await pathway.headers("nils")
    assert (await pathway.client.get(f"/api/v1/referrals/{pathway.id}", headers=nav)).is_success

    confirmed = await pathway.client.post(f"{case_path}/samtykke", data={**form, "bekreft": "ja"})
    assert confirmed.status_code == 303
    page = (await pathway.client.get(confirmed.headers["location"])).text
    assert "Trukket tilbake" in page
    assert "Registrer samtykke" in page  # the form now offers renewed consent
    refused = await pathway.client.get(f"/api/v1/referrals/{pathway.id}", headers=nav)
    assert refused.status_code == 403

    renewed = await pathway.client.post(
        f"{case_path}/samtykke",
        data={"state": "given", "effective_on": today, "note": "Muntlig", "_csrf_token": token},
    )
    assert renewed.status_code == 303
    assert (await pathway.client.get(f"/api/v1/referrals/{pathway.id}", headers=nav)).is_success

    # NAV sees the state but has no form to change it.
    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast["nils"])
    page = (await pathway.client.get(case_path)).text
    assert "Samtykke til at NAV deltar" in page
    assert f"{case_path}/samtykke" not in page

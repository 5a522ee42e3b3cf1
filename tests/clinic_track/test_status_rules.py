"""Every step is refused (409) where the status machine does not allow it, saying what is."""

from __future__ import annotations

import re

from tests.cast import sign_in
from tests.clinic_track.conftest import Pathway, next_weekday_at


async def _withdraw(pathway: Pathway) -> None:
    response = await pathway.post("gp_anne", "/withdraw", {})
    assert response.status_code == 200


async def test_nothing_but_triage_and_assessment_before_acceptance(pathway: Pathway) -> None:
    booking = await pathway.book(["per"])
    assert booking.status_code == 409
    assert "Det går når den er: tatt inn, under utredning" in booking.json()["detail"]
    assert (await pathway.clarify()).status_code == 409
    onward = await pathway.post(
        "per",
        "/onward-referrals",
        {"destination_type": "dps", "destination_name": "DPS Salten", "reason": "Behov."},
    )
    assert onward.status_code == 409
    report = await pathway.post("frida", "/report", {})
    assert report.status_code == 409
    assert "Tillatt herfra: under vurdering, trukket tilbake" in report.json()["detail"]
    assert await pathway.status() == "received"


async def test_an_accepted_referral_is_not_assessed_or_triaged_again(pathway: Pathway) -> None:
    await pathway.accept()
    again = await pathway.accept("per")
    assert again.status_code == 409
    assert "tatt inn" in again.json()["detail"]
    note = await pathway.post(
        "nils", "/triage-notes", {"note": "Sent.", "recommendation": "accept"}
    )
    assert note.status_code == 409
    withdraw = await pathway.post("gp_anne", "/withdraw", {})
    assert withdraw.status_code == 409
    assert "Tillatt herfra: under utredning" in withdraw.json()["detail"]


async def test_an_accepted_referral_cannot_be_completed_without_consultation(
    pathway: Pathway,
) -> None:
    await pathway.accept()
    response = await pathway.post("frida", "/report", {})
    assert response.status_code == 409
    assert "Tillatt herfra: under utredning" in response.json()["detail"]


async def test_a_returned_referral_is_closed_to_further_work(pathway: Pathway) -> None:
    returned = await pathway.post(
        "per", "/assessment", {"decision": "returned", "reason": "Passer bedre i kommunen."}
    )
    assert returned.status_code == 201
    assert await pathway.status() == "returned"
    assert (await pathway.book(["per"])).status_code == 409
    assert (await pathway.accept()).status_code == 409
    assert (await pathway.post("gp_anne", "/withdraw", {})).status_code == 409


async def test_a_withdrawn_referral_is_closed_to_the_team(pathway: Pathway) -> None:
    await _withdraw(pathway)
    assert (await pathway.accept()).status_code == 409
    note = await pathway.post("per", "/triage-notes", {"note": "x", "recommendation": "accept"})
    assert note.status_code == 409
    assert await pathway.status() == "withdrawn"


async def test_a_completed_referral_is_closed(pathway: Pathway) -> None:
    """After the report every change is refused, in the services and on the page."""
    await pathway.accept()
    held = (await pathway.book(["per"], next_weekday_at(10))).json()
    await pathway.record(held)
    later = (await pathway.book(["per"], next_weekday_at(12))).json()
    await pathway.record(later, "not_attended")
    await pathway.clarify()
    assert (await pathway.post("frida", "/report", {})).status_code == 201
    again = await pathway.post("frida", "/report", {})
    assert again.status_code == 409
    assert "Tillatt herfra: ingen" in again.json()["detail"]
    assert (await pathway.book(["per"])).status_code == 409
    assert (await pathway.clarify(version=1)).status_code == 409
    assert (await pathway.cancel(held)).status_code == 409
    outcome = await pathway.post(
        "kari", f"/consultations/{held['id']}/outcome", {"outcome": "held"}
    )
    assert outcome.status_code == 409
    onward = await pathway.post(
        "frida",
        "/onward-referrals",
        {"destination_type": "dps", "destination_name": "DPS Bodø", "reason": "Behandling."},
    )
    assert onward.status_code == 409
    responsible = await pathway.client.put(
        f"/api/v1/referrals/{pathway.id}/responsible",
        json={"staff_id": pathway.cast["per"].id},
        headers=await pathway.headers("kari"),
    )
    assert responsible.status_code == 409
    note = await pathway.post("per", "/triage-notes", {"note": "x", "recommendation": "accept"})
    assert note.status_code == 409
    assert await pathway.status() == "completed"

    for person in ("frida", "kari", "nils"):
        pathway.client.cookies.clear()
        await sign_in(pathway.client, pathway.cast[person])
        page = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
        assert "Saken er avsluttet" in page or person != "frida"
        # Nothing on the case to change but the patient's consent to NAV taking part, which
        # the patient may withdraw at any time.
        forms = re.findall(r'action="/klinikk/henvisninger/([^"]+)"', page.split("<main")[1])
        assert forms in ([], [f"{pathway.id}/samtykke"]), person
        assert "Avlys konsultasjonen" not in page


async def test_roles_are_kept_to_their_steps(pathway: Pathway) -> None:
    """Only physicians and psychologists assess and report; the coordinator books."""
    for person in ("nils", "kari", "gp_anne", "erik"):
        response = await pathway.accept(person)
        assert response.status_code == 403, person
    note = await pathway.post("kari", "/triage-notes", {"note": "x", "recommendation": "accept"})
    assert note.status_code == 403

"""The whole pathway, from a received referral to the report the GP opens."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.clinic_track.conftest import Pathway


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_received_to_completed(pathway: Pathway) -> None:
    for person, recommendation in (("per", "accept"), ("frida", "accept"), ("nils", "accept")):
        response = await pathway.post(
            person,
            "/triage-notes",
            {"note": f"Notat fra {person}.", "recommendation": recommendation},
        )
        assert response.status_code == 201, response.text
    assert await pathway.status() == "under_assessment"

    accepted = await pathway.accept()
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["has_right_to_care"] is True
    assert await pathway.status() == "accepted"

    booked = await pathway.book(["per", "frida", "nils"])
    assert booked.status_code == 201, booked.text
    assert booked.json()["staff"] == ["Per Psykolog", "Frida Fysikalsk", "Nils NAV"]
    assert await pathway.status() == "in_progress"
    assert (await pathway.record(booked.json())).status_code == 204

    clarified = await pathway.clarify()
    assert clarified.status_code == 200, clarified.text
    assert clarified.json()["version"] == 1

    onward = await pathway.post(
        "nils",
        "/onward-referrals",
        {
            "destination_type": "nav_work_measures",
            "destination_name": "NAV Bodø",
            "reason": "Arbeidsrettet oppfølging med tilrettelegging.",
        },
    )
    assert onward.status_code == 201, onward.text

    report = await pathway.post("frida", "/report", {})
    assert report.status_code == 201, report.text
    assert report.json()["status"] == "completed"
    assert await pathway.status() == "completed"

    pdf = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    assert pdf.status_code == 200
    text = _text(pdf.content)
    assert "Rapport fra HelseIArbeid" in text
    assert "Lise Lyngstad" in text
    assert "Arbeidsevne avklart." in text
    assert "Gradert arbeid 50 %" in text
    assert "Arbeidsrettede tiltak i NAV: NAV Bodø" in text
    assert "Frida Fysikalsk" in text
    assert "Nils NAV: gjennomført." in text

    history = (
        await pathway.client.get(
            f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("gp_anne")
        )
    ).json()["history_of_status"]
    assert [change["to_status"] for change in history] == [
        "received",
        "under_assessment",
        "accepted",
        "in_progress",
        "completed",
    ]


async def test_the_report_is_stored_as_sent(pathway: Pathway) -> None:
    await pathway.accept()
    await pathway.record((await pathway.book(["per"])).json())
    await pathway.clarify()
    await pathway.post("frida", "/report", {})
    first = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    again = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    assert first.content == again.content


async def test_no_report_before_the_clarification(pathway: Pathway) -> None:
    await pathway.accept()
    await pathway.book(["per"])
    response = await pathway.post("frida", "/report", {})
    assert response.status_code == 422
    assert "avklaringen" in response.json()["errors"]["clarification"]
    assert await pathway.status() == "in_progress"


async def test_the_gp_has_no_report_until_it_is_written(pathway: Pathway) -> None:
    response = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    assert response.status_code == 404

"""Consultations end held, not attended or cancelled; the report waits for all of them, is
previewed before it is sent, and a cancellation leaves a reason, a history entry and letters.

Issue 10, items 3 and 5.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from pypdf import PdfReader

from helseiarbeid.clinic_track.tables import Consultation
from helseiarbeid.core.clock import pinned
from helseiarbeid.core.tables import BusyPeriod
from helseiarbeid.referrals.tables import ReferralDocument
from tests.cast import csrf_token, sign_in
from tests.clinic_track.conftest import Pathway, next_weekday_at


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _when(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y kl. %H:%M")


async def test_the_report_waits_for_every_consultation_to_have_an_outcome(
    pathway: Pathway,
) -> None:
    """The observed fault: one click closed a case whose only consultation was next week."""
    await pathway.accept()
    next_week = next_weekday_at(10)
    booked = (await pathway.book(["per"], next_week)).json()
    await pathway.clarify()

    refused = await pathway.post("frida", "/report", {})
    assert refused.status_code == 409
    assert _when(next_week) in refused.json()["detail"]
    assert await pathway.status() == "in_progress"
    assert await ReferralDocument.count().where(ReferralDocument.kind == "report") == 0

    early = await pathway.post(
        "kari", f"/consultations/{booked['id']}/outcome", {"outcome": "held"}
    )
    assert early.status_code == 409
    assert "ikke begynt" in early.json()["detail"]
    as_cancel = await pathway.post(
        "kari", f"/consultations/{booked['id']}/outcome", {"outcome": "cancelled"}
    )
    assert as_cancel.status_code == 422
    assert "outcome" in as_cancel.json()["errors"]

    assert (await pathway.record(booked)).status_code == 204
    assert (await pathway.record(booked, "not_attended")).status_code == 409
    report = await pathway.post("frida", "/report", {})
    assert report.status_code == 201, report.text
    [consultation] = report.json()["consultations"]
    assert consultation["outcome"] == "held"
    pdf = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    assert f"{_when(next_week)} med Per Psykolog: gjennomført." in _text(pdf.content)


async def test_not_attended_and_cancelled_consultations_are_in_the_report(
    pathway: Pathway,
) -> None:
    await pathway.accept()
    first, second = next_weekday_at(10), next_weekday_at(10, days_ahead=14)
    missed = (await pathway.book(["per"], first)).json()
    called_off = (await pathway.book(["frida"], second)).json()
    await pathway.clarify()
    assert (await pathway.record(missed, "not_attended")).status_code == 204
    still_open = await pathway.post("frida", "/report", {})
    assert still_open.status_code == 409
    assert _when(second) in still_open.json()["detail"]
    assert _when(first) not in still_open.json()["detail"]
    assert (await pathway.cancel(called_off)).status_code == 204
    assert (await pathway.post("frida", "/report", {})).status_code == 201
    pdf = await pathway.client.get(
        f"/api/v1/referrals/{pathway.id}/report.pdf", headers=await pathway.headers("gp_anne")
    )
    text = _text(pdf.content)
    assert f"{_when(first)} med Per Psykolog: ikke møtt." in text
    assert f"{_when(second)} med Frida Fysikalsk: avlyst." in text


async def test_the_preview_sends_nothing_and_send_confirms_what_was_seen(
    pathway: Pathway,
) -> None:
    await pathway.accept()
    await pathway.record((await pathway.book(["per"])).json())
    await pathway.clarify()
    await sign_in(pathway.client, pathway.cast["frida"])

    preview = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}/rapport")
    assert preview.status_code == 200
    assert "Send rapporten" in preview.text
    assert "gjennomført" in preview.text
    draft_pdf = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}/rapport/utkast.pdf")
    assert draft_pdf.headers["content-type"] == "application/pdf"
    assert "Arbeidsevne avklart." in _text(draft_pdf.content)
    assert await pathway.status() == "in_progress"
    assert await ReferralDocument.count().where(ReferralDocument.kind == "report") == 0

    draft = preview.text.split('name="draft" value="')[1].split('"')[0]
    version = preview.text.split('name="version" value="')[1].split('"')[0]
    # Someone changes the clarification after the preview: what was seen is no longer true.
    assert (await pathway.clarify(version=1, summary="Endret etterpå.")).status_code == 200
    token = await csrf_token(pathway.client)
    form = {"version": version, "draft": draft, "bekreft": "ja", "_csrf_token": token}
    stale = await pathway.client.post(f"/klinikk/henvisninger/{pathway.id}/rapport", data=form)
    assert stale.status_code == 409
    assert "endret siden du så utkastet" in stale.text
    assert await pathway.status() == "in_progress"

    preview = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}/rapport")
    form["draft"] = preview.text.split('name="draft" value="')[1].split('"')[0]
    sent = await pathway.client.post(f"/klinikk/henvisninger/{pathway.id}/rapport", data=form)
    assert sent.status_code == 303
    assert await pathway.status() == "completed"


async def test_the_preview_of_a_case_with_open_consultations_says_which(
    pathway: Pathway,
) -> None:
    await pathway.accept()
    when = next_weekday_at(9)
    await pathway.book(["per"], when)
    await pathway.clarify()
    await sign_in(pathway.client, pathway.cast["frida"])
    case = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
    assert "Se utkast til rapport" not in case
    assert "Ikke registrert: " in case
    preview = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}/rapport")
    assert preview.status_code == 409
    assert _when(when) in preview.text
    assert "Send rapporten" not in preview.text


async def test_cancelling_needs_a_reason_and_leaves_a_trace(pathway: Pathway) -> None:
    await pathway.accept()
    when = next_weekday_at(10)
    booked = (await pathway.book(["per", "nils"], when)).json()
    for body in ({}, {"reason": "  "}):
        refused = await pathway.post("kari", f"/consultations/{booked['id']}/cancel", body)
        assert refused.status_code == 422, body
    assert await BusyPeriod.count() == 2  # one per staff member, still held

    assert (await pathway.cancel(booked, "Pasienten er innlagt.")).status_code == 204
    assert (await pathway.cancel(booked)).status_code == 409
    assert await BusyPeriod.count() == 0

    case = (
        await pathway.client.get(
            f"/api/v1/referrals/{pathway.id}/case", headers=await pathway.headers("kari")
        )
    ).json()
    [consultation] = case["consultations"]
    assert consultation["outcome"] == "cancelled"
    assert consultation["cancel_reason"] == "Pasienten er innlagt."
    letters = {d["kind"]: d for d in case["documents"]}
    assert letters["appointment_letter"]["cancelled_at"] is not None
    assert letters["cancellation_letter"]["cancelled_at"] is None
    assert letters["cancellation_letter"]["title"] == f"Avlysning av time {_when(when)}"

    referral = (
        await pathway.client.get(
            f"/api/v1/referrals/{pathway.id}", headers=await pathway.headers("gp_anne")
        )
    ).json()
    assert referral["history_of_status"][-1]["reason"] == (
        f"Konsultasjon {_when(when)} avlyst: Pasienten er innlagt."
    )
    assert referral["history_of_status"][-1]["changed_by"] == "Kari Koordinator"

    letter = await pathway.client.get(
        letters["cancellation_letter"]["url"], headers=await pathway.headers("gp_anne")
    )
    text = _text(letter.content)
    assert "Avlysning av time" in text
    assert "Lise Lyngstad" in text
    assert _when(when) in text

    await sign_in(pathway.client, pathway.cast["gp_anne"])
    page = (await pathway.client.get(f"/henvisninger/{pathway.id}")).text
    innkalling = page.split("Innkalling (PDF)")[1].split("</li>")[0]
    assert "avlyst" in innkalling
    assert f"Avlysning av time {_when(when)} (PDF)" in page


async def test_the_cancel_form_asks_for_a_reason_on_the_page(pathway: Pathway) -> None:
    await pathway.accept()
    booked = (await pathway.book(["per"], next_weekday_at(10))).json()
    await sign_in(pathway.client, pathway.cast["kari"])
    token = await csrf_token(pathway.client)
    path = f"/klinikk/henvisninger/{pathway.id}/konsultasjoner/{booked['id']}/avlys"
    blank = await pathway.client.post(path, data={"reason": "", "_csrf_token": token})
    assert blank.status_code == 422
    assert f'id="cancel-reason-{booked["id"]}-error"' in blank.text
    assert "Skriv hvorfor konsultasjonen avlyses." in blank.text
    row = await Consultation.select(Consultation.cancelled_at).first()
    assert row == {"cancelled_at": None}
    done = await pathway.client.post(path, data={"reason": "Syk.", "_csrf_token": token})
    assert done.status_code == 303
    page = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
    assert "Avlyst</strong> – Syk." in page


async def test_outcomes_are_recorded_on_the_page_once_started(pathway: Pathway) -> None:
    await pathway.accept()
    when = next_weekday_at(10)
    booked = (await pathway.book(["per"], when)).json()
    await sign_in(pathway.client, pathway.cast["kari"])
    page = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
    assert "Registrer utfallet" not in page  # not before it has started
    with pinned(when + timedelta(minutes=30)):
        await sign_in(pathway.client, pathway.cast["kari"])  # a week later: a new session
        page = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
        assert "Registrer utfallet" in page
        token = await csrf_token(pathway.client)
        done = await pathway.client.post(
            f"/klinikk/henvisninger/{pathway.id}/konsultasjoner/{booked['id']}/utfall",
            data={"outcome": "not_attended", "_csrf_token": token},
        )
    assert done.status_code == 303
    await sign_in(pathway.client, pathway.cast["kari"])
    page = (await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")).text
    assert "Ikke møtt" in page
    assert "Registrer utfallet" not in page
    assert "Avlys konsultasjonen" not in page

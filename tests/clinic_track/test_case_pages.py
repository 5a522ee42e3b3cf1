"""The case page: each form works without JavaScript and shows problems beside the field."""

from __future__ import annotations

from datetime import timedelta

from helseiarbeid.clinic_track.tables import Consultation, TriageNote
from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.core.tables import AuditEvent
from tests.cast import csrf_token, sign_in
from tests.clinic_track.conftest import Pathway, next_weekday_at


async def _form(pathway: Pathway, person: str, path: str, **fields: object) -> tuple[int, str]:
    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast[person])
    token = await csrf_token(pathway.client)
    response = await pathway.client.post(
        f"/klinikk/henvisninger/{pathway.id}/{path}", data={**fields, "_csrf_token": token}
    )
    if response.status_code == 303:
        page = await pathway.client.get(response.headers["location"])
        return 303, page.text
    return response.status_code, response.text


async def test_the_case_page_shows_the_referral_and_is_logged(pathway: Pathway) -> None:
    await sign_in(pathway.client, pathway.cast["nils"])
    before = await AuditEvent.count()
    page = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert page.status_code == 200
    assert "Lise Lyngstad" in page.text
    assert "Vurdering av arbeidsevne og videre tiltak?" in page.text
    assert "Både muskel- og skjelettplager og psykiske plager" in page.text
    assert "Gradert sykmeldt (50 %)" in page.text
    assert "Ditt triasjenotat" in page.text
    assert "Lagre vurdering" not in page.text  # NAV counsellors do not assess
    assert await AuditEvent.count() == before + 1


async def test_forms_along_the_pathway(pathway: Pathway) -> None:
    status, page = await _form(
        pathway, "per", "triasje", note="Bør tas inn.", recommendation="accept"
    )
    assert status == 303
    assert "Bør tas inn." in page
    assert await TriageNote.count() == 1

    deadline = (today_in_oslo() + timedelta(days=30)).isoformat()
    status, page = await _form(
        pathway,
        "frida",
        "vurdering",
        decision="accepted",
        start_deadline=deadline,
        priority="normal",
        reason="",
        version="2",
    )
    assert status == 303, page
    assert "Tatt inn med rett til nødvendig helsehjelp" in page

    when = next_weekday_at(9)
    status, page = await _form(
        pathway,
        "kari",
        "konsultasjoner",
        date=when.date().isoformat(),
        time="09:00",
        duration_minutes="60",
        location="Rom 3",
        staff_ids=[str(pathway.cast["per"].id), str(pathway.cast["nils"].id)],
    )
    assert status == 303, page
    assert "Innkalling (PDF)" in page
    assert await Consultation.count() == 1
    consultation = await Consultation.select(Consultation.id).first()
    assert consultation is not None
    with pinned(when + timedelta(hours=1)):
        status, page = await _form(
            pathway, "kari", f"konsultasjoner/{consultation['id']}/utfall", outcome="held"
        )
    assert status == 303, page
    assert "Gjennomført" in page

    status, page = await _form(pathway, "nils", "avklaring", summary="Avklart.", version="")
    assert status == 303
    status, page = await _form(
        pathway,
        "frida",
        "videre",
        destination_type="physiotherapy",
        destination_name="Fysioterapeut Berg",
        reason="Trening.",
    )
    assert status == 303
    assert "Fysioterapeut Berg" in page
    pathway.client.cookies.clear()
    await sign_in(pathway.client, pathway.cast["frida"])
    preview = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}/rapport")
    assert preview.status_code == 200, preview.text
    draft = preview.text.split('name="draft" value="')[1].split('"')[0]
    status, page = await _form(pathway, "frida", "rapport", version="4", draft=draft, bekreft="ja")
    assert status == 303, page
    assert "Rapport sendt" in page


async def test_problems_are_shown_beside_the_field_with_input_kept(pathway: Pathway) -> None:
    status, page = await _form(
        pathway, "per", "vurdering", decision="returned", reason="", start_deadline="", priority=""
    )
    assert status == 422
    assert 'id="vurdering-reason-error"' in page
    assert "Skriv hvorfor henvisningen returneres." in page
    assert 'id="dec-returned" name="decision" value="returned" checked' in page


async def test_a_clash_is_explained_on_the_page(pathway: Pathway) -> None:
    await pathway.accept()
    when = next_weekday_at(9)
    await pathway.book(["per"], when)
    status, page = await _form(
        pathway,
        "kari",
        "konsultasjoner",
        date=when.date().isoformat(),
        time="09:30",
        duration_minutes="60",
        location="Rom 3",
        staff_ids=str(pathway.cast["per"].id),
    )
    assert status == 409
    assert "Per Psykolog er allerede opptatt" in page
    assert 'value="Rom 3"' in page

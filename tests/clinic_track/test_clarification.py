"""Two people editing the clarification: the second save from a stale version is refused."""

from __future__ import annotations

from helseiarbeid.clinic_track.tables import Clarification
from tests.cast import csrf_token, sign_in
from tests.clinic_track.conftest import Pathway


async def test_a_stale_save_is_refused_and_nothing_is_overwritten(pathway: Pathway) -> None:
    await pathway.accept()
    first = await pathway.clarify(summary="Første utkast.")
    version = first.json()["version"]
    per = await pathway.clarify(version=version, summary="Pers versjon.")
    assert per.status_code == 200
    assert per.json()["version"] == version + 1
    frida = await pathway.clarify(version=version, summary="Fridas versjon.")
    assert frida.status_code == 409
    assert "endret av noen andre" in frida.json()["detail"]
    stored = await Clarification.select(Clarification.summary).first()
    assert stored is not None
    assert stored["summary"] == "Pers versjon."


async def test_a_summary_is_required(pathway: Pathway) -> None:
    await pathway.accept()
    response = await pathway.clarify(summary="")
    assert response.status_code == 422
    assert "summary" in response.json()["errors"]


async def test_the_first_clarification_is_not_overwritten_by_a_second_first(
    pathway: Pathway,
) -> None:
    """Two team members open the case before any clarification exists; both save."""
    await pathway.accept()
    first = await pathway.clarify(version=0, summary="Pers tekst.")
    assert first.status_code == 200, first.text
    second = await pathway.clarify(version=0, summary="Nils' tekst.")
    assert second.status_code == 409
    assert "endret av noen andre" in second.json()["detail"]
    without_version = await pathway.clarify(version=None, summary="Uten versjon.")
    assert without_version.status_code == 409
    stored = await Clarification.select(Clarification.summary, Clarification.version).first()
    assert stored == {"summary": "Pers tekst.", "version": 1}


async def test_a_save_from_an_empty_form_after_someone_wrote_is_refused_on_the_page(
    pathway: Pathway,
) -> None:
    await pathway.accept()
    await sign_in(pathway.client, pathway.cast["per"])
    page = await pathway.client.get(f"/klinikk/henvisninger/{pathway.id}")
    assert 'name="version" value="0"' in page.text
    token = await csrf_token(pathway.client)
    form = {"summary": "Pers tekst.", "version": "0", "_csrf_token": token}
    saved = await pathway.client.post(f"/klinikk/henvisninger/{pathway.id}/avklaring", data=form)
    assert saved.status_code == 303
    again = await pathway.client.post(
        f"/klinikk/henvisninger/{pathway.id}/avklaring", data={**form, "summary": "Fridas tekst."}
    )
    assert again.status_code == 409
    assert "endret av noen andre" in again.text
    assert "Fridas tekst." in again.text  # what was typed is kept for copying
    stored = await Clarification.select(Clarification.summary).first()
    assert stored == {"summary": "Pers tekst."}

"""Two people editing the clarification: the second save from a stale version is refused."""

from __future__ import annotations

from helseiarbeid.clinic_track.tables import Clarification
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

"""Control characters in the team's notes: refused by the API, removed from the page form, the
same on both engines (issue 11, item 1: a NUL byte was a 500 on PostgreSQL)."""

from __future__ import annotations

import httpx

from helseiarbeid.clinic_track.tables import TriageNote
from tests.cast import Cast, csrf_token, sign_in
from tests.clinic_track.conftest import Pathway


async def test_nul_in_a_triage_note_through_the_api_is_refused(pathway: Pathway) -> None:
    response = await pathway.post(
        "per",
        "/triage-notes",
        {"note": "Ryggsmerter\u0000", "recommendation": "accept"},
    )
    assert response.status_code == 422, response.text
    assert "note" in response.json()["errors"]
    assert await TriageNote.count() == 0


async def test_nul_in_the_clinic_triage_form_is_removed_on_both_engines(
    client: httpx.AsyncClient, pathway: Pathway, cast: Cast
) -> None:
    await sign_in(client, cast["per"])
    response = await client.post(
        f"/klinikk/henvisninger/{pathway.id}/triasje",
        data={
            "note": "Ryggsmerter\u0000 og uro",
            "recommendation": "accept",
            "_csrf_token": await csrf_token(client),
        },
    )
    assert response.status_code in (200, 303), response.text
    note = await TriageNote.select(TriageNote.note).first()
    assert note is not None
    assert note["note"] == "Ryggsmerter og uro"

"""Issue 16 §5: 300 phones answer one question within 30 seconds, against one real server
process, and no answer is lost: every phone is acknowledged, every answer is stored once, and
the host's live count says 300 / 300."""

from __future__ import annotations

import asyncio
import time

import httpx

from helseiarbeid.company_track.schemas import SessionKind
from helseiarbeid.core import sessions
from helseiarbeid.surveys import services
from helseiarbeid.surveys.tables import SurveyAnswer
from tests.live_server import serve
from tests.surveys.conftest import Phone, Setting

PHONES = 300
WINDOW_SECONDS = 30


async def test_300_phones_answer_within_30_seconds(database: str, setting: Setting) -> None:
    kari = setting.cast["kari"]
    session_id = await setting.session(SessionKind.MODULE_1)
    survey_id = await services.start_survey(kari, session_id)
    survey = await services.get_survey(kari, survey_id)
    await services.open_group(kari, survey_id, survey.groups[0].id)
    question = survey.groups[0].questions[0]
    options = [option.id for option in question.options]
    host_cookie = await sessions.start_session(kari.id)

    with serve(database) as base_url:
        # A new connection per request: a phone that waited longer than the server's
        # keep-alive (5 s) would otherwise send on a connection the server has just closed,
        # which a browser retries but httpx does not.
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
        clients = [
            httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) for _ in range(PHONES)
        ]
        try:
            phones = [Phone(http) for http in clients]
            joined = await asyncio.gather(*(phone.join(survey.code) for phone in phones))
            assert [r.status_code for r in joined] == [303] * PHONES

            started = time.monotonic()
            answered = await asyncio.gather(
                *(
                    phone.answer({question.item_id: options[n % len(options)]})
                    for n, phone in enumerate(phones)
                )
            )
            elapsed = time.monotonic() - started
            assert [r.status_code for r in answered] == [303] * PHONES
            assert elapsed < WINDOW_SECONDS, f"{PHONES} answers took {elapsed:.1f} s"

            async with httpx.AsyncClient(base_url=base_url) as host:
                host.cookies.set(sessions.SESSION_COOKIE, host_cookie)
                count = (await host.get(f"/sporreundersokelser/{survey_id}/antall")).json()
        finally:
            await asyncio.gather(*(http.aclose() for http in clients))

    assert (count["joined"], count["answered"]) == (PHONES, PHONES)
    assert await SurveyAnswer.count() == PHONES
    await services.close_group(kari, survey_id, survey.groups[0].id)
    result = (await services.get_survey(kari, survey_id)).groups[0].questions[0]
    assert [o.count for o in result.options] == [
        len(range(n, PHONES, len(options))) for n in range(len(options))
    ]

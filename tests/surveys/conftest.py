"""Survey tests: Erik's enterprise with a programme and sessions booked by Kari, and phones
that join a survey by its code over HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import SessionCreate, SessionKind
from helseiarbeid.company_track.tables import ProgrammeSession
from helseiarbeid.core import users
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.roles import Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.surveys import services
from tests.cast import Cast
from tests.company_track import factories
from tests.company_track.conftest import working_day_at

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token the page's form carries (whatever scheme the app uses)."""
    found = _CSRF.search(html)
    assert found, "the page should carry a form with a CSRF token"
    return found.group(1)


@dataclass
class Setting:
    cast: Cast
    programme_id: int
    enterprise_id: int
    other_programme_id: int
    olga: CurrentUser
    sessions: dict[SessionKind, int]

    async def session(self, kind: SessionKind) -> int:
        """The programme's confirmed session of ``kind``, started half an hour ago."""
        return await move_to_now(self.sessions[kind])


async def move_to_now(session_id: int) -> int:
    """Let a session booked ahead have started half an hour ago (booking refuses the past, and
    a served app's clock cannot be pinned, so the stored time is moved instead)."""
    await ProgrammeSession.update(
        {ProgrammeSession.starts_at: datetime.now(UTC) - timedelta(minutes=30)}
    ).where(ProgrammeSession.id == session_id)
    return session_id


async def book_programme(cast: Cast, programme_id: int) -> dict[SessionKind, int]:
    """Kari books every part in order, a module gap (7 days) apart, all confirmed."""
    booked = {}
    days_ahead = 3
    for kind in SessionKind:
        starts_at = working_day_at(days_ahead, 10)
        booked[kind] = await company.add_session(
            cast["kari"],
            programme_id,
            SessionCreate(
                kind=kind,
                starts_at=starts_at,
                facilitator_ids=[cast["per"].id, cast["nils"].id],
            ),
        )
        days_ahead = (starts_at.date() - today_in_oslo()).days + 8
    return booked


@pytest.fixture
async def setting(cast: Cast) -> Setting:
    area_id = await factories.service_area()
    enterprise_id = await factories.enterprise(
        area_id, 21, "Havnelager", contact_id=cast["erik"].id
    )
    olga = await users.create_user(
        email="olga@test.example", name="Olga Other", role=Role.ENTERPRISE_CONTACT, password=None
    )
    other_id = await factories.enterprise(area_id, 22, "Fiskemottak", contact_id=olga.id)
    programme_id = await company.request_programme(cast["erik"], enterprise_id)
    other_programme_id = await company.request_programme(olga, other_id)
    sessions = await book_programme(cast, programme_id)
    return Setting(cast, programme_id, enterprise_id, other_programme_id, olga, sessions)


class Phone:
    """One phone: its own cookie jar, talking to the app (in-process or a served one)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.code = ""

    async def join(self, code: str) -> httpx.Response:
        page = await self.http.get(f"/svar?kode={code}")
        assert page.status_code == 200, page.text
        response = await self.http.post(
            "/svar", data={"kode": code, "_csrf_token": form_token(page.text)}
        )
        if response.status_code == 303:
            self.code = response.headers["location"].rsplit("/", 1)[1]
        return response

    async def question_page(self) -> str:
        """Load the question page; returns its form's CSRF token."""
        page = await self.http.get(f"/svar/{self.code}")
        assert page.status_code == 200, page.text
        return form_token(page.text)

    async def send(self, token: str, choices: dict[int, int]) -> httpx.Response:
        """Post the form of a page loaded earlier."""
        form = {f"q{item}": str(option) for item, option in choices.items()}
        return await self.http.post(f"/svar/{self.code}", data={**form, "_csrf_token": token})

    async def answer(self, choices: dict[int, int]) -> httpx.Response:
        return await self.send(await self.question_page(), choices)


async def run_survey(host: CurrentUser, session_id: int, phones: int) -> int:
    """The session's survey as a room answers it, through the services: ``phones`` phones join,
    every group is opened, answered (the first two phones the first option, the rest the
    second) and closed, and the survey ends. Returns the survey id."""
    survey_id = await services.start_survey(host, session_id)
    survey = await services.get_survey(host, survey_id)
    tokens = [(await services.join(survey.code, "10.0.0.9"))[1] for _ in range(phones)]
    for group in survey.groups:
        await services.open_group(host, survey_id, group.id)
        for index, token in enumerate(tokens):
            choices = {q.item_id: q.options[min(index // 2, 1)].id for q in group.questions}
            await services.answer(survey.code, token, choices)
        await services.close_group(host, survey_id, group.id)
    await services.close_survey(host, survey_id)
    return survey_id

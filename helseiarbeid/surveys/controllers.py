"""Survey routes: the team's host screen (start, open and close question groups, live count,
results), the programme's results for every reader, and the phones' public pages under
``/svar`` (join by code, answer) with a participant cookie scoped to the survey's path."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery, PathParameter, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import SESSION_LABELS, SessionKind, SessionState
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.policy import PUBLIC, allow
from helseiarbeid.core.roles import TEAM_ROLES, Role
from helseiarbeid.core.web import PathId, current_user
from helseiarbeid.surveys import charts, services
from helseiarbeid.surveys.schemas import MIN_ANSWERS, OPEN_HOURS, SurveyCount, SurveyOut

HOSTS = allow(Role.COORDINATOR, TEAM_ROLES)
READERS = allow(Role.COORDINATOR, TEAM_ROLES, Role.ENTERPRISE_CONTACT)
PARTICIPANT_COOKIE = "hia_svar"
Code = Annotated[str, PathParameter(min_length=1, max_length=12)]
CodeQuery = Annotated[str, QueryParameter(max_length=12)]


def _qr_svg(url: str) -> str:
    """The join URL as a QR code in inline SVG, drawn by the server (no image request)."""
    svg: str = segno.make(url, error="m").svg_inline(scale=8, border=2, svgclass="qr")
    return svg


def _label(survey: SurveyOut) -> str:
    return SESSION_LABELS[SessionKind(survey.question_set)]


class SurveyHostController(Controller):
    include_in_schema = False

    @get("/program/{programme_id:int}/sporreundersokelser", opt=READERS)
    async def programme_surveys(
        self, request: Request[Any, Any, Any], programme_id: PathId
    ) -> Template:
        return await self._programme_page(request, programme_id)

    async def _programme_page(
        self,
        request: Request[Any, Any, Any],
        programme_id: int,
        problem: str = "",
        status_code: int = 200,
    ) -> Template:
        user = current_user(request)
        programme = await company.get_programme(user, programme_id)
        surveys = await services.programme_surveys(user, programme_id)
        now = utcnow()
        return Template(
            "surveys/programme.html",
            context={
                "programme": programme,
                "surveys": surveys,
                "label": _label,
                "charts": charts.for_surveys(surveys),
                "versions_differ": services.versions_differ(surveys),
                "may_host": user.role is not Role.ENTERPRISE_CONTACT,
                "min_answers": MIN_ANSWERS,
                # Per confirmed sitting: why a survey cannot be started now ("" if it can).
                "start_refusals": {
                    s.id: services.start_refusal(s.state.value, s.starts_at, s.ends_at, now) or ""
                    for s in programme.sessions
                    if s.state is SessionState.CONFIRMED
                },
                "problem": problem,
            },
            status_code=status_code,
        )

    @post("/samlinger/{session_id:int}/sporreundersokelse", opt=HOSTS)
    async def start(
        self, request: Request[Any, Any, Any], session_id: PathId
    ) -> Redirect | Template:
        user = current_user(request)
        try:
            survey_id = await services.start_survey(user, session_id)
        except Conflict as exc:
            # Back to the programme's surveys, saying why, rather than a bare error page.
            programme_id = (await company.session_row(user, session_id))["programme"]
            return await self._programme_page(
                request, programme_id, exc.message, status_code=exc.status_code
            )
        return Redirect(f"/sporreundersokelser/{survey_id}", status_code=303)

    @get("/sporreundersokelser/{survey_id:int}", opt=HOSTS)
    async def host(self, request: Request[Any, Any, Any], survey_id: PathId) -> Template:
        survey = await services.get_survey(current_user(request), survey_id)
        join_url = f"{str(request.base_url).rstrip('/')}/svar?kode={survey.code}"
        return Template(
            "surveys/host.html",
            context={
                "survey": survey,
                "title": _label(survey),
                "join_url": join_url,
                "join_base": f"{str(request.base_url).rstrip('/')}/svar",
                "qr": _qr_svg(join_url) if survey.is_open else "",
                "charts": charts.for_surveys([survey]),
                "live": await services.count(current_user(request), survey_id),
                "min_answers": MIN_ANSWERS,
            },
        )

    @get("/sporreundersokelser/{survey_id:int}/antall", opt=HOSTS)
    async def count(self, request: Request[Any, Any, Any], survey_id: PathId) -> SurveyCount:
        """The live figures the host page polls (``static/survey_host.js``)."""
        return await services.count(current_user(request), survey_id)

    @post("/sporreundersokelser/{survey_id:int}/grupper/{group_id:int}/apne", opt=HOSTS)
    async def open_group(
        self, request: Request[Any, Any, Any], survey_id: PathId, group_id: PathId
    ) -> Redirect:
        await services.open_group(current_user(request), survey_id, group_id)
        return Redirect(f"/sporreundersokelser/{survey_id}", status_code=303)

    @post("/sporreundersokelser/{survey_id:int}/grupper/{group_id:int}/lukk", opt=HOSTS)
    async def close_group(
        self, request: Request[Any, Any, Any], survey_id: PathId, group_id: PathId
    ) -> Redirect:
        await services.close_group(current_user(request), survey_id, group_id)
        return Redirect(f"/sporreundersokelser/{survey_id}#resultater", status_code=303)

    @post("/sporreundersokelser/{survey_id:int}/avslutt", opt=HOSTS)
    async def close_survey(self, request: Request[Any, Any, Any], survey_id: PathId) -> Redirect:
        await services.close_survey(current_user(request), survey_id)
        return Redirect(f"/sporreundersokelser/{survey_id}", status_code=303)


class SurveyPhoneController(Controller):
    """Public pages for the phones: no login, nothing about the person or device stored."""

    path = "/svar"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def join_page(self, kode: FromQuery[CodeQuery] = "") -> Template:
        return Template("surveys/join.html", context={"code": kode, "errors": {}})

    @post("/", opt=PUBLIC)
    async def join(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        typed = str(data.get("kode", ""))[:12]
        client = request.client.host if request.client else "unknown"
        try:
            code, token = await services.join(typed, client)
        except InvalidInput as exc:
            return Template(
                "surveys/join.html",
                context={"code": typed, "errors": exc.fields},
                status_code=422,
            )
        return Redirect(
            f"/svar/{code}",
            status_code=303,
            cookies=[
                Cookie(
                    key=PARTICIPANT_COOKIE,
                    value=token,
                    path=f"/svar/{code}",
                    httponly=True,
                    samesite="lax",
                    secure=request.url.scheme == "https",
                    max_age=OPEN_HOURS * 3600,
                )
            ],
        )

    @get("/{code:str}", opt=PUBLIC)
    async def questions(
        self, request: Request[Any, Any, Any], code: Code, lagret: FromQuery[bool] = False
    ) -> Template | Redirect:
        return await self._questions(request, code, saved=lagret)

    async def _questions(
        self,
        request: Request[Any, Any, Any],
        code: str,
        *,
        saved: bool = False,
        errors: dict[str, str] | None = None,
        refused: str = "",
        status_code: int = 200,
    ) -> Template | Redirect:
        try:
            view = await services.phone_view(code, request.cookies.get(PARTICIPANT_COOKIE))
        except NotFound:
            return Redirect(f"/svar?kode={services.normalise_code(code)}")
        return Template(
            "surveys/phone.html",
            context={
                "survey": view,
                "title": SESSION_LABELS[SessionKind(view.question_set)],
                "group": view.group,
                "mine": view.mine,
                "saved": saved,
                "errors": errors or {},
                "refused": refused,
            },
            status_code=status_code,
        )

    @post("/{code:str}", opt=PUBLIC)
    async def answer(
        self, request: Request[Any, Any, Any], code: Code, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        choices: dict[int, int] = {}
        errors: dict[str, str] = {}
        for field, value in data.items():
            if not field.startswith("q"):
                continue
            try:
                choices[int(field[1:])] = int(str(value))
            except ValueError:
                errors[field] = "Velg et av svaralternativene."
        try:
            if errors:
                raise InvalidInput(errors)
            await services.answer(code, request.cookies.get(PARTICIPANT_COOKIE), choices)
        except NotFound:
            return Redirect(f"/svar?kode={services.normalise_code(code)}", status_code=303)
        except InvalidInput as exc:
            return await self._questions(
                request, code, errors=exc.fields, status_code=exc.status_code
            )
        except Conflict as exc:
            # The group closed before the answer came: nothing for the participant to correct,
            # so a notice, not an error summary.
            return await self._questions(
                request, code, refused=exc.message, status_code=exc.status_code
            )
        return Redirect(f"/svar/{services.normalise_code(code)}?lagret=1", status_code=303)

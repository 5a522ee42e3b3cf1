"""Company-track routes: the JSON API and the pages for enterprises and the coordinator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, JSONBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.company_track import forms, services
from helseiarbeid.company_track.schemas import (
    MODULES,
    AnchoringRecord,
    AttendanceRecord,
    EnterpriseCreate,
    EnterpriseOut,
    EvaluationRecord,
    FigureIn,
    GoalCreate,
    GoalDirection,
    GoalMeasure,
    GoalOut,
    ProgrammeOut,
    SessionCancel,
    SessionConfirm,
    SessionCreate,
    SessionKind,
    SessionOut,
    SessionReschedule,
    SlotList,
)
from helseiarbeid.core.clock import OSLO, today_in_oslo
from helseiarbeid.core.errors import Conflict, InvalidInput, NotFound
from helseiarbeid.core.forms import convert as convert_form
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import TEAM_ROLES, Role
from helseiarbeid.core.web import (
    PathId,
    QueryId,
    current_user,
    kept_form,
    pdf_response,
    require_confirmation,
)

CONTACT = Role.ENTERPRISE_CONTACT
COORDINATOR = Role.COORDINATOR
READERS = allow(COORDINATOR, TEAM_ROLES, CONTACT)
BOOKERS = allow(COORDINATOR, CONTACT)
RECORDERS = allow(COORDINATOR, TEAM_ROLES)


async def _session_out(request: Request[Any, Any, Any], session_id: int) -> SessionOut:
    session = await services.session_row(current_user(request), session_id)
    programme = await services.get_programme(current_user(request), session["programme"])
    return next(s for s in programme.sessions if s.id == session_id)


class CompanyApiController(Controller):
    path = "/api/v1"
    tags = ("company track",)
    security = BEARER_REQUIRED

    @post(
        "/enterprises",
        opt=allow(COORDINATOR, Role.ADMIN),
        status_code=201,
        responses=api_errors(403, 409, body=True),
    )
    async def create_enterprise(
        self, request: Request[Any, Any, Any], data: JSONBody[EnterpriseCreate]
    ) -> EnterpriseOut:
        enterprise_id = await services.create_enterprise(data)
        return await services.get_enterprise(current_user(request), enterprise_id)

    @get(
        "/enterprises/{enterprise_id:int}",
        opt=allow(COORDINATOR, TEAM_ROLES, CONTACT, Role.ADMIN),
        responses=api_errors(403, 404, 422),
    )
    async def enterprise(
        self, request: Request[Any, Any, Any], enterprise_id: PathId
    ) -> EnterpriseOut:
        """An enterprise contact gets 404 for any enterprise but its own."""
        return await services.get_enterprise(current_user(request), enterprise_id)

    @post(
        "/enterprises/{enterprise_id:int}/programmes",
        opt=BOOKERS,
        status_code=201,
        responses=api_errors(403, 404, 409, 422),
    )
    async def request_programme(
        self, request: Request[Any, Any, Any], enterprise_id: PathId
    ) -> ProgrammeOut:
        user = current_user(request)
        programme_id = await services.request_programme(user, enterprise_id)
        return await services.get_programme(user, programme_id)

    @get("/programmes/{programme_id:int}", opt=READERS, responses=api_errors(403, 404, 422))
    async def programme(
        self, request: Request[Any, Any, Any], programme_id: PathId
    ) -> ProgrammeOut:
        return await services.get_programme(current_user(request), programme_id)

    @post(
        "/programmes/{programme_id:int}/cancel",
        opt=BOOKERS,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def cancel_programme(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: JSONBody[SessionCancel],
    ) -> ProgrammeOut:
        user = current_user(request)
        await services.cancel_programme(user, programme_id, data.reason)
        return await services.get_programme(user, programme_id)

    @get(
        "/programmes/{programme_id:int}/slots",
        opt=BOOKERS,
        responses=api_errors(403, 404, 409, 422),
    )
    async def slots(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        kind: FromQuery[SessionKind],
    ) -> SlotList:
        """Times with a health facilitator and a NAV counsellor free, that keep every rule."""
        return await services.slots(current_user(request), programme_id, kind)

    @post(
        "/programmes/{programme_id:int}/sessions",
        opt=BOOKERS,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def add_session(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: JSONBody[SessionCreate],
    ) -> SessionOut:
        """The coordinator books with facilitators; an enterprise contact's is a request."""
        session_id = await services.add_session(current_user(request), programme_id, data)
        return await _session_out(request, session_id)

    @post(
        "/sessions/{session_id:int}/confirm",
        opt=allow(COORDINATOR),
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[SessionConfirm],
    ) -> SessionOut:
        await services.confirm_session(current_user(request), session_id, data.facilitator_ids)
        return await _session_out(request, session_id)

    @post(
        "/sessions/{session_id:int}/reschedule",
        opt=BOOKERS,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def reschedule(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[SessionReschedule],
    ) -> SessionOut:
        await services.reschedule_session(current_user(request), session_id, data.starts_at)
        return await _session_out(request, session_id)

    @post(
        "/sessions/{session_id:int}/cancel",
        opt=BOOKERS,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[SessionCancel],
    ) -> SessionOut:
        await services.cancel_session(current_user(request), session_id, data.reason)
        return await _session_out(request, session_id)

    @post(
        "/sessions/{session_id:int}/attendance",
        opt=RECORDERS,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def attendance(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: JSONBody[AttendanceRecord],
    ) -> SessionOut:
        await services.record_attendance(current_user(request), session_id, data)
        return await _session_out(request, session_id)

    @post(
        "/programmes/{programme_id:int}/goals",
        opt=RECORDERS,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def add_goal(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: JSONBody[GoalCreate],
    ) -> GoalOut:
        return await services.add_goal(current_user(request), programme_id, data)

    @post(
        "/programmes/{programme_id:int}/anchoring",
        opt=RECORDERS,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def anchoring(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: JSONBody[AnchoringRecord],
    ) -> ProgrammeOut:
        user = current_user(request)
        await services.record_anchoring(user, programme_id, data)
        return await services.get_programme(user, programme_id)

    @post(
        "/programmes/{programme_id:int}/evaluation",
        opt=RECORDERS,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def evaluation(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: JSONBody[EvaluationRecord],
    ) -> ProgrammeOut:
        user = current_user(request)
        await services.record_evaluation(user, programme_id, data)
        return await services.get_programme(user, programme_id)

    @get(
        "/programmes/{programme_id:int}/plan.pdf",
        opt=READERS,
        media_type="application/pdf",
        responses=api_errors(403, 404, 422),
    )
    async def plan_pdf(
        self, request: Request[Any, Any, Any], programme_id: PathId
    ) -> Response[bytes]:
        content = await services.programme_document(current_user(request), programme_id, "plan")
        return pdf_response(content, f"programplan-{programme_id}.pdf")

    @get(
        "/programmes/{programme_id:int}/evaluation-report.pdf",
        opt=READERS,
        media_type="application/pdf",
        responses=api_errors(403, 404, 422),
    )
    async def evaluation_pdf(
        self, request: Request[Any, Any, Any], programme_id: PathId
    ) -> Response[bytes]:
        content = await services.programme_document(
            current_user(request), programme_id, "evaluation"
        )
        return pdf_response(content, f"evalueringsrapport-{programme_id}.pdf")


class CompanyPageController(Controller):
    include_in_schema = False

    @get("/bedrift", opt=allow(CONTACT))
    async def my_enterprise(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        user = current_user(request)
        enterprise_id = await services.enterprise_of(user)
        if enterprise_id is None:
            raise NotFound("Du er ikke knyttet til en virksomhet ennå. Kontakt koordinatoren.")
        enterprise = await services.get_enterprise(user, enterprise_id)
        programmes = enterprise.programme_ids
        if programmes:
            return Redirect(f"/program/{max(programmes)}")
        return Template("company_track/enterprise.html", context={"enterprise": enterprise})

    @post("/bedrift/{enterprise_id:int}/program", opt=BOOKERS)
    async def start_programme(
        self, request: Request[Any, Any, Any], enterprise_id: PathId
    ) -> Redirect:
        programme_id = await services.request_programme(current_user(request), enterprise_id)
        return Redirect(f"/program/{programme_id}?lagret=1", status_code=303)

    @get("/bedrifter", opt=allow(COORDINATOR, TEAM_ROLES, Role.ADMIN))
    async def enterprises(self, request: Request[Any, Any, Any], area: QueryId = None) -> Template:
        return Template(
            "company_track/enterprises.html",
            context=await self._enterprises_context(request, area, {}, {}),
        )

    async def _enterprises_context(
        self,
        request: Request[Any, Any, Any],
        area: int | None,
        errors: dict[str, str],
        values: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "enterprises": await services.list_enterprises(current_user(request), area),
            "areas": await services.list_service_areas(),
            "area": area,
            "errors": errors,
            "values": values,
        }

    @post("/bedrifter", opt=allow(COORDINATOR, Role.ADMIN))
    async def create_enterprise(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        try:
            form = {**data, "company_health_service_takes_part": data.get("bht") == "true"}
            form.pop("bht", None)
            enterprise_id = await services.create_enterprise(convert_form(form, EnterpriseCreate))
        except (InvalidInput, Conflict) as exc:
            errors = exc.fields if isinstance(exc, InvalidInput) else {"org_number": exc.message}
            return Template(
                "company_track/enterprises.html",
                context=await self._enterprises_context(request, None, errors, data),
                status_code=exc.status_code,
            )
        return Redirect(f"/bedrifter/{enterprise_id}", status_code=303)

    @get("/bedrifter/{enterprise_id:int}", opt=allow(COORDINATOR, TEAM_ROLES, Role.ADMIN))
    async def enterprise(self, request: Request[Any, Any, Any], enterprise_id: PathId) -> Template:
        enterprise = await services.get_enterprise(current_user(request), enterprise_id)
        return Template("company_track/enterprise.html", context={"enterprise": enterprise})

    async def _figures_page(
        self,
        request: Request[Any, Any, Any],
        enterprise_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        user = current_user(request)
        return Template(
            "company_track/sick_leave.html",
            context={
                "enterprise": await services.get_enterprise(user, enterprise_id),
                "figures": await services.enterprise_figures(user, enterprise_id),
                "mask_rule": services.MASK_RULE,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @get("/bedrifter/{enterprise_id:int}/sykefravaer", opt=allow(COORDINATOR, TEAM_ROLES))
    async def sick_leave(self, request: Request[Any, Any, Any], enterprise_id: PathId) -> Template:
        return await self._figures_page(request, enterprise_id)

    @get("/bedrift/sykefravaer", opt=allow(CONTACT))
    async def my_sick_leave(self, request: Request[Any, Any, Any]) -> Template:
        enterprise_id = await services.enterprise_of(current_user(request))
        if enterprise_id is None:
            raise NotFound("Du er ikke knyttet til en virksomhet ennå. Kontakt koordinatoren.")
        return await self._figures_page(request, enterprise_id)

    @post("/bedrifter/{enterprise_id:int}/sykefravaer", opt=allow(COORDINATOR))
    async def record_sick_leave(
        self,
        request: Request[Any, Any, Any],
        enterprise_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        try:
            await services.record_figure(
                current_user(request), enterprise_id, convert_form(data, FigureIn)
            )
        except InvalidInput as exc:
            return await self._figures_page(
                request, enterprise_id, exc.fields, data, exc.status_code
            )
        return Redirect(f"/bedrifter/{enterprise_id}/sykefravaer?lagret=1", status_code=303)

    def _import_page(
        self, text: str = "", problems: list[str] | None = None, stored: int | None = None
    ) -> Template:
        return Template(
            "company_track/sick_leave_import.html",
            context={
                "text": text,
                "problems": problems or [],
                "stored": stored,
                "example_quarter": services.Quarter.of(today_in_oslo()).back(1),
            },
            status_code=422 if problems else 200,
        )

    @get("/sykefravaer/import", opt=allow(COORDINATOR))
    async def import_page(self, lagret: FromQuery[int | None] = None) -> Template:
        return self._import_page(stored=lagret)

    @post("/sykefravaer/import", opt=allow(COORDINATOR))
    async def import_sick_leave(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        text = str(data.get("csv", ""))
        try:
            stored = await services.import_figures(current_user(request), text)
        except services.ImportErrors as exc:
            return self._import_page(text, exc.lines)
        return Redirect(f"/sykefravaer/import?lagret={stored}", status_code=303)

    @get("/program/{programme_id:int}/evalueringsrapport", opt=READERS)
    async def evaluation_report(
        self, request: Request[Any, Any, Any], programme_id: PathId
    ) -> Template:
        report = await services.evaluation_report(current_user(request), programme_id)
        return Template("company_track/evaluation.html", context={"report": report})

    @get("/program/{programme_id:int}", opt=READERS)
    async def programme(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        kind: FromQuery[SessionKind | None] = None,
        uke: FromQuery[date | None] = None,
    ) -> Template:
        """``uke`` picks the week shown in the booking view; ``valgt`` (repeatable) are times
        already ticked in other weeks, carried along while the user browses."""
        chosen = _instants(request.query_params.getall("valgt", []))
        kept = await kept_form(request)  # a form posted here just after the session expired
        return await self._programme_page(
            request,
            programme_id,
            kind=kind,
            week=uke,
            chosen=chosen,
            section=kept.section if kept else None,
            values=kept.fields if kept else None,
        )

    async def _programme_page(
        self,
        request: Request[Any, Any, Any],
        programme_id: int,
        *,
        kind: SessionKind | None = None,
        week: date | None = None,
        chosen: list[datetime] | None = None,
        section: str | None = None,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        user = current_user(request)
        programme = await services.get_programme(user, programme_id)
        next_kind = kind or _next_kind(programme)
        offered = (
            await services.slot_week(user, programme_id, next_kind, week)
            if next_kind and user.role in (CONTACT, COORDINATOR)
            else None
        )
        shown = {slot.starts_at for _, day in (offered.days if offered else []) for slot in day}
        return Template(
            "company_track/programme.html",
            context={
                "programme": programme,
                "enterprise": await services.get_enterprise(user, programme.enterprise_id),
                "next_kind": next_kind,
                "offered": offered,
                "chosen": {moment.isoformat() for moment in chosen or []},
                "chosen_elsewhere": [m for m in chosen or [] if m not in shown],
                "kinds": list(SessionKind),
                "parts": services.plan_parts(programme),
                "measures": list(GoalMeasure),
                "directions": list(GoalDirection),
                "team": await services.team_for_booking(),
                "completion": await services.completion_findings(programme_id),
                "section": section,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        programme_id: int,
        section: str,
        form: dict[str, Any],
        action: Callable[[], Awaitable[Any]],
    ) -> Template | Redirect:
        try:
            await action()
        except (InvalidInput, Conflict) as exc:
            errors = exc.fields if isinstance(exc, InvalidInput) else {"form": exc.message}
            return await self._programme_page(
                request,
                programme_id,
                section=section,
                errors=errors,
                values=form,
                status_code=exc.status_code,
            )
        return Redirect(f"/program/{programme_id}?lagret={section}#{section}", status_code=303)

    @post("/program/{programme_id:int}/samlinger", opt=BOOKERS)
    async def add_session(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        """The times ticked in the week view, as one request (several sittings of one part
        may be chosen, e.g. one per shift). The week buttons post here too ("uke"): then
        nothing is stored and the page shows that week with the ticked times carried along."""
        user = current_user(request)
        try:
            kind = _kind(data.get("kind"))
            if data.get("uke"):
                return _to_week(programme_id, kind, data["uke"], data.get("slot", []))
            starts = forms.chosen_slots(data)
            facilitators = forms.ids(data, "facilitator_ids") or None
            await services.add_sessions(
                user,
                programme_id,
                [
                    SessionCreate(
                        kind=kind,
                        starts_at=starts_at,
                        location=data.get("location") or None,
                        facilitator_ids=facilitators if user.role is COORDINATOR else None,
                    )
                    for starts_at in starts
                ],
            )
        except (InvalidInput, Conflict) as exc:
            errors = exc.fields if isinstance(exc, InvalidInput) else {"form": exc.message}
            ticked = data.get("slot", [])
            return await self._programme_page(
                request,
                programme_id,
                kind=SessionKind(data["kind"]) if data.get("kind") in set(SessionKind) else None,
                week=_week_of(data.get("vist_uke")),
                chosen=_instants(ticked if isinstance(ticked, list) else [ticked]),
                section="samlinger",
                errors=errors,
                values=data,
                status_code=exc.status_code,
            )
        return Redirect(f"/program/{programme_id}?lagret=samlinger#samlinger", status_code=303)

    async def _session_action(
        self,
        request: Request[Any, Any, Any],
        session_id: int,
        form: dict[str, Any],
        action: Callable[[], Awaitable[Any]],
    ) -> Template | Redirect:
        session = await services.session_row(current_user(request), session_id)
        return await self._act(request, session["programme"], f"samling-{session_id}", form, action)

    @post("/samlinger/{session_id:int}/bekreft", opt=allow(COORDINATOR))
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        return await self._session_action(
            request,
            session_id,
            data,
            lambda: services.confirm_session(
                current_user(request), session_id, forms.ids(data, "facilitator_ids")
            ),
        )

    @post("/samlinger/{session_id:int}/flytt", opt=BOOKERS)
    async def reschedule(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.reschedule_session(
                current_user(request), session_id, forms.oslo_time(data)
            )

        return await self._session_action(request, session_id, data, action)

    @post("/samlinger/{session_id:int}/avlys", opt=BOOKERS)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        return await self._session_action(
            request,
            session_id,
            data,
            lambda: services.cancel_session(
                current_user(request), session_id, str(data.get("reason", ""))
            ),
        )

    @post("/samlinger/{session_id:int}/oppmote", opt=RECORDERS)
    async def attendance(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        return await self._session_action(
            request,
            session_id,
            data,
            lambda: services.record_attendance(
                current_user(request), session_id, convert_form(data, AttendanceRecord)
            ),
        )

    @post("/program/{programme_id:int}/forankring", opt=RECORDERS)
    async def anchoring(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        return await self._act(
            request,
            programme_id,
            "forankring",
            data,
            lambda: services.record_anchoring(
                current_user(request), programme_id, convert_form(data, AnchoringRecord)
            ),
        )

    @post("/program/{programme_id:int}/mal", opt=RECORDERS)
    async def goal(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        # Empty optional fields (baseline of a goal that follows the figures, no due quarter)
        # are left out rather than parsed.
        cleaned = {
            k: str(v).replace(",", ".") if k in ("baseline", "target") else v
            for k, v in data.items()
            if not (
                k in ("baseline", "due_year", "due_quarter", "direction") and not str(v).strip()
            )
        }
        return await self._act(
            request,
            programme_id,
            "mal",
            data,
            lambda: services.add_goal(
                current_user(request), programme_id, convert_form(cleaned, GoalCreate)
            ),
        )

    @post("/program/{programme_id:int}/evaluering", opt=RECORDERS)
    async def evaluation(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            measured = {}
            for key, value in data.items():
                if key.startswith("measured-") and str(value).strip():
                    try:
                        measured[int(key.removeprefix("measured-"))] = float(
                            str(value).replace(",", ".")
                        )
                    except ValueError as exc:
                        raise InvalidInput({"measured": "Målte verdier må være tall."}) from exc
            record = EvaluationRecord(
                assessment=str(data.get("assessment", "")),
                further_plans=str(data.get("further_plans", "")),
                measured=measured,
            )
            await services.record_evaluation(current_user(request), programme_id, record)

        return await self._act(request, programme_id, "evaluering", data, action)

    @post("/program/{programme_id:int}/avlys", opt=BOOKERS)
    async def cancel_programme(
        self,
        request: Request[Any, Any, Any],
        programme_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            require_confirmation(data, "Kryss av for å bekrefte at programmet skal avlyses.")
            await services.cancel_programme(
                current_user(request), programme_id, str(data.get("reason", ""))
            )

        return await self._act(request, programme_id, "avlys", data, action)

    @get("/planlegging", opt=allow(COORDINATOR))
    async def planning(
        self,
        request: Request[Any, Any, Any],
        area: QueryId = None,
        start: FromQuery[date | None] = None,
        weeks: Annotated[int, QueryParameter(ge=1, le=52)] = 12,
    ) -> Template:
        first_day = start or today_in_oslo() - timedelta(days=today_in_oslo().weekday())
        if not date(2000, 1, 1) <= first_day <= date(2100, 1, 1):
            raise InvalidInput({"start": "Velg en dato mellom år 2000 og 2100."})
        rows, load = await services.planning(current_user(request), area, first_day, weeks)
        week_starts = [first_day + timedelta(weeks=n) for n in range(weeks)]
        return Template(
            "company_track/planning.html",
            context={
                "rows": rows,
                "load": load,
                "areas": await services.list_service_areas(),
                "area": area,
                "weeks": weeks,
                "week_starts": week_starts,
                "first_day": first_day,
                "oslo": OSLO,
            },
        )


def _kind(value: object) -> SessionKind:
    if value not in set(SessionKind):
        raise InvalidInput({"kind": "Velg hvilken samling det gjelder."})
    return SessionKind(str(value))


def _instants(values: list[Any]) -> list[datetime]:
    """The timezone-aware ISO instants among ``values``, each once, in time order; anything
    else (a tampered link) is left out."""
    found = set()
    for value in values:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            found.add(moment)
    return sorted(found)


def _week_of(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _to_week(programme_id: int, kind: SessionKind, week: object, ticked: object) -> Redirect:
    """To the booking view of another week, with the ticked times in the address (times
    only: the company track holds no personal data)."""
    moments = _instants(ticked if isinstance(ticked, list) else [ticked])
    monday = _week_of(week)
    query = urlencode(
        [("kind", kind.value)]
        + ([("uke", monday.isoformat())] if monday else [])
        + [("valgt", m.isoformat()) for m in moments]
    )
    return Redirect(f"/program/{programme_id}?{query}#samlinger", status_code=303)


def _next_kind(programme: ProgrammeOut) -> SessionKind | None:
    """The next part of the programme to book, if any."""
    live = {s.kind for s in programme.sessions if s.state.value != "cancelled"}
    for kind in (SessionKind.ANCHORING, *MODULES, SessionKind.EVALUATION):
        if kind not in live:
            return kind
    return None

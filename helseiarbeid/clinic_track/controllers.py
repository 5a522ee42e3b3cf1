"""The clinic's routes: the team's JSON API and its pages (worklist, case, dashboard)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromQuery, JSONBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.clinic_track import dashboard as figures
from helseiarbeid.clinic_track import forms, services
from helseiarbeid.clinic_track.charts import month_bars, status_bars
from helseiarbeid.clinic_track.schemas import (
    AssessmentCreate,
    AssessmentOut,
    CaseOut,
    ClarificationUpdate,
    ConsultationCreate,
    ConsultationOut,
    Dashboard,
    Decision,
    Destination,
    OnwardReferralCreate,
    OnwardReferralOut,
    Priority,
    Recommendation,
    ReportCreate,
    ResponsibleUpdate,
    TriageNoteCreate,
    TriageNoteOut,
    Worklist,
)
from helseiarbeid.core import users
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import CLINIC_STAFF, TEAM_ROLES, Role
from helseiarbeid.core.schemas import MAX_DB_INT
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.web import Offset, PathId, QueryId, actor_of, current_user
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import Complaint, Urgency
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, Status

STAFF = allow(CLINIC_STAFF)
TEAM = allow(TEAM_ROLES)
ASSESSORS = allow(Role.PHYSICIAN, Role.PSYCHOLOGIST)
COORDINATOR = allow(Role.COORDINATOR)
PAGE_SIZE = 50


class ClinicApiController(Controller):
    path = "/api/v1"
    tags = ("clinic",)
    security = BEARER_REQUIRED

    @get("/clinic/worklist", opt=STAFF, responses=api_errors(403, 422))
    async def worklist(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[list[Status] | None] = None,
        complaint: FromQuery[Complaint | None] = None,
        urgency: FromQuery[Urgency | None] = None,
        responsible: QueryId = None,
        overdue: FromQuery[bool] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = PAGE_SIZE,
        offset: Offset = 0,
    ) -> Worklist:
        """Referrals waiting for assessment (or the statuses asked for), by deadline."""
        return await services.worklist(
            actor_of(request),
            statuses=frozenset(status) if status else AWAITING_ASSESSMENT,
            complaint=complaint,
            urgency=urgency,
            responsible_id=responsible,
            overdue_only=overdue,
            limit=limit,
            offset=offset,
        )

    @get("/clinic/dashboard", opt=STAFF, responses=api_errors(403))
    async def dashboard(self) -> Dashboard:
        return await figures.dashboard()

    @get(
        "/clinic/statistics.csv",
        opt=allow(CLINIC_STAFF, Role.ADMIN),
        media_type="text/csv",
        responses=api_errors(403),
    )
    async def statistics_csv(self) -> Response[str]:
        """Anonymised counts per month and complaint, for the programme's evaluation."""
        return Response(
            await figures.anonymised_csv(),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="helseiarbeid-statistikk.csv"'},
        )

    @get("/referrals/{referral_id:int}/case", opt=STAFF, responses=api_errors(403, 404, 422))
    async def case(self, request: Request[Any, Any, Any], referral_id: PathId) -> CaseOut:
        _, recorded = await services.case(current_user(request), actor_of(request), referral_id)
        return recorded

    @post(
        "/referrals/{referral_id:int}/triage-notes",
        opt=TEAM,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def triage_note(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[TriageNoteCreate],
    ) -> TriageNoteOut:
        return await services.add_triage_note(
            current_user(request), actor_of(request), referral_id, data
        )

    @post(
        "/referrals/{referral_id:int}/assessment",
        opt=ASSESSORS,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def assessment(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[AssessmentCreate],
    ) -> AssessmentOut:
        """accepted (with start_deadline and priority), returned (reason), more_information."""
        return await services.assess(current_user(request), actor_of(request), referral_id, data)

    @post(
        "/referrals/{referral_id:int}/consultations",
        opt=STAFF,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def consultation(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[ConsultationCreate],
    ) -> ConsultationOut:
        """Book team members; 409 if any of them is busy then (either track)."""
        return await services.book_consultation(
            current_user(request), actor_of(request), referral_id, data
        )

    @post(
        "/referrals/{referral_id:int}/consultations/{consultation_id:int}/cancel",
        opt=STAFF,
        status_code=204,
        responses=api_errors(403, 404, 409, 422),
    )
    async def cancel_consultation(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        consultation_id: PathId,
    ) -> None:
        await services.cancel_consultation(actor_of(request), referral_id, consultation_id)

    @put(
        "/referrals/{referral_id:int}/clarification",
        opt=TEAM,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def clarification(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[ClarificationUpdate],
    ) -> ClarificationUpdate:
        """Send the version you read; a stale one is refused with 409."""
        return await services.save_clarification(
            current_user(request), actor_of(request), referral_id, data
        )

    @post(
        "/referrals/{referral_id:int}/onward-referrals",
        opt=TEAM,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def onward_referral(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[OnwardReferralCreate],
    ) -> OnwardReferralOut:
        return await services.add_onward_referral(
            current_user(request), actor_of(request), referral_id, data
        )

    @post(
        "/referrals/{referral_id:int}/report",
        opt=ASSESSORS,
        status_code=201,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[ReportCreate | None] = None,
    ) -> CaseOut:
        """Write the report to the GP from what was recorded; completes the case."""
        user, actor = current_user(request), actor_of(request)
        await services.write_report(user, actor, referral_id, data.version if data else None)
        _, recorded = await services.case(user, actor, referral_id)
        return recorded

    @put(
        "/referrals/{referral_id:int}/responsible",
        opt=COORDINATOR,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def responsible(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[ResponsibleUpdate],
    ) -> None:
        await referrals.assign_responsible(actor_of(request), referral_id, data.staff_id)


def _case_context(
    user: CurrentUser,
    referral: Any,
    recorded: CaseOut,
    team: list[Any],
    *,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "referral": referral,
        "case": recorded,
        "team": team,
        "section": section,
        "errors": errors or {},
        "values": values or {},
        "recommendations": list(Recommendation),
        "decisions": list(Decision),
        "priorities": list(Priority),
        "destinations": services.onward_destinations(user),
        "AWAITING": AWAITING_ASSESSMENT,
    }


async def _team() -> list[Any]:
    return [user for user in await users.list_users() if user.role in CLINIC_STAFF]


class ClinicPageController(Controller):
    path = "/klinikk"
    include_in_schema = False
    opt = STAFF

    @get("/arbeidsliste")
    async def worklist(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[Status | None] = None,
        complaint: FromQuery[Complaint | None] = None,
        urgency: FromQuery[Urgency | None] = None,
        responsible: QueryId = None,
        overdue: FromQuery[bool] = False,
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        listing = await services.worklist(
            actor_of(request),
            statuses=frozenset({status}) if status else AWAITING_ASSESSMENT,
            complaint=complaint,
            urgency=urgency,
            responsible_id=responsible,
            overdue_only=overdue,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        query = {
            "status": status.value if status else "",
            "complaint": complaint.value if complaint else "",
            "urgency": urgency.value if urgency else "",
            "responsible": responsible or "",
            "overdue": "true" if overdue else "",
        }
        return Template(
            "clinic_track/worklist.html",
            context={
                "listing": listing,
                "query": query,
                "page": page,
                "has_next": page * PAGE_SIZE < listing.total,
                "statuses": list(Status),
                "complaints": list(Complaint),
                "urgencies": list(Urgency),
                "team": await _team(),
            },
        )

    @get("/henvisninger/{referral_id:int}")
    async def case_page(self, request: Request[Any, Any, Any], referral_id: PathId) -> Template:
        user = current_user(request)
        referral, recorded = await services.case(user, actor_of(request), referral_id)
        return Template(
            "clinic_track/case.html",
            context=_case_context(user, referral, recorded, await _team()),
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        referral_id: int,
        section: str,
        form: dict[str, Any],
        action: Any,
    ) -> Template | Redirect:
        """Run one form's action; on a problem show the case again with the form as typed."""
        try:
            await action()
        except (InvalidInput, Conflict) as exc:
            user, actor = current_user(request), actor_of(request)
            referral, recorded = await services.case(user, actor, referral_id)
            errors = exc.fields if isinstance(exc, InvalidInput) else {"form": exc.message}
            return Template(
                "clinic_track/case.html",
                context=_case_context(
                    user,
                    referral,
                    recorded,
                    await _team(),
                    section=section,
                    errors=errors,
                    values=form,
                ),
                status_code=exc.status_code,
            )
        return Redirect(
            f"/klinikk/henvisninger/{referral_id}?lagret={section}#{section}", status_code=303
        )

    @post("/henvisninger/{referral_id:int}/triasje", opt=TEAM)
    async def triage(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.add_triage_note(
                current_user(request), actor_of(request), referral_id, forms.triage(data)
            )

        return await self._act(request, referral_id, "triasje", data, action)

    @post("/henvisninger/{referral_id:int}/vurdering", opt=ASSESSORS)
    async def assess(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.assess(
                current_user(request), actor_of(request), referral_id, forms.assessment(data)
            )

        return await self._act(request, referral_id, "vurdering", data, action)

    @post("/henvisninger/{referral_id:int}/konsultasjoner")
    async def book(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.book_consultation(
                current_user(request), actor_of(request), referral_id, forms.consultation(data)
            )

        return await self._act(request, referral_id, "konsultasjoner", data, action)

    @post("/henvisninger/{referral_id:int}/konsultasjoner/{consultation_id:int}/avlys")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        consultation_id: PathId,
    ) -> Redirect:
        await services.cancel_consultation(actor_of(request), referral_id, consultation_id)
        return Redirect(f"/klinikk/henvisninger/{referral_id}#konsultasjoner", status_code=303)

    @post("/henvisninger/{referral_id:int}/avklaring", opt=TEAM)
    async def clarify(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.save_clarification(
                current_user(request), actor_of(request), referral_id, forms.clarification(data)
            )

        return await self._act(request, referral_id, "avklaring", data, action)

    @post("/henvisninger/{referral_id:int}/videre", opt=TEAM)
    async def onward(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.add_onward_referral(
                current_user(request), actor_of(request), referral_id, forms.onward(data)
            )

        return await self._act(request, referral_id, "videre", data, action)

    @post("/henvisninger/{referral_id:int}/rapport", opt=ASSESSORS)
    async def report(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        version = int(data["version"]) if str(data.get("version", "")).isdigit() else None

        async def action() -> None:
            await services.write_report(
                current_user(request), actor_of(request), referral_id, version
            )

        return await self._act(request, referral_id, "rapport", data, action)

    @post("/henvisninger/{referral_id:int}/ansvarlig", opt=COORDINATOR)
    async def assign(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        raw = str(data.get("staff_id", ""))

        async def action() -> None:
            await referrals.assign_responsible(
                actor_of(request),
                referral_id,
                int(raw) if raw.isdigit() and int(raw) <= MAX_DB_INT else None,
            )

        return await self._act(request, referral_id, "ansvarlig", data, action)

    @get("/oversikt")
    async def dashboard(self) -> Template:
        figures_now = await figures.dashboard()
        return Template(
            "clinic_track/dashboard.html",
            context={
                "d": figures_now,
                "status_chart": status_bars(figures_now.counts_by_status),
                "month_chart": month_bars(figures_now.referrals_per_month),
                "statuses": list(Status),
                "destinations": list(Destination),
            },
        )

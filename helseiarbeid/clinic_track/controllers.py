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
    ConsultationCancel,
    ConsultationCreate,
    ConsultationOut,
    Dashboard,
    Decision,
    Destination,
    ForwardRequest,
    OnwardReferralCreate,
    OnwardReferralOut,
    Outcome,
    OutcomeUpdate,
    Priority,
    Recommendation,
    ReportCreate,
    ResponsibleUpdate,
    TriageNoteCreate,
    TriageNoteOut,
    Worklist,
)
from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import users
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.errors import Conflict, InvalidInput
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import CLINIC_STAFF, TEAM_ROLES, Role
from helseiarbeid.core.schemas import MAX_DB_INT
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.web import (
    Offset,
    PathId,
    QueryId,
    actor_of,
    current_user,
    kept_form,
    pdf_response,
    require_confirmation,
)
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import (
    AccessReason,
    AccessReasonOut,
    Complaint,
    NavConsent,
    NavConsentChange,
    Urgency,
)
from helseiarbeid.referrals.status import AWAITING_ASSESSMENT, OPEN, Status

STAFF = allow(CLINIC_STAFF)
TEAM = allow(TEAM_ROLES)
# Health personnel and the coordinator: consent changes and reasons to open a case.
CLINICIANS = allow(Role.COORDINATOR, Role.PHYSICIAN, Role.PSYCHOLOGIST)
ASSESSORS = allow(Role.PHYSICIAN, Role.PSYCHOLOGIST)
COORDINATOR = allow(Role.COORDINATOR)
PAGE_SIZE = 50


CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _statistics(
    request: Request[Any, Any, Any], kind: figures.ExportFormat
) -> Response[bytes]:
    user = current_user(request)
    body = await figures.anonymised_export(
        actor_of(request), kind, await clinics.clinic_ids_of(user.id)
    )
    return Response(
        body,
        media_type=CSV_MEDIA_TYPE if kind is figures.ExportFormat.CSV else XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="helseiarbeid-statistikk.{kind.value}"'
        },
    )


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
            current_user(request),
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
    async def dashboard(self, request: Request[Any, Any, Any]) -> Dashboard:
        """The figures of the clinics you work for."""
        return await figures.dashboard(await clinics.clinic_ids_of(current_user(request).id))

    @get(
        "/clinic/statistics.csv",
        opt=allow(CLINIC_STAFF, Role.ADMIN),
        media_type=CSV_MEDIA_TYPE,
        responses=api_errors(403),
    )
    async def statistics_csv(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Anonymised counts per month and complaint, for the programme's evaluation: UTF-8
        with BOM, «;»-separated, decimal comma, Norwegian headings; counts 1–4 as «<5»."""
        return await _statistics(request, figures.ExportFormat.CSV)

    @get(
        "/clinic/statistics.xlsx",
        opt=allow(CLINIC_STAFF, Role.ADMIN),
        media_type=XLSX_MEDIA_TYPE,
        responses=api_errors(403),
    )
    async def statistics_xlsx(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The same anonymised statistics as an Excel workbook."""
        return await _statistics(request, figures.ExportFormat.XLSX)

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
        responses=api_errors(403, 404, 409, body=True),
    )
    async def cancel_consultation(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        consultation_id: PathId,
        data: JSONBody[ConsultationCancel],
    ) -> None:
        """Call off a consultation with a reason; stores a cancellation letter (avlysning)
        and marks the appointment letter cancelled. 409 once it has an outcome."""
        await services.cancel_consultation(
            current_user(request), actor_of(request), referral_id, consultation_id, data
        )

    @post(
        "/referrals/{referral_id:int}/consultations/{consultation_id:int}/outcome",
        opt=STAFF,
        status_code=204,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def consultation_outcome(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        consultation_id: PathId,
        data: JSONBody[OutcomeUpdate],
    ) -> None:
        """Record `held` or `not_attended` once the consultation has started (409 before)."""
        await services.record_outcome(
            current_user(request), actor_of(request), referral_id, consultation_id, data
        )

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
        """Write the report to the GP from what was recorded; completes the case.

        409 while any consultation has no outcome (held, not attended or cancelled)."""
        user, actor = current_user(request), actor_of(request)
        await services.write_report(
            user,
            actor,
            referral_id,
            data.version if data else None,
            data.draft if data else None,
        )
        _, recorded = await services.case(user, actor, referral_id)
        return recorded

    @post(
        "/referrals/{referral_id:int}/access-reason",
        opt=CLINICIANS,
        status_code=201,
        responses=api_errors(403, 404, body=True),
    )
    async def access_reason(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[AccessReason],
    ) -> AccessReasonOut:
        """Record a reason («tjenstlig behov») to open a case outside the team's open queue
        and your own cases; the case is open to you until ``expires_at`` (8 hours)."""
        expires_at = await referrals.record_reason(
            current_user(request), actor_of(request), referral_id, data.reason
        )
        return AccessReasonOut(referral_id=referral_id, expires_at=expires_at)

    @post(
        "/referrals/{referral_id:int}/nav-consent",
        opt=CLINICIANS,
        status_code=204,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def nav_consent(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[NavConsentChange],
    ) -> None:
        """Record that the patient withdrew (`withdrawn`) or gave again (`given`) the consent
        to NAV taking part, on `effective_on`. 409 when it already is in that state."""
        await referrals.change_consent(
            current_user(request),
            actor_of(request),
            referral_id,
            data.state,
            data.effective_on,
            data.note,
        )

    @post(
        "/referrals/{referral_id:int}/forward",
        opt=CLINICIANS,
        status_code=204,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def forward(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[ForwardRequest],
    ) -> None:
        """Forward an open referral to another clinic (`clinic`: its short name) with a
        `reason` of 10–500 characters, which the GP sees in the referral's history. After
        this the referral is the other clinic's: 404 here."""
        await referrals.forward(
            current_user(request),
            actor_of(request),
            referral_id,
            to_clinic=data.clinic,
            reason=data.reason,
        )

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
        await referrals.assign_responsible(
            current_user(request), actor_of(request), referral_id, data.staff_id
        )


def _case_context(
    user: CurrentUser,
    referral: Any,
    recorded: CaseOut,
    team: list[Any],
    forward_to: list[Any],
    *,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "referral": referral,
        "case": recorded,
        "team": team,
        "forward_to": [choice for choice in forward_to if choice.name != referral.clinic_name],
        "section": section,
        "errors": errors or {},
        "values": values or {},
        "recommendations": list(Recommendation),
        "decisions": list(Decision),
        "priorities": list(Priority),
        "destinations": services.onward_destinations(user),
        "recordable_outcomes": [Outcome.HELD, Outcome.NOT_ATTENDED],
        "now": utcnow(),
        "today": today_in_oslo(),
        "AWAITING": AWAITING_ASSESSMENT,
        "OPEN": OPEN,
    }


async def _report_preview(
    request: Request[Any, Any, Any], referral_id: int, *, errors: dict[str, str] | None = None
) -> Template:
    """The preview page (422 with ``errors`` when sending was refused), or the case page with
    the reason the report cannot be made yet."""
    user, actor = current_user(request), actor_of(request)
    try:
        draft = await services.draft_report(user, actor, referral_id)
    except (InvalidInput, Conflict) as exc:
        referral, recorded = await services.case(user, actor, referral_id)
        problems = exc.fields if isinstance(exc, InvalidInput) else {"form": exc.message}
        return Template(
            "clinic_track/case.html",
            context=_case_context(
                user,
                referral,
                recorded,
                await _team(user),
                await _forward_to(user),
                section="rapport",
                errors=problems,
            ),
            status_code=exc.status_code,
        )
    return Template(
        "clinic_track/report_preview.html",
        context={
            "referral": draft.referral,
            "case": draft.case,
            "draft": draft.fingerprint,
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


def _reason_page(
    referral_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    return Template(
        "clinic_track/reason.html",
        context={
            "referral_id": referral_id,
            "hours": int(referrals.REASONED_ACCESS.total_seconds() // 3600),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=422 if errors else 200,
    )


async def _team(user: CurrentUser) -> list[Any]:
    """The staff of the clinics ``user`` works for (issue 15): whom they may book or make
    responsible; nobody of another clinic is listed."""
    colleagues = await clinics.colleague_ids(user.id)
    return [
        person
        for person in await users.list_users()
        if person.role in CLINIC_STAFF and person.id in colleagues
    ]


async def _forward_to(user: CurrentUser) -> list[Any]:
    """The clinics a case can be forwarded to (all; the template leaves out its own)."""
    return await clinics.choices()


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
            current_user(request),
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
                "team": await _team(current_user(request)),
            },
        )

    @get("/henvisninger/{referral_id:int}")
    async def case_page(
        self, request: Request[Any, Any, Any], referral_id: PathId
    ) -> Template | Redirect:
        """The case; a clinician outside the open queue and their cases is sent to the page
        that asks for the reason first."""
        user = current_user(request)
        try:
            referral, recorded = await services.case(user, actor_of(request), referral_id)
        except referrals.ReasonNeeded:
            return Redirect(f"/klinikk/henvisninger/{referral_id}/tilgang", status_code=303)
        kept = await kept_form(request)  # a form posted here just after the session expired
        return Template(
            "clinic_track/case.html",
            context=_case_context(
                user,
                referral,
                recorded,
                await _team(user),
                await _forward_to(user),
                section=kept.section if kept else None,
                values=kept.fields if kept else None,
            ),
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
                    await _team(user),
                    await _forward_to(user),
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
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.cancel_consultation(
                current_user(request),
                actor_of(request),
                referral_id,
                consultation_id,
                forms.cancellation(data),
            )

        form = {**data, "consultation_id": consultation_id}
        return await self._act(request, referral_id, "konsultasjoner", form, action)

    @post("/henvisninger/{referral_id:int}/konsultasjoner/{consultation_id:int}/utfall")
    async def outcome(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        consultation_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        async def action() -> None:
            await services.record_outcome(
                current_user(request),
                actor_of(request),
                referral_id,
                consultation_id,
                forms.outcome(data),
            )

        form = {**data, "consultation_id": consultation_id}
        return await self._act(request, referral_id, "konsultasjoner", form, action)

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

    @get("/henvisninger/{referral_id:int}/rapport", opt=ASSESSORS)
    async def report_preview(
        self, request: Request[Any, Any, Any], referral_id: PathId
    ) -> Template:
        """The report as it would be sent, with «Send rapporten» to confirm; nothing is
        stored or sent until then. A case that is not ready shows the case page's reason."""
        return await _report_preview(request, referral_id)

    @get(
        "/henvisninger/{referral_id:int}/rapport/utkast.pdf",
        opt=ASSESSORS,
        media_type="application/pdf",
    )
    async def report_draft_pdf(
        self, request: Request[Any, Any, Any], referral_id: PathId
    ) -> Response[bytes]:
        draft = await services.draft_report(current_user(request), actor_of(request), referral_id)
        return pdf_response(draft.pdf, f"utkast-rapport-{draft.referral.reference}.pdf")

    @post("/henvisninger/{referral_id:int}/rapport", opt=ASSESSORS)
    async def report(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        """«Send rapporten» from the preview: sent only if the case is still as previewed and
        the confirmation box is ticked (else the preview again, 422)."""
        version = int(data["version"]) if str(data.get("version", "")).isdigit() else None
        draft = str(data.get("draft", ""))[:64] or None
        try:
            require_confirmation(data, "Kryss av for å bekrefte at rapporten skal sendes.")
        except InvalidInput as exc:
            return await _report_preview(request, referral_id, errors=exc.fields)

        async def action() -> None:
            await services.write_report(
                current_user(request), actor_of(request), referral_id, version, draft
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
                current_user(request),
                actor_of(request),
                referral_id,
                int(raw) if raw.isdigit() and int(raw) <= MAX_DB_INT else None,
            )

        return await self._act(request, referral_id, "ansvarlig", data, action)

    @get("/henvisninger/{referral_id:int}/tilgang", opt=CLINICIANS)
    async def reason_page(self, request: Request[Any, Any, Any], referral_id: PathId) -> Template:
        """Asks for the reason («tjenstlig behov») to open a case outside the open queue
        (404 for another clinic's case)."""
        await referrals.require_visible(current_user(request), actor_of(request), referral_id)
        return _reason_page(referral_id)

    @post("/henvisninger/{referral_id:int}/tilgang", opt=CLINICIANS)
    async def give_reason(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        try:
            await referrals.record_reason(
                current_user(request), actor_of(request), referral_id, str(data.get("reason", ""))
            )
        except InvalidInput as exc:
            return _reason_page(referral_id, errors=exc.fields, values=data)
        return Redirect(f"/klinikk/henvisninger/{referral_id}", status_code=303)

    @post("/henvisninger/{referral_id:int}/samtykke", opt=CLINICIANS)
    async def consent(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        """Withdrawal (confirmed with its box) or renewed consent to NAV taking part."""

        async def action() -> None:
            change = forms.nav_consent(data)
            if change.state is NavConsent.WITHDRAWN:
                require_confirmation(
                    data, "Kryss av for å bekrefte at samtykket er trukket tilbake."
                )
            await referrals.change_consent(
                current_user(request),
                actor_of(request),
                referral_id,
                change.state,
                change.effective_on,
                change.note,
            )

        return await self._act(request, referral_id, "samtykke", data, action)

    @post("/henvisninger/{referral_id:int}/videresend", opt=CLINICIANS)
    async def forward(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, Any]],
    ) -> Template | Redirect:
        """Forward the case to another clinic (issue 15 §2); the case then leaves this
        clinic's worklist, so the answer goes back to the worklist."""
        forwarded: list[str] = []

        async def action() -> None:
            forwarded.append(
                await referrals.forward(
                    current_user(request),
                    actor_of(request),
                    referral_id,
                    to_clinic=str(data.get("clinic", "")),
                    reason=str(data.get("reason", "")),
                )
            )

        answer = await self._act(request, referral_id, "videresend", data, action)
        if forwarded:
            # A fixed notice: a name from the query string would let a link put any text there.
            return Redirect("/klinikk/arbeidsliste?videresendt=1", status_code=303)
        return answer

    @get("/oversikt")
    async def dashboard(self, request: Request[Any, Any, Any]) -> Template:
        figures_now = await figures.dashboard(await clinics.clinic_ids_of(current_user(request).id))
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

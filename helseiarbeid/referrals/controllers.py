"""Referral routes: the JSON API for GP systems and the GP's web pages."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import (
    FromQuery,
    HeaderParameter,
    JSONBody,
    QueryParameter,
    URLEncodedBody,
)
from litestar.response import Redirect, Template

from helseiarbeid.clinics import services as clinics
from helseiarbeid.core import audit
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors, helseid_allowed
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.policy import allow, needs_scope
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.core.web import (
    Offset,
    PathId,
    actor_of,
    current_user,
    kept_form,
    pdf_response,
    require_confirmation,
)
from helseiarbeid.referrals import forms, services
from helseiarbeid.referrals.schemas import (
    Complaint,
    InformationAnswer,
    ReferralCreate,
    ReferralOut,
    ReferralPage,
    ReferralReceipt,
    Urgency,
    WithdrawRequest,
    WorkStatus,
)
from helseiarbeid.referrals.status import Status

GP_ONLY = allow(Role.GP)
READERS = allow(Role.GP, CLINIC_STAFF)
# The same, for the JSON API: the scope a HelseID access token must grant.
API_SUBMIT = GP_ONLY | needs_scope("referrals.write")
API_READERS = READERS | needs_scope("referrals.read")
SUBMIT_SECURITY = helseid_allowed("referrals.write")
READ_SECURITY = helseid_allowed("referrals.read")
PAGE_SIZE = 25
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", max_length=200, pattern=r"^[\x21-\x7e]+$"),
]


async def _receipt_pdf(referral: ReferralOut) -> bytes:
    return await render_pdf("referrals/receipt_pdf.html", {"referral": referral})


class ReferralApiController(Controller):
    path = "/api/v1/referrals"
    tags = ("referrals",)
    security = BEARER_REQUIRED

    @post(
        "/",
        opt=API_SUBMIT,
        security=SUBMIT_SECURITY,
        status_code=201,
        responses=api_errors(403, 409, body=True),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ReferralCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ReferralReceipt]:
        """Submit a referral. Retrying with the same Idempotency-Key returns the first answer.

        Answers with the stored JSON bytes, so a replay is byte-for-byte the first answer.
        """
        submission = await services.submit(
            current_user(request),
            data,
            key=idempotency_key,
            source="api",
            actor=actor_of(request),
        )
        headers = {"Location": f"/api/v1/referrals/{submission.receipt.id}"}
        if submission.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            submission.body,  # type: ignore[arg-type]
            status_code=201,
            media_type=MediaType.JSON,
            headers=headers,
        )

    @get("/", opt=API_READERS, security=READ_SECURITY, responses=api_errors(403, 422))
    async def index(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[Status | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Offset = 0,
    ) -> ReferralPage:
        """GPs see their own referrals; clinic staff see all."""
        return await services.list_referrals(
            current_user(request), actor_of(request), status=status, limit=limit, offset=offset
        )

    @get(
        "/{referral_id:int}",
        opt=API_READERS,
        security=READ_SECURITY,
        responses=api_errors(403, 404, 422),
    )
    async def show(self, request: Request[Any, Any, Any], referral_id: PathId) -> ReferralOut:
        return await services.get_referral(current_user(request), actor_of(request), referral_id)

    @get(
        "/{referral_id:int}/receipt.pdf",
        opt=API_READERS,
        security=READ_SECURITY,
        media_type="application/pdf",
        responses=api_errors(403, 404, 422),
    )
    async def receipt_pdf(
        self, request: Request[Any, Any, Any], referral_id: PathId
    ) -> Response[bytes]:
        referral = await services.get_referral(
            current_user(request), actor_of(request), referral_id
        )
        return pdf_response(await _receipt_pdf(referral), f"kvittering-{referral.reference}.pdf")

    @get(
        "/{referral_id:int}/report.pdf",
        opt=API_READERS,
        security=READ_SECURITY,
        media_type="application/pdf",
        responses=api_errors(403, 404, 422),
    )
    async def report_pdf(
        self, request: Request[Any, Any, Any], referral_id: PathId
    ) -> Response[bytes]:
        """The report to the GP exactly as it was sent (404 until the team has written it)."""
        info, content = await services.open_document(
            current_user(request), actor_of(request), referral_id, kind="report"
        )
        return pdf_response(content, info.file_name)

    @get(
        "/{referral_id:int}/documents/{document_id:int}",
        opt=API_READERS,
        security=READ_SECURITY,
        media_type="application/pdf",
        responses=api_errors(403, 404, 422),
    )
    async def document(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        document_id: PathId,
    ) -> Response[bytes]:
        """A stored letter or report of the referral, as sent."""
        info, content = await services.open_document(
            current_user(request), actor_of(request), referral_id, document_id=document_id
        )
        return pdf_response(content, info.file_name)

    @post(
        "/{referral_id:int}/information",
        opt=GP_ONLY,
        status_code=204,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def answer_information(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[InformationAnswer],
    ) -> None:
        """The GP answers the team's request for more information."""
        await services.answer_information(
            current_user(request), actor_of(request), referral_id, data.answer
        )

    @post(
        "/{referral_id:int}/withdraw",
        opt=GP_ONLY,
        status_code=200,
        responses=api_errors(403, 404, 409, body=True),
    )
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: JSONBody[WithdrawRequest],
    ) -> ReferralOut:
        """The referring GP withdraws a referral that is still `received`."""
        user, actor = current_user(request), actor_of(request)
        await services.withdraw(user, actor, referral_id, data.reason)
        return await services.get_referral(user, actor, referral_id)


async def start_page_facts(user: CurrentUser) -> dict[str, Any]:
    """For the GP's start page: how many referrals wait for the GP's answer."""
    if user.role is not Role.GP:
        return {}
    return {"waiting_for_answer": await services.count_waiting_for_answer(user)}


async def _form_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    choices = await clinics.choices()
    return {
        # The clinic is asked for only where there is more than one (issue 15 §2).
        "clinics": [{"value": "", "label": "Klinikken som dekker pasientens kommune"}]
        + [{"value": choice.slug, "label": choice.name} for choice in choices]
        if len(choices) > 1
        else [],
        "values": values,
        "errors": errors,
        "work_statuses": list(WorkStatus),
        "complaints": list(Complaint),
        "urgencies": list(Urgency),
        "today": today_in_oslo(),
    }


class ReferralPageController(Controller):
    """The GP's pages: the form, the receipt, and "Mine henvisninger"."""

    path = "/henvisninger"
    include_in_schema = False
    opt = GP_ONLY

    @get("/ny")
    async def new_form(self, request: Request[Any, Any, Any]) -> Template:
        kept = await kept_form(request)
        values = kept.fields if kept else {"submission_key": uuid.uuid4().hex, "urgency": "routine"}
        return Template("referrals/form.html", context=await _form_context(values, {}))

    @post("/ny")
    async def submit_form(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        referral, problems = forms.parse(data)
        problems = {**services.validate(referral, today_in_oslo()), **problems}
        try:
            await clinics.route_referral(referral.clinic, referral.patient.municipality)
        except InvalidInput as routing:
            problems = {**routing.fields, **problems}
        key = (data.get("submission_key") or "")[:200] or None
        if not problems:
            try:
                submission = await services.submit(
                    current_user(request), referral, key=key, source="web"
                )
            except InvalidInput as exc:
                problems = exc.fields
            else:
                return Redirect(
                    f"/henvisninger/{submission.receipt.id}/kvittering", status_code=303
                )
        return Template(
            "referrals/form.html", context=await _form_context(data, problems), status_code=422
        )

    @get("/{referral_id:int}/kvittering")
    async def receipt(self, request: Request[Any, Any, Any], referral_id: PathId) -> Template:
        referral = await services.get_referral(
            current_user(request), actor_of(request), referral_id
        )
        return Template("referrals/receipt.html", context={"referral": referral})

    @get("/{referral_id:int}/kvittering.pdf")
    async def receipt_pdf(
        self, request: Request[Any, Any, Any], referral_id: PathId
    ) -> Response[bytes]:
        referral = await services.get_referral(
            current_user(request), actor_of(request), referral_id
        )
        return pdf_response(await _receipt_pdf(referral), f"kvittering-{referral.reference}.pdf")

    @get("/")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[Status | None] = None,
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        listing = await services.list_referrals(
            current_user(request),
            actor_of(request),
            status=status,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        reports = {
            document.referral_id: document.id
            for document in await services.list_documents([item.id for item in listing.items])
            if document.kind == "report"
        }
        return Template(
            "referrals/mine.html",
            context={
                "listing": listing,
                "reports": reports,
                "status": status,
                "statuses": list(Status),
                "page": page,
                "has_next": page * PAGE_SIZE < listing.total,
            },
        )

    @get("/{referral_id:int}")
    async def detail(self, request: Request[Any, Any, Any], referral_id: PathId) -> Template:
        return await _detail_page(request, referral_id)

    @get("/{referral_id:int}/dokumenter/{document_id:int}")
    async def document(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        document_id: PathId,
    ) -> Response[bytes]:
        info, content = await services.open_document(
            current_user(request), actor_of(request), referral_id, document_id=document_id
        )
        return pdf_response(content, info.file_name)

    @post("/{referral_id:int}/svar")
    async def answer(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, str]],
    ) -> Redirect:
        await services.answer_information(
            current_user(request), actor_of(request), referral_id, data.get("answer", "")
        )
        return Redirect(f"/henvisninger/{referral_id}?svart=1", status_code=303)

    @post("/{referral_id:int}/trekk-tilbake")
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        referral_id: PathId,
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        try:
            require_confirmation(data, "Kryss av for å bekrefte at henvisningen skal trekkes.")
            await services.withdraw(
                current_user(request), actor_of(request), referral_id, data.get("reason", "")
            )
        except InvalidInput as exc:
            return await _detail_page(request, referral_id, errors=exc.fields, values=data)
        return Redirect(f"/henvisninger/{referral_id}?trukket=1", status_code=303)


async def _detail_page(
    request: Request[Any, Any, Any],
    referral_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    """The GP's page of one referral; with ``errors``, the withdrawal form as typed (422)."""
    referral = await services.get_referral(current_user(request), actor_of(request), referral_id)
    return Template(
        "referrals/detail.html",
        context={
            "referral": referral,
            "documents": await services.list_documents([referral_id]),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=422 if errors else 200,
    )


class PatientLookupController(Controller):
    """The privacy officer's per-patient access report ("who has seen my data",
    pasientjournalloven § 22), found by national ID.

    The national ID travels in a POST body, never in a URL; the report's URL has the
    internal patient id only. The report lives here, not in core's admin pages, because it
    names the patient, and names are kept on referrals.
    """

    include_in_schema = False
    opt = allow(Role.ADMIN)

    @post("/admin/audit/patient-lookup")
    async def lookup(self, data: URLEncodedBody[dict[str, str]]) -> Redirect:
        patient_id = await services.find_patient_id(data.get("national_id", ""))
        return Redirect(f"/admin/audit/patients/{patient_id}", status_code=303)

    @get("/admin/audit/patients/{patient_id:int}")
    async def report(self, request: Request[Any, Any, Any], patient_id: PathId) -> Template:
        patient = await services.patient_identity(actor_of(request), patient_id)
        summaries = await audit.patient_report(patient_id, actor_of(request))
        return Template(
            "admin/patient_report.html", context={"patient": patient, "summaries": summaries}
        )

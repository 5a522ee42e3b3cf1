"""The administrator's pages for clinics (issue 15 §4): clinics, their HER-ids, the
municipalities they serve and their members, and new users with their clinics. Every change
goes through ``clinics.services`` (audited); a refused one shows the page again with the
message beside the field (422)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.clinics import services
from helseiarbeid.clinics.schemas import ClinicChoice
from helseiarbeid.core import users
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors, helseid_allowed
from helseiarbeid.core.policy import allow, needs_scope
from helseiarbeid.core.roles import CLINIC_STAFF, HEALTH_PERSONNEL_ROLES, Role
from helseiarbeid.core.schemas import MAX_DB_INT
from helseiarbeid.core.web import actor_of

ADMIN_ONLY = allow(Role.ADMIN)
Slug = Annotated[str, PathParameter(max_length=40)]
# Roles an administrator gives on the page (the messaging system account: CLI only).
PAGE_ROLES = [role for role in Role if role is not Role.MESSAGING]


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value[0] if isinstance(value, list) else value)


def _list(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name, [])
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _user_id(form: dict[str, Any]) -> int:
    raw = _text(form, "member").strip()
    if not raw.isdigit() or int(raw) > MAX_DB_INT:
        raise InvalidInput({"member": "Velg en bruker fra listen."})
    return int(raw)


class ClinicDirectoryController(Controller):
    """The clinics a referral can go to, for a GP's record system choosing one (``clinic`` on
    POST /api/v1/referrals)."""

    path = "/api/v1/clinics"
    tags = ("referrals",)
    security = BEARER_REQUIRED

    @get(
        "/",
        opt=allow(Role.GP, CLINIC_STAFF) | needs_scope("referrals.read"),
        security=helseid_allowed("referrals.read"),
        responses=api_errors(403),
    )
    async def index(self) -> list[ClinicChoice]:
        """Every clinic by name, with the short name to give as ``clinic`` on a referral.
        Without it a referral goes to the clinic serving ``patient.municipality``."""
        return await services.choices()


class ClinicAdminController(Controller):
    path = "/admin"
    include_in_schema = False
    opt = ADMIN_ONLY

    @get("/klinikker")
    async def list_page(self) -> Template:
        return await _list_page()

    @post("/klinikker")
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        try:
            await services.create_clinic(
                actor_of(request),
                name=_text(data, "name"),
                slug=_text(data, "slug"),
                opening_hours=_text(data, "opening_hours"),
            )
        except InvalidInput as exc:
            return await _list_page(errors=exc.fields, values=data)
        slug = _text(data, "slug").strip().lower()
        return Redirect(f"/admin/klinikker/{slug}?lagret=1", status_code=303)

    @get("/klinikker/{slug:str}")
    async def clinic_page(self, slug: Slug) -> Template:
        return await _clinic_page(slug)

    async def _change(
        self, slug: str, section: str, form: dict[str, Any], change: Callable[[], Awaitable[Any]]
    ) -> Template | Redirect:
        try:
            await change()
        except InvalidInput as exc:
            return await _clinic_page(slug, section=section, errors=exc.fields, values=form)
        return Redirect(f"/admin/klinikker/{slug}?lagret=1#{section}", status_code=303)

    @post("/klinikker/{slug:str}/endre")
    async def update(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        return await self._change(
            slug,
            "om",
            data,
            lambda: services.update_clinic(
                actor_of(request),
                slug,
                name=_text(data, "name"),
                opening_hours=_text(data, "opening_hours"),
            ),
        )

    @post("/klinikker/{slug:str}/her-id")
    async def add_her_id(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        return await self._change(
            slug,
            "her-id",
            data,
            lambda: services.add_her_id(actor_of(request), slug, _text(data, "her_id")),
        )

    @post("/klinikker/{slug:str}/her-id/fjern")
    async def remove_her_id(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        return await self._change(
            slug,
            "her-id",
            data,
            lambda: services.remove_her_id(actor_of(request), slug, _text(data, "her_id")),
        )

    @post("/klinikker/{slug:str}/kommuner")
    async def add_municipality(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        return await self._change(
            slug,
            "kommuner",
            data,
            lambda: services.add_municipality(
                actor_of(request),
                slug,
                number=_text(data, "number"),
                name=_text(data, "municipality_name"),
            ),
        )

    @post("/klinikker/{slug:str}/kommuner/fjern")
    async def remove_municipality(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        return await self._change(
            slug,
            "kommuner",
            data,
            lambda: services.remove_municipality(actor_of(request), slug, _text(data, "number")),
        )

    @post("/klinikker/{slug:str}/medlemmer")
    async def add_member(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        async def change() -> None:
            await services.add_member(actor_of(request), slug, _user_id(data))

        return await self._change(slug, "medlemmer", data, change)

    @post("/klinikker/{slug:str}/medlemmer/fjern")
    async def remove_member(
        self, request: Request[Any, Any, Any], slug: Slug, data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        async def change() -> None:
            await services.remove_member(actor_of(request), slug, _user_id(data))

        return await self._change(slug, "medlemmer", data, change)

    @get("/users/ny")
    async def new_user_page(self) -> Template:
        return await _user_page()

    @post("/users/ny")
    async def create_user(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, Any]]
    ) -> Template | Redirect:
        try:
            await services.create_staff_user(
                actor_of(request),
                name=_text(data, "name"),
                email=_text(data, "email"),
                role=_text(data, "role"),
                clinic_slugs=_list(data, "clinics"),
                hpr_number=_text(data, "hpr").strip() or None,
                workplace_name=_text(data, "workplace"),
                password=_text(data, "password") or None,
            )
        except InvalidInput as exc:
            return await _user_page(errors=exc.fields, values=data)
        return Redirect("/admin/users?opprettet=1", status_code=303)


async def _list_page(
    *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None
) -> Template:
    return Template(
        "clinics/list.html",
        context={
            "clinics": await services.list_clinics(),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=422 if errors else 200,
    )


async def _clinic_page(
    slug: str,
    *,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    clinic = await services.get_clinic(slug)  # NotFound: 404
    members = {member.user_id for member in clinic.members}
    candidates = [
        user
        for user in await users.list_users()
        if user.role in CLINIC_STAFF and user.id not in members
    ]
    return Template(
        "clinics/clinic.html",
        context={
            "clinic": clinic,
            "candidates": candidates,
            "section": section,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=422 if errors else 200,
    )


async def _user_page(
    *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None
) -> Template:
    return Template(
        "clinics/new_user.html",
        context={
            "roles": PAGE_ROLES,
            "health_roles": [role.value for role in HEALTH_PERSONNEL_ROLES],
            "clinics": await services.choices(),
            "errors": errors or {},
            "values": values or {},
            "chosen": set(_list(values or {}, "clinics")),
        },
        status_code=422 if errors else 200,
    )

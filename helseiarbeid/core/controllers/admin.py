"""Administration for the privacy officer: the access log, per-patient reports, users, tokens."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from helseiarbeid.core import audit, tokens, totp, users
from helseiarbeid.core.audit import AuditAction, AuditFilter
from helseiarbeid.core.clock import oslo_midnight, utcnow
from helseiarbeid.core.errors import InvalidInput
from helseiarbeid.core.openapi import BEARER_REQUIRED, api_errors
from helseiarbeid.core.policy import allow
from helseiarbeid.core.roles import Role
from helseiarbeid.core.schemas import AuditEventOut, AuditPage
from helseiarbeid.core.web import (
    CONFIRM_FIELD,
    Offset,
    PathId,
    QueryId,
    actor_of,
    require_confirmation,
)
from helseiarbeid.settings import get_settings

PAGE_SIZE = 50
ADMIN_ONLY = allow(Role.ADMIN)


def _oslo_midnight(day: date | None) -> datetime | None:
    return oslo_midnight(day) if day else None


def _filters(
    actor: int | None,
    action: AuditAction | None,
    patient: int | None,
    referral: int | None,
    date_from: date | None,
    date_to: date | None,
) -> AuditFilter:
    date_from, date_to = (
        min(day, date(2999, 12, 31)) if day else None for day in (date_from, date_to)
    )
    return AuditFilter(
        actor_id=actor,
        action=action,
        patient_id=patient,
        referral_id=referral,
        since=_oslo_midnight(date_from),
        until=_oslo_midnight(date_to + timedelta(days=1) if date_to else None),
    )


class AdminController(Controller):
    opt = ADMIN_ONLY

    @get("/admin/audit", include_in_schema=False)
    async def audit_page(
        self,
        actor: QueryId = None,
        action: FromQuery[AuditAction | None] = None,
        patient: QueryId = None,
        referral: QueryId = None,
        date_from: Annotated[date | None, QueryParameter(name="from")] = None,
        date_to: Annotated[date | None, QueryParameter(name="to")] = None,
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    ) -> Template:
        filters = _filters(actor, action, patient, referral, date_from, date_to)
        rows = await audit.search(filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        query = {
            "actor": actor or "",
            "action": action.value if action else "",
            "patient": patient or "",
            "referral": referral or "",
            "from": date_from.isoformat() if date_from else "",
            "to": date_to.isoformat() if date_to else "",
        }
        return Template(
            "admin/audit.html",
            context={
                "rows": rows[:PAGE_SIZE],
                "has_next": len(rows) > PAGE_SIZE,
                "page": page,
                "query": query,
                "actions": list(AuditAction),
                "users": await users.list_users(),
            },
        )

    @get("/admin/users", include_in_schema=False)
    async def users_page(self) -> Template:
        return await self._users_page()

    async def _users_page(self, errors: dict[str, str] | None = None) -> Template:
        """The users and tokens; ``errors`` by box (``totrinn-<user id>``, ``nokkel-<token
        id>``) when a destructive step came without its confirmation (422)."""
        return Template(
            "admin/users.html",
            context={
                "users": await users.list_users(),
                "enrolled": await totp.enrolled_users(),
                "required_roles": {role.value for role in totp.REQUIRED_ROLES},
                "tokens": await tokens.list_api_tokens(),
                "now": utcnow(),
                "token_max_days": get_settings().api_token_max_days,
                "token_grace_days": get_settings().api_token_rotation_grace_days,
                "errors": errors or {},
            },
            status_code=422 if errors else 200,
        )

    @post("/admin/users/{user_id:int}/totrinn/nullstill", include_in_schema=False)
    async def reset_second_factor(
        self,
        request: Request[Any, Any, Any],
        user_id: PathId,
        data: URLEncodedBody[dict[str, str]],
    ) -> Redirect | Template:
        """A user lost the phone: remove the authenticator and recovery codes (audited); the
        user sets up a new one at the next login. Needs its confirmation box ticked."""
        try:
            require_confirmation(
                data, "Kryss av for å bekrefte at totrinnsinnloggingen skal nullstilles."
            )
        except InvalidInput as exc:
            return await self._users_page({f"totrinn-{user_id}": exc.fields[CONFIRM_FIELD]})
        await totp.reset(user_id, actor_of(request))
        return Redirect("/admin/users?reset=1", status_code=303)

    @post("/admin/tokens/{token_id:int}/revoke", include_in_schema=False)
    async def revoke_token(
        self, token_id: PathId, data: URLEncodedBody[dict[str, str]]
    ) -> Redirect | Template:
        try:
            require_confirmation(data, "Kryss av for å bekrefte at nøkkelen skal trekkes tilbake.")
        except InvalidInput as exc:
            return await self._users_page({f"nokkel-{token_id}": exc.fields[CONFIRM_FIELD]})
        await tokens.revoke_api_token(token_id)
        return Redirect("/admin/users?revoked=1", status_code=303)

    @delete(
        "/api/v1/tokens/{token_id:int}",
        tags=["identity"],
        status_code=204,
        security=BEARER_REQUIRED,
        responses=api_errors(403, 404, 422),
    )
    async def revoke_token_api(self, token_id: PathId) -> None:
        await tokens.revoke_api_token(token_id)

    @get(
        "/api/v1/audit-events",
        tags=["audit"],
        security=BEARER_REQUIRED,
        responses=api_errors(403, 422),
    )
    async def audit_events(
        self,
        actor: QueryId = None,
        action: FromQuery[AuditAction | None] = None,
        patient: QueryId = None,
        referral: QueryId = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = PAGE_SIZE,
        offset: Offset = 0,
    ) -> AuditPage:
        filters = _filters(actor, action, patient, referral, None, None)
        rows = await audit.search(filters, limit=limit, offset=offset)
        return AuditPage(
            items=[AuditEventOut(**row.__dict__) for row in rows], limit=limit, offset=offset
        )

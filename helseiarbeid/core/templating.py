"""Jinja2 set-up: one environment over every domain's templates, Norwegian filters, menus."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from helseiarbeid.core import labels, small_counts
from helseiarbeid.core.roles import CLINIC_STAFF, Role
from helseiarbeid.core.timefmt import format_date, format_datetime, format_number
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.settings import get_settings

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRECTORIES = [
    PACKAGE_ROOT / "core" / "templates",
    PACKAGE_ROOT / "clinics" / "templates",
    PACKAGE_ROOT / "referrals" / "templates",
    PACKAGE_ROOT / "clinic_track" / "templates",
    PACKAGE_ROOT / "company_track" / "templates",
    PACKAGE_ROOT / "calendar_feeds" / "templates",
    PACKAGE_ROOT / "surveys" / "templates",
    PACKAGE_ROOT / "messaging" / "templates",
    PACKAGE_ROOT / "statistics" / "templates",
    PACKAGE_ROOT / "regions" / "templates",
]


@dataclass(frozen=True)
class MenuItem:
    label: str
    href: str
    roles: frozenset[Role]


# The navigation for each role. Domains add their entries here as their pages land.
MENU: tuple[MenuItem, ...] = (
    MenuItem("Start", "/", frozenset(Role)),
    MenuItem("Ny henvisning", "/henvisninger/ny", frozenset({Role.GP})),
    MenuItem("Mine henvisninger", "/henvisninger", frozenset({Role.GP})),
    MenuItem("Arbeidsliste", "/klinikk/arbeidsliste", CLINIC_STAFF),
    MenuItem("Oversikt", "/klinikk/oversikt", CLINIC_STAFF),
    MenuItem("Vårt program", "/bedrift", frozenset({Role.ENTERPRISE_CONTACT})),
    MenuItem("Virksomheter", "/bedrifter", CLINIC_STAFF | {Role.ADMIN}),
    MenuItem("Planlegging", "/planlegging", frozenset({Role.COORDINATOR})),
    MenuItem("Utsendinger", "/utsendinger", frozenset({Role.COORDINATOR, Role.ADMIN})),
    MenuItem("Meldinger", "/meldinger", frozenset({Role.COORDINATOR, Role.ADMIN})),
    MenuItem("Kalender", "/kalender", CLINIC_STAFF | {Role.ENTERPRISE_CONTACT}),
    MenuItem("Statistikk", "/statistikk", frozenset({Role.STATISTICS, Role.ADMIN})),
    MenuItem("Regioner", "/admin/regioner", frozenset({Role.ADMIN})),
    MenuItem("Brukere", "/admin/users", frozenset({Role.ADMIN})),
    MenuItem("Klinikker", "/admin/klinikker", frozenset({Role.ADMIN})),
    MenuItem("Tilgangslogg", "/admin/audit", frozenset({Role.ADMIN})),
)


def menu_for(user: CurrentUser | None) -> list[MenuItem]:
    if user is None:
        return []
    return [item for item in MENU if user.role in item.roles]


def register_filters(environment: Environment) -> None:
    """Filters and globals every template may use, in pages and in PDFs alike."""
    environment.filters["date_no"] = format_date
    environment.filters["datetime_no"] = format_datetime
    environment.filters["number_no"] = format_number
    environment.filters["small_count"] = small_counts.shown_text
    environment.filters["role_label"] = labels.role_label
    environment.filters["action_label"] = labels.action_label
    environment.filters["resource_label"] = labels.resource_label
    environment.filters["purpose_label"] = labels.purpose_label
    environment.globals["clinic_staff"] = CLINIC_STAFF
    # Shown beside an urgent referral's internal target (settings are read once per process).
    environment.globals["urgent_assessment_days"] = get_settings().urgent_assessment_days
    environment.globals["Role"] = Role
    environment.globals["small_count_rule"] = small_counts.RULE


def _configure(engine: JinjaTemplateEngine) -> None:
    register_filters(engine.engine)
    engine.engine.globals["menu_for"] = menu_for
    engine.engine.globals["session_idle_minutes"] = get_settings().session_idle_minutes


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(
        directory=[path for path in TEMPLATE_DIRECTORIES if path.is_dir()],
        engine=JinjaTemplateEngine,
        engine_callback=_configure,
    )

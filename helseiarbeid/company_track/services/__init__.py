"""Company-track rules: enterprises, their programme, sessions and records.

Every rule a booking breaks is refused with a message naming the rule. Facilitators are booked
through the shared busy-time ledger, with travel time around each on-site session. This track
holds no individual health data.
"""

from __future__ import annotations

from helseiarbeid.company_track.services._common import (
    ACTIVE_STATES,
    COMPANY_SESSION,
    HEALTH_FACILITATORS,
)
from helseiarbeid.company_track.services.calendar import (
    ICAL_STATUS,
    WHAT_IT_IS,
    WHO_ATTENDS,
    calendar_changed_since,
    calendar_items,
    session_for_calendar,
)
from helseiarbeid.company_track.services.completion import (
    CompletionCheck,
    Finding,
    completion_findings,
    register_completion_check,
)
from helseiarbeid.company_track.services.documents import programme_document
from helseiarbeid.company_track.services.enterprises import (
    add_contact,
    create_enterprise,
    create_service_area,
    get_enterprise,
    list_enterprises,
    list_service_areas,
)
from helseiarbeid.company_track.services.evaluation import (
    EvaluationReport,
    PlanPart,
    ReportSection,
    ReportSectionSource,
    evaluation_report,
    held_parts,
    plan_parts,
    register_report_section,
)
from helseiarbeid.company_track.services.notifications import SUBJECTS, Notice
from helseiarbeid.company_track.services.planning import (
    NEXT_STEP,
    Load,
    TimelineItem,
    TimelineRow,
    planning,
    team_for_booking,
)
from helseiarbeid.company_track.services.programmes import (
    cancel_programme,
    derive_status,
    get_programme,
    lock_open_programme,
    request_programme,
)
from helseiarbeid.company_track.services.records import (
    add_goal,
    record_anchoring,
    record_attendance,
    record_evaluation,
)
from helseiarbeid.company_track.services.scope import (
    EnterpriseScope,
    check_enterprise_access,
    enterprise_of,
    enterprise_scope,
)
from helseiarbeid.company_track.services.session_rules import (
    MEETING_MINUTES,
    MODULE_MINUTES,
    Proposed,
    add_session,
    add_sessions,
    cancel_session,
    confirm_session,
    reschedule_session,
    session_row,
)
from helseiarbeid.company_track.services.sick_leave import (
    MASK_RULE,
    Figures,
    ImportErrors,
    Quarter,
    Series,
    enterprise_figures,
    import_figures,
    percentage,
    record_figure,
)
from helseiarbeid.company_track.services.slots import (
    BOOKING_WEEKS,
    SLOT_STARTS,
    SLOT_WEEKS,
    SlotWeek,
    slot_week,
    slots,
)
from helseiarbeid.company_track.services.statistics import (
    IA_GOAL_PERCENT,
    RegionMonth,
    RegionOutcome,
    region_months,
    sick_leave_outcomes,
)

__all__ = [
    "ACTIVE_STATES",
    "BOOKING_WEEKS",
    "COMPANY_SESSION",
    "HEALTH_FACILITATORS",
    "IA_GOAL_PERCENT",
    "ICAL_STATUS",
    "MASK_RULE",
    "MEETING_MINUTES",
    "MODULE_MINUTES",
    "NEXT_STEP",
    "SLOT_STARTS",
    "SLOT_WEEKS",
    "SUBJECTS",
    "WHAT_IT_IS",
    "WHO_ATTENDS",
    "CompletionCheck",
    "EnterpriseScope",
    "EvaluationReport",
    "Figures",
    "Finding",
    "ImportErrors",
    "Load",
    "Notice",
    "PlanPart",
    "Proposed",
    "Quarter",
    "RegionMonth",
    "RegionOutcome",
    "ReportSection",
    "ReportSectionSource",
    "Series",
    "SlotWeek",
    "TimelineItem",
    "TimelineRow",
    "add_contact",
    "add_goal",
    "add_session",
    "add_sessions",
    "calendar_changed_since",
    "calendar_items",
    "cancel_programme",
    "cancel_session",
    "check_enterprise_access",
    "completion_findings",
    "confirm_session",
    "create_enterprise",
    "create_service_area",
    "derive_status",
    "enterprise_figures",
    "enterprise_of",
    "enterprise_scope",
    "evaluation_report",
    "get_enterprise",
    "get_programme",
    "held_parts",
    "import_figures",
    "list_enterprises",
    "list_service_areas",
    "lock_open_programme",
    "percentage",
    "plan_parts",
    "planning",
    "programme_document",
    "record_anchoring",
    "record_attendance",
    "record_evaluation",
    "record_figure",
    "region_months",
    "register_completion_check",
    "register_report_section",
    "request_programme",
    "reschedule_session",
    "session_for_calendar",
    "session_row",
    "sick_leave_outcomes",
    "slot_week",
    "slots",
    "team_for_booking",
]

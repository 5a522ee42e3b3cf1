"""Request and response bodies of the company-track API (msgspec). No individual health
data has a field here."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated

import msgspec

from helseiarbeid.core.schemas import DbId, Schema

ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=10_000)]


class SessionKind(enum.StrEnum):
    ANCHORING = "anchoring"
    MODULE_1 = "module_1"
    MODULE_2 = "module_2"
    MODULE_3 = "module_3"
    EVALUATION = "evaluation"

    @property
    def label(self) -> str:
        return SESSION_LABELS[self]

    @property
    def is_module(self) -> bool:
        return self.value.startswith("module")


SESSION_LABELS = {
    SessionKind.ANCHORING: "Forankringsmøte",
    SessionKind.MODULE_1: "Modul 1 – Muskel og skjelett",
    SessionKind.MODULE_2: "Modul 2 – Psykisk helse",
    SessionKind.MODULE_3: "Modul 3 – Smertemestring og arbeidsmiljø",
    SessionKind.EVALUATION: "Evalueringsmøte",
}
MODULES = (SessionKind.MODULE_1, SessionKind.MODULE_2, SessionKind.MODULE_3)


class SessionState(enum.StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"requested": "Ønsket", "confirmed": "Bekreftet", "cancelled": "Avlyst"}[self.value]


class ProgrammeStatus(enum.StrEnum):
    REQUESTED = "requested"
    ANCHORING_SCHEDULED = "anchoring_scheduled"
    ANCHORED = "anchored"
    MODULES_IN_PROGRESS = "modules_in_progress"
    EVALUATION_SCHEDULED = "evaluation_scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "requested": "Forespurt",
            "anchoring_scheduled": "Forankringsmøte satt opp",
            "anchored": "Forankret",
            "modules_in_progress": "Moduler pågår",
            "evaluation_scheduled": "Evaluering satt opp",
            "completed": "Fullført",
            "cancelled": "Avlyst",
        }[self.value]


class FigureCategory(enum.StrEnum):
    """Whose sick-leave figures: NAV's statistics categories VIRKSOMHET, BRANSJE, SEKTOR
    (navikt/sykefravarsstatistikk-api ``Statistikkategori``), as the CSV import spells them."""

    ENTERPRISE = "VIRKSOMHET"
    INDUSTRY = "BRANSJE"
    SECTOR = "SEKTOR"

    @property
    def label(self) -> str:
        return {"VIRKSOMHET": "Virksomheten", "BRANSJE": "Bransjen", "SEKTOR": "Sektoren"}[
            self.value
        ]


class GoalMeasure(enum.StrEnum):
    """What a result goal measures: a value typed in at evaluation, or one of the enterprise's
    sick-leave percentages, then filled in from the evaluation meeting's snapshot."""

    TYPED = ""
    LATEST_QUARTER = "sick_leave_quarter"
    FOUR_QUARTERS = "sick_leave_four_quarters"

    @property
    def label(self) -> str:
        return {
            "": "Føres inn ved evalueringen",
            "sick_leave_quarter": "Sykefravær siste kvartal (%)",
            "sick_leave_four_quarters": "Sykefravær siste fire kvartaler (%)",
        }[self.value]


class GoalDirection(enum.StrEnum):
    """Which way a result goal goes. A goal to lower a figure (sick leave) is met when the
    measured value is at or below the target; a goal to raise one when it is at or above. A
    goal whose target equals its baseline is a goal to hold the level: met when the measured
    value is not on the worse side of it, so it too needs a direction (which side is worse)."""

    LOWER = "ned"
    HIGHER = "opp"

    @property
    def label(self) -> str:
        return {"ned": "Redusere (lavere er bedre)", "opp": "Øke (høyere er bedre)"}[self.value]

    @property
    def bound(self) -> str:
        """The target's word: «høyst 7,5 %» for a goal to lower, «minst 60 %» to raise."""
        return "høyst" if self is GoalDirection.LOWER else "minst"

    def met(self, measured: float, target: float) -> bool:
        """Whether ``measured`` meets ``target`` (same unit), at or better than it counting."""
        return measured <= target if self is GoalDirection.LOWER else measured >= target


class PartStatus(enum.StrEnum):
    """A programme part's status on the plan, in the words of NAV's cooperation plans."""

    PLANNED = "planlagt"
    IN_PROGRESS = "pågår"
    DONE = "fullført"
    CANCELLED = "avbrutt"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EnterpriseCreate(Schema):
    org_number: str
    name: ShortText
    address: Annotated[str, msgspec.Meta(max_length=300)]
    municipality: Annotated[str, msgspec.Meta(max_length=100)]
    service_area_id: DbId
    employee_count: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    industry: Annotated[str, msgspec.Meta(max_length=100)] = ""
    sector: Annotated[str, msgspec.Meta(max_length=100)] = ""
    union_representative: ShortText = ""
    safety_delegate: ShortText = ""
    company_health_service_takes_part: bool = False


class EnterpriseOut(Schema):
    id: int
    org_number: str
    name: str
    address: str
    municipality: str
    service_area: str
    county: str
    employee_count: int
    industry: str
    sector: str
    union_representative: str
    safety_delegate: str
    company_health_service_takes_part: bool
    contacts: list[str]
    programme_ids: list[int]


class ProgrammeCreate(Schema):
    note: Text = ""


class SessionCreate(Schema):
    kind: SessionKind
    starts_at: datetime
    duration_minutes: Annotated[int, msgspec.Meta(ge=30, le=240)] | None = None
    location: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    # Left out by an enterprise contact: the session is then a request for the coordinator.
    facilitator_ids: list[DbId] | None = None


class SessionConfirm(Schema):
    facilitator_ids: list[DbId]


class SessionReschedule(Schema):
    starts_at: datetime


class SessionCancel(Schema):
    reason: Text


class AttendanceRecord(Schema):
    invited: Annotated[int, msgspec.Meta(ge=0, le=100_000)]
    attended: Annotated[int, msgspec.Meta(ge=0, le=100_000)]
    tasks: Text = ""
    ia_notes: Text = ""


Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
QuarterNumber = Annotated[int, msgspec.Meta(ge=1, le=4)]


class GoalCreate(Schema):
    """``baseline`` may be left out of a goal that follows a sick-leave figure: it is then
    taken from the anchoring meeting's snapshot. ``due_year``/``due_quarter``: the quarter the
    target is for (e.g. 4th quarter 2027)."""

    description: Text
    indicator: ShortText
    target: float
    baseline: float | None = None
    unit: Annotated[str, msgspec.Meta(max_length=20)] = ""
    measure: GoalMeasure = GoalMeasure.TYPED
    due_year: Year | None = None
    due_quarter: QuarterNumber | None = None
    # Which way the goal goes. Left out: «ned» for a goal that follows a sick-leave figure,
    # and for a typed goal the way from baseline to target (a typed goal whose target equals
    # its baseline must say).
    direction: GoalDirection | None = None


class GoalOut(Schema):
    id: int
    description: str
    indicator: str
    baseline: float
    target: float
    unit: str
    measured: float | None
    met: bool | None
    measure: GoalMeasure
    direction: GoalDirection
    due: str  # «4. kvartal 2027», or "" when no quarter was set


class AnchoringRecord(Schema):
    participants: Text
    agreed_deliveries: Text = ""


class EvaluationRecord(Schema):
    assessment: Text
    further_plans: Text = ""
    # goal id → measured value
    measured: dict[DbId, float] = msgspec.field(default_factory=dict)


class FigureIn(Schema):
    """One quarter's figures as typed on the figures page: days as text (decimal comma or point,
    at most two decimals), checked by ``services.sick_leave``."""

    category: FigureCategory
    year: Year
    quarter: QuarterNumber
    people: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    lost_days: ShortText
    possible_days: ShortText


class SessionOut(Schema):
    id: int
    kind: SessionKind
    title: str
    state: SessionState
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    location: str
    facilitators: list[str]
    invited: int | None
    attended: int | None
    tasks: str
    ia_notes: str
    cancel_reason: str
    sequence: int


class ProgrammeOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    status: ProgrammeStatus
    requested_at: datetime
    cancel_reason: str
    anchoring_participants: str
    agreed_deliveries: str
    evaluation_assessment: str
    further_plans: str
    sessions: list[SessionOut]
    goals: list[GoalOut]


class Slot(Schema):
    starts_at: datetime
    ends_at: datetime


class SlotList(Schema):
    kind: SessionKind
    slots: list[Slot]
    opens: date | None

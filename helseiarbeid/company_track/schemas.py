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


class EnterpriseCreate(Schema):
    org_number: str
    name: ShortText
    address: Annotated[str, msgspec.Meta(max_length=300)]
    municipality: Annotated[str, msgspec.Meta(max_length=100)]
    service_area_id: DbId
    employee_count: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    industry: Annotated[str, msgspec.Meta(max_length=100)] = ""
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


class GoalCreate(Schema):
    description: Text
    indicator: ShortText
    baseline: float
    target: float
    unit: Annotated[str, msgspec.Meta(max_length=20)] = ""


class GoalOut(Schema):
    id: int
    description: str
    indicator: str
    baseline: float
    target: float
    unit: str
    measured: float | None
    met: bool | None


class AnchoringRecord(Schema):
    participants: Text
    agreed_deliveries: Text = ""


class EvaluationRecord(Schema):
    assessment: Text
    further_plans: Text = ""
    # goal id → measured value
    measured: dict[DbId, float] = msgspec.field(default_factory=dict)


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

"""Service areas, enterprises, contact users, programmes, sessions, result goals, and the
quarterly sick-leave figures with the snapshots taken of them at anchoring and evaluation."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from helseiarbeid.core.tables import User
from helseiarbeid.regions.tables import NavRegion


class ServiceArea(Table, tablename="service_area"):
    """A region the clinic serves, with the date each track opened there (None: not offered)."""

    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=100, unique=True)
    county = Varchar(length=50)
    company_track_from = Date(null=True, default=None)
    individual_track_from = Date(null=True, default=None)


class Enterprise(Table, tablename="enterprise"):
    id: Serial  # added by Piccolo; declared for type checkers
    org_number = Varchar(length=9, unique=True, index=True)
    name = Varchar(length=200, index=True)
    address = Varchar(length=300)
    municipality = Varchar(length=100)
    service_area = ForeignKey(references=ServiceArea, on_delete=OnDelete.restrict, index=True)
    # The NAV region that serves the municipality (regions.services.region_for_municipality),
    # kept here so the region filter is one indexed column; moved when the municipality moves.
    region = ForeignKey(references=NavRegion, on_delete=OnDelete.restrict, null=True, index=True)
    employee_count = Integer()
    industry = Varchar(length=100, default="")
    # NAV's statistics sector (e.g. «Kommunal forvaltning»), for the sector's sick-leave figures.
    sector = Varchar(length=100, default="")
    union_representative = Varchar(length=200, default="")
    safety_delegate = Varchar(length=200, default="")
    company_health_service_takes_part = Boolean(default=False)
    created_at = Timestamptz()


class EnterpriseContact(Table, tablename="enterprise_contact"):
    """Links an `enterprise_contact` user to the one enterprise they act for."""

    id: Serial  # added by Piccolo; declared for type checkers
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True, index=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.cascade, index=True)


class Programme(Table, tablename="programme"):
    """An enterprise's HelseIArbeid programme. ``status`` is derived from the sessions and
    records (see services.derive_status) and stored so lists can filter on it."""

    id: Serial  # added by Piccolo; declared for type checkers
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=32, index=True)
    requested_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    requested_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    # The anchoring meeting's record.
    anchoring_participants = Text(default="")
    agreed_deliveries = Text(default="")
    anchored_at = Timestamptz(null=True, default=None)
    # The evaluation meeting's record.
    evaluation_assessment = Text(default="")
    further_plans = Text(default="")
    evaluated_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()


class ProgrammeSession(Table, tablename="programme_session"):
    """One meeting or one sitting of a module. A request from the enterprise has no
    facilitators until the coordinator confirms it."""

    id: Serial  # added by Piccolo; declared for type checkers
    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16, index=True)
    state = Varchar(length=16, index=True)
    starts_at = Timestamptz(index=True)
    duration_minutes = Integer()
    location = Varchar(length=300)
    # Module sittings: how many were invited and came, the tasks given, the IA notes.
    invited = Integer(null=True, default=None)
    attended = Integer(null=True, default=None)
    tasks = Text(default="")
    ia_notes = Text(default="")
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    # Raised by every change of time, place or state (calendar feeds' SEQUENCE).
    sequence = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz(index=True)


class SessionFacilitator(Table, tablename="session_facilitator"):
    id: Serial  # added by Piccolo; declared for type checkers
    session = ForeignKey(references=ProgrammeSession, on_delete=OnDelete.cascade, index=True)
    facilitator = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)


class ResultGoal(Table, tablename="result_goal"):
    """A concrete result goal agreed at anchoring, e.g. sick leave 8.2 % → 7.5 %."""

    id: Serial  # added by Piccolo; declared for type checkers
    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    description = Text()
    indicator = Varchar(length=200)
    baseline = DoublePrecision()
    target = DoublePrecision()
    unit = Varchar(length=20, default="")
    measured = DoublePrecision(null=True, default=None)
    # "" (typed in), or which sick-leave figure the goal follows (schemas.GoalMeasure); then
    # the measured value is filled from the evaluation meeting's snapshot.
    measure = Varchar(length=32, default="")
    # Which way the goal goes (schemas.GoalDirection): "ned" (lower is better) or "opp".
    direction = Varchar(length=8, default="")
    due_year = Integer(null=True, default=None)
    due_quarter = Integer(null=True, default=None)


class SickLeaveFigure(Table, tablename="sick_leave_figure"):
    """One quarter's sick-leave figures (NAV's terms): an enterprise's (``code`` = its
    organisation number), an industry's (``code`` = the industry as on the enterprise) or a
    sector's. Days are stored in hundredths so both engines keep them exact. One row per
    (category, code, year, quarter): a unique index in the migrations."""

    id: Serial  # added by Piccolo; declared for type checkers
    category = Varchar(length=16, index=True)
    code = Varchar(length=200, index=True)
    year = Integer()
    quarter = Integer()
    people = Integer()  # antall personer
    lost_hundredths = BigInt()  # tapte dagsverk × 100
    possible_hundredths = BigInt()  # mulige dagsverk × 100
    updated_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    updated_at = Timestamptz()


class SickLeaveSnapshot(Table, tablename="sick_leave_snapshot"):
    """The figures as they stood when a programme's anchoring or evaluation was recorded,
    frozen (JSON list of figure rows) so before/after stays put when figures are corrected.
    One per (programme, moment): a unique index in the migrations."""

    id: Serial  # added by Piccolo; declared for type checkers
    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    moment = Varchar(length=16)
    taken_at = Timestamptz()
    figures = Text()

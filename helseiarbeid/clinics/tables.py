"""Clinics (issue 15 §1): each a hospital trust's outpatient HelseIArbeid team, with the HER-ids
its messages are addressed to, the municipalities it serves and its staff."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from helseiarbeid.core.tables import User


class Clinic(Table, tablename="clinic"):
    """One outpatient team. ``slug`` is its short name in URLs, forms and the CLI."""

    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=200, unique=True)
    slug = Varchar(length=40, unique=True, index=True)
    opening_hours = Varchar(length=200, default="")
    created_at = Timestamptz()


class ClinicHerId(Table, tablename="clinic_her_id"):
    """A HER-id (address in the national address register) that reaches one clinic; unique
    over all clinics, so a received message has exactly one receiver. The first (lowest id)
    is the clinic's organisation, the next its service, as in outgoing MsgHead."""

    id: Serial  # added by Piccolo; declared for type checkers
    clinic = ForeignKey(references=Clinic, on_delete=OnDelete.cascade, index=True)
    her_id = Varchar(length=16, unique=True, index=True)


class ClinicMunicipality(Table, tablename="clinic_municipality"):
    """A municipality (4-digit kommunenummer) whose patients a clinic serves; one clinic per
    municipality in the individual track, so a web referral is routed without asking."""

    id: Serial  # added by Piccolo; declared for type checkers
    clinic = ForeignKey(references=Clinic, on_delete=OnDelete.cascade, index=True)
    number = Varchar(length=4, unique=True, index=True)
    name = Varchar(length=100)


class ClinicMembership(Table, tablename="clinic_membership"):
    """A user works for a clinic (one row per pair: unique index clinic_membership_once)."""

    id: Serial  # added by Piccolo; declared for type checkers
    clinic = ForeignKey(references=Clinic, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    since = Timestamptz()

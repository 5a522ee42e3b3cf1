"""NAV regions, the municipalities each serves, and the people who work for each."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from helseiarbeid.core.tables import User


class NavRegion(Table, tablename="nav_region"):
    """A NAV Arbeidslivssenter, e.g. «NAV Arbeidslivssenter Nordland». Exactly one region is
    the default: it holds the enterprises of municipalities no region lists."""

    id: Serial  # added by Piccolo; declared for type checkers
    name = Varchar(length=100, unique=True)
    is_default = Boolean(default=False)
    created_at = Timestamptz()


class RegionMunicipality(Table, tablename="region_municipality"):
    """A municipality and the one region that serves it. ``key`` is the name normalised
    (``services.municipality_key``), unique, so «Bodø» and «bodø » are one municipality."""

    id: Serial  # added by Piccolo; declared for type checkers
    key = Varchar(length=100, unique=True)
    name = Varchar(length=100)
    region = ForeignKey(references=NavRegion, on_delete=OnDelete.cascade, index=True)


class RegionMembership(Table, tablename="region_membership"):
    """A coordinator or facilitator working for a region (one row per user and region: a
    unique index in the migration)."""

    id: Serial  # added by Piccolo; declared for type checkers
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    region = ForeignKey(references=NavRegion, on_delete=OnDelete.cascade, index=True)

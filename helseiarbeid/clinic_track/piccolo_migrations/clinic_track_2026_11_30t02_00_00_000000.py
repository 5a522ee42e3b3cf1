"""Consultations get an outcome the team records (held, not attended, cancelled), who recorded
it and when, and the reason a consultation was cancelled (the next migration fills in the
outcome of consultations cancelled before)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consultations: outcome, who recorded it and when, reason for cancelling"


class User(Table, tablename="app_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


def _params(**overrides: object) -> dict[str, object]:
    return {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="clinic_track", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Consultation",
        tablename="consultation",
        column_name="outcome",
        db_column_name="outcome",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=16),
        schema=None,
    )
    manager.add_column(
        table_class_name="Consultation",
        tablename="consultation",
        column_name="outcome_recorded_at",
        db_column_name="outcome_recorded_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params=_params(),
        schema=None,
    )
    manager.add_column(
        table_class_name="Consultation",
        tablename="consultation",
        column_name="outcome_recorded_by",
        db_column_name="outcome_recorded_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params=_params(
            references=User,
            on_delete=OnDelete.restrict,
            on_update=OnUpdate.cascade,
            target_column=None,
        ),
        schema=None,
    )
    manager.add_column(
        table_class_name="Consultation",
        tablename="consultation",
        column_name="cancel_reason",
        db_column_name="cancel_reason",
        column_class_name="Text",
        column_class=Text,
        params=_params(default="", null=False),
        schema=None,
    )

    return manager

"""Quarterly sick-leave figures and their snapshots; an enterprise's sector; result goals that
follow a sick-leave figure."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    BigInt,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sick_leave_figure, sick_leave_snapshot, enterprise.sector, result_goal.measure"


class Programme(Table, tablename="programme", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class User(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


def _params(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


def _foreign_key(references: type[Table], on_delete: OnDelete, **overrides: object) -> dict:
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        **overrides,
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="company_track", description=DESCRIPTION)
    manager.add_table(
        class_name="SickLeaveFigure", tablename="sick_leave_figure", schema=None, columns=None
    )
    manager.add_table(
        class_name="SickLeaveSnapshot", tablename="sick_leave_snapshot", schema=None, columns=None
    )
    figure = ("SickLeaveFigure", "sick_leave_figure")
    snapshot = ("SickLeaveSnapshot", "sick_leave_snapshot")
    goal = ("ResultGoal", "result_goal")
    columns = [
        (*figure, "category", Varchar, _params(length=16, default="", index=True)),
        (*figure, "code", Varchar, _params(length=200, default="", index=True)),
        (*figure, "year", Integer, _params(default=0)),
        (*figure, "quarter", Integer, _params(default=0)),
        (*figure, "people", Integer, _params(default=0)),
        (*figure, "lost_hundredths", BigInt, _params(default=0)),
        (*figure, "possible_hundredths", BigInt, _params(default=0)),
        (*figure, "updated_by", ForeignKey, _foreign_key(User, OnDelete.set_null, null=True)),
        (*figure, "updated_at", Timestamptz, _params(default=None, null=True)),
        (
            *snapshot,
            "programme",
            ForeignKey,
            _foreign_key(Programme, OnDelete.cascade, null=True, index=True),
        ),
        (*snapshot, "moment", Varchar, _params(length=16, default="")),
        (*snapshot, "taken_at", Timestamptz, _params(default=None, null=True)),
        (*snapshot, "figures", Text, _params(default="")),
        ("Enterprise", "enterprise", "sector", Varchar, _params(length=100, default="")),
        (*goal, "measure", Varchar, _params(length=32, default="")),
        (*goal, "due_year", Integer, _params(default=None, null=True)),
        (*goal, "due_quarter", Integer, _params(default=None, null=True)),
    ]
    for class_name, tablename, name, column_class, params in columns:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager

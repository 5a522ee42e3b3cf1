from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-21T21:53:41:160181"
VERSION = "1.38.0"
DESCRIPTION = "contact details on each referral as its GP wrote them, not shared on the patient"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    manager.drop_column(
        table_class_name="Patient",
        tablename="patient",
        column_name="address",
        db_column_name="address",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Patient",
        tablename="patient",
        column_name="name",
        db_column_name="name",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Patient",
        tablename="patient",
        column_name="phone",
        db_column_name="phone",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Patient",
        tablename="patient",
        column_name="updated_at",
        db_column_name="updated_at",
        schema=None,
    )

    manager.add_column(
        table_class_name="Referral",
        tablename="referral",
        column_name="patient_address",
        db_column_name="patient_address",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Referral",
        tablename="referral",
        column_name="patient_name",
        db_column_name="patient_name",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Referral",
        tablename="referral",
        column_name="patient_phone",
        db_column_name="patient_phone",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 30,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager

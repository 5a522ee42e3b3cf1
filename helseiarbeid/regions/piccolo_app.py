"""Regions Piccolo app: sits on core, below the company track."""

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="regions",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=["helseiarbeid.regions.tables"], exclude_imported=True),
    migration_dependencies=["helseiarbeid.core.piccolo_app"],
    commands=[],
)

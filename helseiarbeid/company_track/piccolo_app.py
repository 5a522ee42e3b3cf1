"""Company-track Piccolo app."""

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="company_track",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(
        modules=["helseiarbeid.company_track.tables"], exclude_imported=True
    ),
    migration_dependencies=[
        "helseiarbeid.core.piccolo_app",
        "helseiarbeid.regions.piccolo_app",
    ],
    commands=[],
)

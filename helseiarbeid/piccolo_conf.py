"""Piccolo's configuration: the engine from HELSEIARBEID_DATABASE_URL and the apps, in order."""

from piccolo.conf.apps import AppRegistry

from helseiarbeid.core.database import engine_from_url
from helseiarbeid.settings import get_settings

DB = engine_from_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "helseiarbeid.core.piccolo_app",
        "helseiarbeid.clinics.piccolo_app",
        "helseiarbeid.regions.piccolo_app",
        "helseiarbeid.company_track.piccolo_app",
        "helseiarbeid.referrals.piccolo_app",
        "helseiarbeid.clinic_track.piccolo_app",
        "helseiarbeid.calendar_feeds.piccolo_app",
        "helseiarbeid.surveys.piccolo_app",
        "helseiarbeid.messaging.piccolo_app",
    ]
)

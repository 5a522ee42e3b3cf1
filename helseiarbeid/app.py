"""The application factory: every domain's routes, one policy guard, errors, templates."""

from __future__ import annotations

import asyncio

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router

from helseiarbeid.calendar_feeds.controllers import (
    CalendarFeedApiController,
    CalendarPageController,
)
from helseiarbeid.calendar_feeds.controllers import feed as calendar_feed
from helseiarbeid.clinic_track.controllers import ClinicApiController, ClinicPageController
from helseiarbeid.clinics.controllers import ClinicAdminController, ClinicDirectoryController
from helseiarbeid.company_track.controllers import CompanyApiController, CompanyPageController
from helseiarbeid.core import database, outbox
from helseiarbeid.core.controllers.admin import AdminController
from helseiarbeid.core.controllers.auth import AuthController
from helseiarbeid.core.controllers.health import health
from helseiarbeid.core.controllers.home import start_page
from helseiarbeid.core.controllers.me import me
from helseiarbeid.core.controllers.oidc import OidcLoginController
from helseiarbeid.core.controllers.outbox import OutboxController
from helseiarbeid.core.csrf import CSRFMiddleware
from helseiarbeid.core.logs import configure_logging
from helseiarbeid.core.middleware import AuthenticationMiddleware
from helseiarbeid.core.openapi import COMPONENTS, StrictBodySchemaPlugin
from helseiarbeid.core.policy import PUBLIC, enforce_policy
from helseiarbeid.core.request_input import clean_request_body
from helseiarbeid.core.security_headers import add_security_headers
from helseiarbeid.core.templating import PACKAGE_ROOT, template_config
from helseiarbeid.core.web_errors import EXCEPTION_HANDLERS
from helseiarbeid.messaging import message_server
from helseiarbeid.messaging.controllers import MessageApiController, MessagePageController
from helseiarbeid.referrals.controllers import (
    PatientLookupController,
    ReferralApiController,
    ReferralPageController,
    start_page_facts,
)
from helseiarbeid.regions.controllers import RegionAdminController
from helseiarbeid.settings import get_settings
from helseiarbeid.statistics.controllers import StatisticsController
from helseiarbeid.surveys.controllers import SurveyHostController, SurveyPhoneController

_WORKERS: dict[str, tuple[asyncio.Event, asyncio.Task[None]]] = {}


async def _on_startup() -> None:
    await database.start(database.current_engine())
    message_server.register()
    stop = asyncio.Event()
    _WORKERS["outbox"] = (stop, asyncio.create_task(outbox.run(stop)))


async def _on_shutdown() -> None:
    if "outbox" in _WORKERS:
        stop, task = _WORKERS.pop("outbox")
        stop.set()
        try:
            await asyncio.wait_for(task, 5)
        except TimeoutError:
            task.cancel()
    await database.stop(database.current_engine())


def create_app() -> Litestar:
    settings = get_settings()
    configure_logging(settings.log_level)
    return Litestar(
        route_handlers=[
            health,
            start_page,
            me,
            AuthController,
            OidcLoginController,
            AdminController,
            ClinicAdminController,
            ClinicDirectoryController,
            OutboxController,
            ReferralApiController,
            ReferralPageController,
            PatientLookupController,
            ClinicApiController,
            ClinicPageController,
            CompanyApiController,
            CompanyPageController,
            calendar_feed,
            CalendarFeedApiController,
            CalendarPageController,
            SurveyHostController,
            SurveyPhoneController,
            MessageApiController,
            MessagePageController,
            StatisticsController,
            RegionAdminController,
            create_static_files_router(
                path="/static",
                directories=[PACKAGE_ROOT / "core" / "static"],
                opt=PUBLIC,
                include_in_schema=False,
            ),
        ],
        guards=[enforce_policy],
        before_request=clean_request_body,
        state=State({"start_page_facts": (start_page_facts,)}),
        plugins=[StrictBodySchemaPlugin()],
        middleware=[AuthenticationMiddleware(), CSRFMiddleware()],
        before_send=[add_security_headers],
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="HelseIArbeid",
            version="1",
            description="HelseIArbeid coordination service: NAV and the specialist health service.",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            components=COMPONENTS,
            openapi_router=Router(
                path="/schema", route_handlers=[], opt=PUBLIC, include_in_schema=False
            ),
        ),
        request_max_body_size=settings.max_body_bytes,
        on_startup=[_on_startup],
        on_shutdown=[_on_shutdown],
        debug=False,
        logging_config=None,
    )

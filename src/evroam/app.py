"""Builds the ASGI app: the management API under /api/v2/cpo, OCPI under /ocpi, docs at /docs."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from evroam import __version__
from evroam.api.docs import app_with_offline_docs
from evroam.api.errors import install_error_handlers
from evroam.api.openapi import install_management_openapi, refuse_unknown_query_parameters
from evroam.api.request_size import RequestSizeLimit
from evroam.charging.authorization.routes import router as authorization_router
from evroam.charging.charging_profiles.routes import router as charging_profile_router
from evroam.charging.commands.routes import router as command_router
from evroam.charging.events.routes import router as charger_event_router
from evroam.charging.sessions.routes import router as session_router
from evroam.charging.cdrs.routes import router as cdr_router
from evroam.charging.tokens.policies.routes import router as token_policy_router
from evroam.charging.tokens.pulls.routes import router as token_pull_router
from evroam.config import Settings, get_settings
from evroam.charging.tokens.routes import router as token_router
from evroam.delivery.routes import router as delivery_router
from evroam.background import start_in_process
from evroam.integrations.locations.routes import router as integration_location_router
from evroam.integrations.resync.routes import router as integration_resync_router
from evroam.integrations.routes import router as integration_router
from evroam.integrations.tariff_links.routes import router as integration_tariff_router
from evroam.network.chargers.routes import router as charger_router
from evroam.network.sites.routes import router as site_router
from evroam.ocpi.app import create_ocpi_app
from evroam.ocpp.commands import CommandSender
from evroam.ocpp.routes import router as ocpp_router
from evroam.runtime import Runtime
from evroam.startup import bootstrap, prepare_database
from evroam.tariffs.quotes.routes import router as tariff_quote_router
from evroam.tariffs.routes import router as tariff_router
from evroam.tariffs.spot.routes import MAX_FILE_BYTES, import_spot_price_file
from evroam.tariffs.spot.routes import router as spot_price_router
from evroam.wiring import wire


def management_router() -> APIRouter:
    router = APIRouter(prefix="/api/v2/cpo", dependencies=[Depends(refuse_unknown_query_parameters)])
    # First: routes are matched in order, and a driver at a charger waits for the decision.
    router.include_router(authorization_router)
    router.include_router(site_router)
    router.include_router(charger_router)
    router.include_router(tariff_router)
    router.include_router(tariff_quote_router)
    router.include_router(spot_price_router)
    router.include_router(integration_router)
    router.include_router(integration_location_router)
    router.include_router(integration_tariff_router)
    router.include_router(integration_resync_router)
    router.include_router(delivery_router)
    router.include_router(token_policy_router)
    router.include_router(token_router)
    router.include_router(token_pull_router)
    router.include_router(charger_event_router)
    router.include_router(session_router)
    router.include_router(cdr_router)
    router.include_router(command_router)
    router.include_router(charging_profile_router)
    return router


def settle_startup_objects() -> None:
    """Leaves what start-up built (modules, routes, schemas, ORM mappings: some 170,000 objects that live
    as long as the process) out of every later garbage collection. A full collection walked all of them,
    about 50 ms on the bench machine, stalling every request in flight; without them it takes about 1 ms."""
    gc.collect()
    gc.freeze()


def create_app(runtime: Runtime | None = None, settings: Settings | None = None) -> FastAPI:
    runtime = runtime or Runtime.from_settings(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await prepare_database(runtime)
        await bootstrap(runtime)
        settle_startup_objects()
        stop_background = start_in_process(runtime)
        try:
            yield
        finally:
            stop_background()
            await runtime.close()

    app = app_with_offline_docs(
        title="evroam",
        version=__version__,
        description="Roaming integration platform for charge point operators: management API.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    # Partners' commands to the chargers connected to this process.
    app.state.ocpp_commands = CommandSender(runtime)
    wire(runtime)
    install_error_handlers(app)
    install_management_openapi(app)
    # Mounted first, as routes are matched in order: a partner's pull would otherwise be compared with
    # every management route on each page.
    app.mount("/ocpi", create_ocpi_app(runtime))
    app.include_router(management_router())
    app.include_router(ocpp_router)
    # Outermost but for the framework's own: it bounds the bodies of the mounted OCPI app too.
    app.add_middleware(
        RequestSizeLimit,
        max_bytes=runtime.settings.max_request_bytes,
        larger_caps={app.url_path_for(import_spot_price_file.__name__): MAX_FILE_BYTES},
    )
    return app

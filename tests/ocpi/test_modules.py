"""The OCPI module registry: every view of "which modules exist" follows ocpi/modules.py, so that one new
entry is picked up everywhere (version details, pulls, pushes, routing headers, mounting, publication)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from sqlalchemy import select

from evroam.delivery.models import PENDING, SUPERSEDED, Delivery
from evroam.delivery.outbox import enqueue, pushes_to
from evroam.integrations.enums import MODEL_FLAGS
from evroam.ocpi import modules
from evroam.ocpi.app import create_ocpi_app
from evroam.ocpi.credentials.discovery import CPO_OWNED, normalise_endpoints
from evroam.ocpi.modules import RECEIVER, SENDER, V211, V221, Module, Pushes
from evroam.ocpi.protocol.envelope import OcpiError
from evroam.ocpi.protocol.pagination import require_module
from evroam.ocpi.protocol.routing_headers import is_functional_221
from evroam.ocpi.versions.routes import our_endpoints
from evroam.publication import hook
from tests.support.ocpi_partner import register_partner

# A module the registry does not know (no OCPI module of that name), served by the routes and publisher below.
FICTIONAL = Module(
    "fictional", (V221, V211), role=SENDER, partner_role=RECEIVER, routes="tests.ocpi.test_modules:fictional_router",
    pull_flag="pullSession", pushes=Pushes("pushSession", superseding=frozenset()),
    publisher="tests.ocpi.test_modules:fictional_publisher", refers_to=("locations",),
)  # fmt: skip
fictional_router = APIRouter(prefix="/2.2.1/fictional")


@fictional_router.get("")
async def _list_fictional():
    return []


class RecordingPublisher:
    def __init__(self) -> None:
        self.refreshed: list[dict] = []

    def affected(self, session, change):
        return []

    def refresh(self, run, wanted):
        self.refreshed.append(wanted)


fictional_publisher = RecordingPublisher()


@pytest.fixture
def with_fictional(monkeypatch):
    monkeypatch.setattr(modules, "MODULES", (*modules.MODULES, FICTIONAL))
    fictional_publisher.refreshed.clear()


def _integration(**models):
    return SimpleNamespace(
        integration_id="i-1", integration_type="OCPI", integration_status="CONNECTED", ocpi_version="2.2.1",
        models=models, version_details={"endpoints": [
            {"identifier": module.identifier, "role": RECEIVER, "url": f"http://emsp.invalid/{module.identifier}"}
            for module in modules.MODULES
        ]},
    )  # fmt: skip


def test_version_details_list_the_modules_we_serve_in_each_version():
    for version in (V221, V211):
        listed = [endpoint["identifier"] for endpoint in our_endpoints("http://cpo", version, None)]
        assert listed == [m.identifier for m in modules.MODULES if m.role is not None and version in m.versions]


@pytest.mark.usefixtures("with_fictional")
def test_a_new_module_is_listed_with_its_role_and_closed_by_its_pull_flag():
    endpoints = our_endpoints("http://cpo", V221, None)
    assert endpoints[-1] == {"identifier": "fictional", "url": "http://cpo/ocpi/2.2.1/fictional", "role": SENDER}
    closed = our_endpoints("http://cpo", V221, {"pullSession": False})
    assert "fictional" not in [endpoint["identifier"] for endpoint in closed]


@pytest.mark.usefixtures("with_fictional")
def test_pulls_follow_each_modules_pull_flag():
    for module in modules.MODULES:
        if module.pull_flag is None:
            continue
        caller = SimpleNamespace(integration=_integration(**{module.pull_flag: False}))
        with pytest.raises(OcpiError, match=f"The {module.identifier} module is not offered"):
            require_module(caller, V221, module.identifier)
        assert require_module(SimpleNamespace(integration=_integration()), V221, module.identifier) == "i-1"


@pytest.mark.usefixtures("with_fictional")
def test_pushes_follow_each_modules_push_flag():
    for module in modules.MODULES:
        if module.pushes is None:
            continue
        assert pushes_to(_integration(), module.identifier)
        if module.pushes.flag is not None:
            assert not pushes_to(_integration(**{module.pushes.flag: False}), module.identifier)


def test_a_result_is_owed_whatever_the_flags_and_endpoints():
    """Command results go to the URL of each command: no flag switches them, no endpoint is needed."""
    assert modules.module("commands").pushes.flag is None
    switched_off = _integration(**{flag: False for flag in MODEL_FLAGS})
    switched_off.version_details = {"endpoints": []}
    assert pushes_to(switched_off, "commands")
    switched_off.integration_status = "DISCONNECTED"
    assert not pushes_to(switched_off, "commands")


def test_every_flag_of_the_registry_is_one_of_the_integrations_models():
    flags = {m.pull_flag for m in modules.MODULES} | {m.pushes.flag for m in modules.MODULES if m.pushes}
    assert flags - {None} <= set(MODEL_FLAGS)


@pytest.mark.usefixtures("with_fictional")
async def test_what_a_new_row_supersedes_follows_the_module(runtime):
    partner = await register_partner(runtime)
    async with runtime.sessions() as session:
        for module, object_id, method in (
            ("locations", "L", "PUT"), ("locations", "L", "PUT"), ("fictional", "F", "PUT"), ("fictional", "F", "PUT"),
            ("sessions", "S", "PATCH"), ("sessions", "S", "PUT"), ("sessions", "S", "PATCH"),
        ):
            await session.run_sync(
                lambda sync, m=module, o=object_id, v=method: enqueue(sync, partner.integration_id, m, o, v, f"/{o}", "{}")
            )
        await session.commit()
        rows = (await session.execute(
            select(Delivery.module, Delivery.status).where(Delivery.integration_id == partner.integration_id)
            .order_by(Delivery.id)
        )).all()  # fmt: skip
    assert [tuple(row) for row in rows] == [
        ("locations", SUPERSEDED), ("locations", PENDING), ("fictional", PENDING), ("fictional", PENDING),
        ("sessions", SUPERSEDED), ("sessions", PENDING), ("sessions", PENDING),
    ], "a Session PUT carries the whole session, a PATCH only part of it"


@pytest.mark.usefixtures("with_fictional")
def test_routing_headers_are_left_off_exactly_the_configuration_modules():
    for module in modules.MODULES:
        assert is_functional_221(f"/ocpi/2.2.1/{module.identifier}/x") is not module.configuration, module.identifier
    assert is_functional_221("/ocpi/2.2.1/commands"), "a module we do not serve yet is functional"


def test_versions_is_a_configuration_module():
    assert modules.is_configuration("versions")
    assert not modules.is_configuration("locations")


@pytest.mark.usefixtures("with_fictional")
def test_the_app_mounts_every_modules_routes_functional_ones_first():
    # The docs pages (/docs, /redoc) are routes of the app, not of a module: they are left out of the schema.
    app_routes = _routes(create_ocpi_app(runtime=None).routes)
    paths = [route.path for route in app_routes if isinstance(route, APIRoute) and route.include_in_schema]
    owners = [_owner(path) for path in paths]
    assert "/2.2.1/fictional" in paths
    assert set(owners) == {module.identifier for module in modules.MODULES}
    configuration = [modules.module(owner).configuration for owner in owners]
    assert configuration == sorted(configuration), "routes are matched in order: functional modules first"


def _routes(routes):
    """The app's routes in matching order (FastAPI keeps an included router as one entry)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _routes(included.routes) if included is not None else [route]


def _owner(path: str) -> str:
    """The module a route belongs to: /versions and /{version} are the versions module's."""
    parts = path.strip("/").split("/")
    return "versions" if parts[0] == "versions" or len(parts) == 1 else parts[1]


def test_modules_are_published_after_those_they_refer_to():
    # Tariffs before the locations naming them; sessions after both; a CDR after its session's last PUT.
    assert [module.identifier for module in modules.publication_order()] == ["tariffs", "locations", "sessions", "cdrs"]


def test_a_cycle_of_references_is_refused(monkeypatch):
    looping = replace(modules.module("tariffs"), refers_to=("locations",))
    monkeypatch.setattr(modules, "MODULES", tuple(looping if m.identifier == "tariffs" else m for m in modules.MODULES))
    with pytest.raises(ValueError, match="cycle"):
        modules.publication_order()


@pytest.mark.usefixtures("with_fictional", "app")
async def test_the_commit_hook_drives_a_new_modules_publisher_after_those_it_refers_to(runtime):
    order = [m.identifier for m in modules.publication_order()]
    assert order.index("fictional") > order.index("locations") > order.index("tariffs")
    partner = await register_partner(runtime)
    async with runtime.sessions() as session:
        await hook.refresh_integration(session, partner.integration_id)
    assert fictional_publisher.refreshed == [{partner.integration_id: None}]


def test_the_modules_we_serve_as_sender_are_the_ones_a_cpo_owns():
    served = {m.identifier for m in modules.MODULES if m.role == SENDER and not m.configuration}
    assert served <= CPO_OWNED


def test_a_211_partner_cpo_serves_the_modules_a_cpo_owns_as_sender():
    raw = [{"identifier": identifier, "url": f"http://cpo/{identifier}"} for identifier in ("locations", "tokens")]
    roles = {e["identifier"]: e["role"] for e in normalise_endpoints(raw, partner_is_cpo=True)}
    assert roles == {"locations": SENDER, "tokens": RECEIVER}

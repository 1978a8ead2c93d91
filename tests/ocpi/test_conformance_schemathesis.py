"""Conformance against the official OCPI 2.2.1 OpenAPI files (unmodified, ../shared/ocpi-openapi/2.2.1).

Schemathesis generates requests for the CPO's versions, credentials, locations Sender and tariffs Sender
interfaces (derandomized, a bounded number per operation, positive and negative data), we send them to
evroam with a registered partner's token, and every built-in check runs on the answers. The interface
files give paths relative to each module's base; they are mapped onto our URLs (/ocpi/versions,
/ocpi/2.2.1 for the version details, /ocpi/2.2.1/<module> for the rest). Every case gets a freshly
registered partner (one still holding our token A for POST credentials, a registration), so a DELETE
credentials cannot spoil the cases after it; a credentials body's `url`
points at a closed loopback port, so an exchange fails fast instead of calling random hosts. Half of
the cases of the by-id location operations ask for objects that exist.

Zero failures are allowed except those named in conformance_allowlist.toml, each with its reason.
"""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path

from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from sqlalchemy import delete

from evroam.integrations.models import IntegrationToken
from evroam.security import hash_secret
from tests.support.ocpi_partner import RegisteredPartner, register_partner
from tests.ocpi.factories import OPENAPI_221, publish_site

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

INTERFACES = {
    "versions": "modules/versions/interface.yaml",
    "credentials": "modules/credentials/interface.yaml",
    "locations": "modules/locations/sender-interface.yaml",
    "tariffs": "modules/tariffs/sender-interface.yaml",
}
EXAMPLES = 25
ALLOWLIST = tomllib.loads((Path(__file__).parent / "conformance_allowlist.toml").read_text())["allowed"]
CLOSED_PORT_URL = "http://127.0.0.1:9/ocpi/versions"


def our_url(case: schemathesis.Case) -> str:
    """The spec's path (relative to the module) → evroam's URL. Path parameters made only of dots are
    percent-encoded: sent as they are, every HTTP client folds them away as dot segments."""
    path = case.operation.path
    for name, value in (case.path_parameters or {}).items():
        segment = quote(str(value), safe="")
        if segment and set(segment) == {"."}:
            segment = segment.replace(".", "%2E")
        path = path.replace("{" + name + "}", segment)
    if path == "/versions":
        return "http://testserver/ocpi/versions"
    if path.startswith("/versions/"):
        return "http://testserver/ocpi/" + path.removeprefix("/versions/")
    return "http://testserver/ocpi/2.2.1" + path


def draw_cases(operation: schemathesis.APIOperation, mode: GenerationMode) -> list[schemathesis.Case]:
    cases: list[schemathesis.Case] = []

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def draw(case: schemathesis.Case) -> None:
        cases.append(case)

    draw()
    return cases


def operations() -> list[tuple[str, schemathesis.APIOperation]]:
    found = []
    for module, relative in INTERFACES.items():
        schema = schemathesis.openapi.from_path(OPENAPI_221 / relative)
        found += [(module, result.ok()) for result in schema.get_all_operations()]
    return found


def allowed(operation: schemathesis.APIOperation, mode: GenerationMode, failure: Failure) -> bool:
    return any(
        entry["operation"] in (operation.label, "*")
        and entry["mode"] in (mode.value, "*")
        and entry["check"] == failure.title
        for entry in ALLOWLIST
    )


async def registering_partner(runtime, partner: RegisteredPartner) -> RegisteredPartner:
    """The same integration before registration: it holds only the token A we issued."""
    token_a = f"token-a-{uuid.uuid4().hex}"
    async with runtime.sessions() as session:
        await session.execute(delete(IntegrationToken).where(IntegrationToken.integration_id == partner.integration_id))
        session.add(IntegrationToken(token_hash=hash_secret(token_a), integration_id=partner.integration_id, kind="A"))
        await session.commit()
    return RegisteredPartner(partner.integration_id, token_a, partner.version)


def point_at_existing_objects(case: schemathesis.Case, objects: dict[str, str]) -> None:
    for name in ("location_id", "evse_uid", "connector_id"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = objects[name]


async def test_evroam_conforms_to_the_official_openapi(runtime, app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        # (operation, mode, check) -> one example of it
        failures: dict[tuple[str, str, str], str] = {}
        requests = 0
        succeeded: set[str] = set()
        for module, operation in operations():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for index, case in enumerate(draw_cases(operation, mode)):
                    partner = await register_partner(runtime)
                    if operation.label == "POST /credentials":
                        partner = await registering_partner(runtime, partner)
                    if module == "locations" and index % 2 == 0:
                        network = await publish_site(runtime, partner.integration_id, chargers=1, sockets=1)
                        point_at_existing_objects(case, {
                            "location_id": network.location_id,
                            "evse_uid": f"{network.charger_ids[0]}-1",
                            "connector_id": "1",
                        })
                    if isinstance(case.body, dict) and "url" in case.body:
                        case.body["url"] = CLOSED_PORT_URL
                    kwargs = case.as_transport_kwargs(base_url="http://testserver")
                    headers = {**kwargs.get("headers", {}), "Authorization": partner.authorization}
                    response = await http.request(
                        kwargs["method"], our_url(case), params=kwargs.get("params"), headers=headers,
                        json=kwargs.get("json"), content=kwargs.get("data"),
                    )
                    requests += 1
                    if response.status_code == 200 and response.json().get("status_code") == 1000:
                        succeeded.add(operation.label)
                    try:
                        case.validate_response(response, headers=headers)
                    except FailureGroup as group:
                        for failure in group.exceptions:
                            if not allowed(operation, mode, failure):
                                failures.setdefault(
                                    (operation.label, mode.value, failure.title),
                                    f"{failure.message[:300]} -> HTTP {response.status_code} {response.text[:200]}",
                                )
    assert requests > 300
    reads = {label for _, op in operations() if (label := op.label).startswith("GET")}
    assert reads <= succeeded, f"never answered with data: {reads - succeeded}"
    report = "\n".join(f"{key}: {example}" for key, example in sorted(failures.items()))
    assert not failures, f"{len(failures)} kinds of failure:\n{report}"

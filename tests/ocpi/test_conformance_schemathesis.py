"""Conformance against the official OCPI 2.2.1 OpenAPI files (unmodified, ../shared/ocpi-openapi/2.2.1).

Schemathesis generates requests for the CPO's versions, credentials, locations, tariffs, sessions and CDRs
Sender interfaces and the tokens Receiver: its generate phase (derandomized, a bounded number per operation, positive and negative data)
and its coverage phase (every boundary and every violation of each parameter, one at a time), we send them
to evroam with a registered partner's token, and every built-in check runs on the answers. The interface
files give paths relative to each module's base; they are mapped onto our URLs (/ocpi/versions,
/ocpi/2.2.1 for the version details, /ocpi/2.2.1/<module> for the rest). The reads share one
registered partner with one published location; every other case gets a freshly registered partner (one
still holding our token A for POST credentials, a registration), so a DELETE credentials cannot spoil
the cases after it; a credentials body's `url` points at a closed loopback port, so an exchange fails
fast instead of calling random hosts. Half of the cases of the by-id location operations ask for that
location, its EVSE and connector (except for the parameters a negative case is about). A well-formed
OCPI-to address is set to the party we are, as a partner addressing us would send it: one to a party we
do not host gets 4001 (tests/ocpi/protocol/test_routing_headers.py), whatever else the request holds.

Zero failures are allowed except those an entry of conformance_allowlist.toml accepts, each with its
reason and narrowed to the answer or the part of the request the reason is about; an entry that
accepts nothing any more fails the test too.
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
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData
from sqlalchemy import delete

from evroam.integrations.models import IntegrationToken
from evroam.security import hash_secret
from tests.support.ocpi_partner import RegisteredPartner, register_partner
from tests.ocpi.factories import OPENAPI_221, example, publish_site
from tests.ocpi.sender_support import put_in_ledger

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

INTERFACES = {
    "versions": "modules/versions/interface.yaml",
    "credentials": "modules/credentials/interface.yaml",
    "locations": "modules/locations/sender-interface.yaml",
    "tariffs": "modules/tariffs/sender-interface.yaml",
    "sessions": "modules/sessions/sender-interface.yaml",
    "cdrs": "modules/cdrs/sender-interface.yaml",
    "tokens": "modules/tokens/receiver-interface.yaml",
}
EXAMPLES = 25
ALLOWLIST = tomllib.loads((Path(__file__).parent / "conformance_allowlist.toml").read_text())["allowed"]
CLOSED_PORT_URL = "http://127.0.0.1:9/ocpi/versions"
# The token the reads aim at half the time: one of each type, of the party register_partner registers.
TOKEN = {"country_code": "NL", "party_id": "EMS", "token_uid": "CONFORMANCE-1"}


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
    """The generate phase: `EXAMPLES` cases of one mode."""
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


def coverage_cases(operation: schemathesis.APIOperation) -> list[schemathesis.Case]:
    """The coverage phase: deterministic cases at each parameter's edges and past them, both modes."""
    schema = operation.schema
    config = schema.config.generation_for(operation=operation, phase="coverage")
    return list(schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode), generation_config=config))


def all_cases(operation: schemathesis.APIOperation) -> list[tuple[GenerationMode, schemathesis.Case]]:
    drawn = [(mode, case) for mode in GenerationMode for case in draw_cases(operation, mode)]
    return drawn + [(case.meta.generation.mode, case) for case in coverage_cases(operation)]


def operations() -> list[tuple[str, schemathesis.APIOperation]]:
    found = []
    for module, relative in INTERFACES.items():
        schema = schemathesis.openapi.from_path(OPENAPI_221 / relative)
        found += [(module, result.ok()) for result in schema.get_all_operations()]
    return found


def invalid_parameters(case: schemathesis.Case) -> set[str] | None:
    """The parameters a negative case violates, by name (None: a part without a name, such as the body)."""
    data = case.meta.phase.data
    if isinstance(data, CoveragePhaseData):
        return {data.parameter} if data.parameter else None
    names: set[str] = set()
    for mutation in data.mutations:
        if mutation.keywords == ("additionalProperties",) and mutation.parameter_location is not ParameterLocation.BODY:
            continue  # an extra query parameter or header: ignored, and schemathesis does not count it either
        if mutation.parameter:
            names.add(mutation.parameter)
        elif "required" in mutation.keywords and isinstance(mutation.original_value, list):
            names.update(mutation.original_value)  # required parameters left out
        else:
            return None
    return names or None


def answered_2001(response: httpx.Response) -> bool:
    try:
        return response.status_code == 200 and response.json().get("status_code") == 2001
    except ValueError:
        return False


def accepts(entry: dict, case: schemathesis.Case, response: httpx.Response, failure: Failure) -> bool:
    """Whether an allowlist entry accepts this failure: its operation, mode and check, narrowed by the
    answer it requires (`answer`), the only parameters the request may violate (`invalid_only`), or
    the response headers the failure may be about, those the request's values were echoed in (`echoed`)."""
    if entry["operation"] not in (case.operation.label, "*") or entry["check"] != failure.title:
        return False
    if entry["mode"] not in (case.meta.generation.mode.value, "*"):
        return False
    if "answer" in entry and not (entry["answer"] == "OCPI 2001 in HTTP 200" and answered_2001(response)):
        return False
    if "invalid_only" in entry:
        invalid = invalid_parameters(case)
        if invalid is None or not invalid <= set(entry["invalid_only"]):
            return False
    if "echoed" in entry:
        sent = {str(value) for name, value in (case.headers or {}).items() if name in entry["echoed"]}
        if str(getattr(failure, "instance", None)) not in sent:
            return False
    return True


def address_us(case: schemathesis.Case) -> None:
    """A well-formed OCPI-to address names the party we are (FI/EVR, tests/conftest.py)."""
    for name, ours in (("OCPI-to-country-code", "FI"), ("OCPI-to-party-id", "EVR")):
        value = (case.headers or {}).get(name)
        if isinstance(value, str) and len(value) == len(ours) and value.isascii() and value.isprintable():
            case.headers[name] = ours


async def registering_partner(runtime, partner: RegisteredPartner) -> RegisteredPartner:
    """The same integration before registration: it holds only the token A we issued."""
    token_a = f"token-a-{uuid.uuid4().hex}"
    async with runtime.sessions() as session:
        await session.execute(delete(IntegrationToken).where(IntegrationToken.integration_id == partner.integration_id))
        session.add(IntegrationToken(token_hash=hash_secret(token_a), integration_id=partner.integration_id, kind="A"))
        await session.commit()
    return RegisteredPartner(partner.integration_id, token_a, partner.version)


def point_at_existing_objects(case: schemathesis.Case, objects: dict[str, str]) -> None:
    """Path parameters set to objects that exist, except those a negative case is about."""
    if case.meta.generation.mode is GenerationMode.NEGATIVE:
        invalid = invalid_parameters(case)
        if invalid is None:
            return
        objects = {name: value for name, value in objects.items() if name not in invalid}
    for name, value in objects.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = value


async def push_tokens(http: httpx.AsyncClient, partner: RegisteredPartner) -> None:
    """One token of each type at TOKEN's address, pushed by `partner` (the party it registered)."""
    for token_type in ("AD_HOC_USER", "APP_USER", "OTHER", "RFID"):
        body = {"country_code": "NL", "party_id": "EMS", "uid": TOKEN["token_uid"], "type": token_type,
                "contract_id": "NL-EMS-C12345678-X", "issuer": "Conformance", "valid": True,
                "whitelist": "ALLOWED", "last_updated": "2025-01-01T00:00:00Z"}
        response = await http.put(f"/ocpi/2.2.1/tokens/NL/EMS/{TOKEN['token_uid']}", params={"type": token_type},
                                  json=body, headers={"Authorization": partner.authorization})
        assert response.status_code == 201, response.text


def address_the_token_in_the_body(case: schemathesis.Case) -> None:
    """A positive Token or TokenPatch body names the token its URL names (a body naming another is 2001)."""
    if case.meta.generation.mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
        key = {"country_code": case.path_parameters["country_code"], "party_id": case.path_parameters["party_id"],
               "uid": case.path_parameters["token_uid"], "type": (case.query or {}).get("type", "RFID")}
        case.body.update({name: value for name, value in key.items() if name in case.body})


async def test_evroam_conforms_to_the_official_openapi(runtime, app):
    assert all(entry.get("reason", "").strip() for entry in ALLOWLIST), "every entry gives its reason"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        # (operation, mode, check) -> one example of it
        failures: dict[tuple[str, str, str], str] = {}
        used: set[int] = set()
        requests = 0
        succeeded: set[str] = set()
        reader = await register_partner(runtime)
        network = await publish_site(runtime, reader.integration_id, chargers=1, sockets=1)
        existing = {"location_id": network.location_id, "evse_uid": f"{network.charger_ids[0]}-1", "connector_id": "1"}
        await push_tokens(http, reader)
        for module, operation in operations():
            for index, (mode, case) in enumerate(all_cases(operation)):
                partner = reader if operation.method.upper() == "GET" else await register_partner(runtime)
                if operation.label == "POST /credentials":
                    partner = await registering_partner(runtime, partner)
                if module == "locations" and index % 2 == 0:
                    point_at_existing_objects(case, existing)
                if module == "sessions" and operation.method.upper() == "PUT" and index % 2 == 0:
                    # A session of this partner's (the example's id, 101) for the charging preferences.
                    await put_in_ledger(runtime, partner.integration_id, "sessions", [example("session.json")])
                    point_at_existing_objects(case, {"session_id": "101"})
                if module == "tokens" and index % 2 == 0:
                    point_at_existing_objects(case, TOKEN)
                    address_the_token_in_the_body(case)
                    if operation.method.upper() == "PATCH":
                        await push_tokens(http, partner)
                if isinstance(case.body, dict) and "url" in case.body:
                    case.body["url"] = CLOSED_PORT_URL
                address_us(case)
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
                        accepted = [i for i, entry in enumerate(ALLOWLIST) if accepts(entry, case, response, failure)]
                        used.update(accepted)
                        if not accepted:
                            failures.setdefault(
                                (operation.label, mode.value, failure.title),
                                f"{failure.message[:300]} -> HTTP {response.status_code} {response.text[:200]}",
                            )
    assert requests > 1500
    reads = {label for _, op in operations() if (label := op.label).startswith("GET")}
    assert reads <= succeeded, f"never answered with data: {reads - succeeded}"
    report = "\n".join(f"{key}: {example}" for key, example in sorted(failures.items()))
    assert not failures, f"{len(failures)} kinds of failure:\n{report}"
    unused = [ALLOWLIST[i]["reason"].split("\n")[0] for i in range(len(ALLOWLIST)) if i not in used]
    assert not unused, f"allowlist entries that accept nothing any more: {unused}"

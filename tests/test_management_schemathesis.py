"""Schemathesis against the management API's own OpenAPI (`app.openapi()`), in-process over ASGI.

Every operation gets schemathesis's coverage phase (the edges of every parameter and field: missing,
null, too long, the wrong type, each enum value, an unexpected method) and up to 15 generated requests
in positive and in negative mode, with a fixed seed, and every built-in check runs on each answer: no
5xx, only documented statuses and shapes, valid data taken and invalid data refused, 401 without a
key, 405 with Allow for a method the path lacks. A failure the allowlist below does not explain fails
the test. Path parameters are half the time ids that exist (a site, charger, socket, tariff,
integration and its location), so the happy paths are exercised too, not only 404s. SQLite only: the
storage tests cover both engines; this one is about the HTTP contract.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi

from evroam.api.schemas import RequestModel
from evroam.app import create_app
from tests.conftest import API_KEY, make_settings
from tests.integrations.factories import FULL_SITE, STANDALONE, socket, tariff_body

# Every phase and both generation modes (the defaults, said here so that a changed default cannot
# narrow the test unnoticed).
CONFIG = SchemathesisConfig.from_dict({
    "generation": {"mode": "all"},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
})
REJECTED = "Schema-valid request rejected"
ACCEPTED = "Schema-violating request accepted"
# The failures that are no defect, each with why; everything else fails the test.
# Rules across parameters or files that JSON Schema cannot state.
ALLOWED_OPERATIONS = {
    ("GET /api/v2/cpo/spot-prices", REJECTED): "`to` must be after `from`",
    ("GET /api/v2/cpo/cdrs", REJECTED): "`to` must be after `from`",
    ("POST /api/v2/cpo/spot-prices/import", REJECTED): "the body is a CSV or ENTSO-E file, checked as such",
}
# A decimal's precision (max_digits, decimal_places): JSON Schema's multipleOf on binary floats cannot
# state it, so the generator sends 1e-30 or 13 digits; the API refuses them naming the limit.
PRECISION = re.compile(r"^must have at most \d+ (digits|decimal places|digits before the decimal point)$")
# Numeric bounds apply to JSON numbers only: a decimal sent as a string ("-1") is held to them all the same.
BOUND = re.compile(r"^must be (at least|at most|greater than|less than) ")
REQUEST_MODELS: dict[str, type[RequestModel]] = {}


def explained_rejection(case, response) -> bool:
    """A 400 for schema-valid data is explained when its body passes the request model (the refusal is then
    a use case's rule across fields or about stored data: a parent that would make a cycle, a price a
    FLAT component needs, an id that does not exist), or when each problem is a decimal's precision or a
    bound on a decimal sent as a string."""
    if response.status_code != 400:
        return False
    model = request_model(case)
    if model is not None:
        try:
            model.model_validate_json(json.dumps(case.body))
            return True
        except ValidationError:
            pass
    # The last detail may say how many more problems were not listed: the ones named stand for them.
    details = [detail for detail in response.json()["details"] if not detail["problem"].endswith(" not listed")]
    return bool(details) and all(
        PRECISION.match(detail["problem"])
        or (BOUND.match(detail["problem"]) and isinstance(sent_value(case.body, detail["field"]), str))
        for detail in details
    )


def request_model(case) -> type[RequestModel] | None:
    body = (case.operation.definition.raw.get("requestBody") or {}).get("content", {}).get("application/json")
    if body is None or not isinstance(case.body, dict):
        return None
    if not REQUEST_MODELS:
        REQUEST_MODELS.update({model.__name__: model for model in all_subclasses(RequestModel)})
    return REQUEST_MODELS.get(body["schema"]["$ref"].rsplit("/", 1)[1].removesuffix("-Input"))


def all_subclasses(model: type) -> list[type]:
    return [found for sub in model.__subclasses__() for found in (sub, *all_subclasses(sub))]


def sent_value(body: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(body, list) and part.isdigit() and int(part) < len(body):
            body = body[int(part)]
        elif isinstance(body, dict):
            body = body.get(part)
        else:
            return None
    return body


def explained_acceptance(case) -> bool:
    """The test itself makes some invalid cases valid: it always sends the API key (the only header, which
    a negative case may drop), and the path-parameter hook below swaps generated ids for ids that exist.
    A case invalid only there is rightly answered."""
    negative = {location.value for location, info in case.meta.components.items() if info.mode.is_negative}
    path_replaced = set((case.path_parameters or {}).values()) <= set(KNOWN.values())
    return negative <= {"header", "path"} and ("path" not in negative or path_replaced)


def allowed(case, response, title: str) -> bool:
    if (case.operation.label, title) in ALLOWED_OPERATIONS:
        return True
    if title == REJECTED:
        return explained_rejection(case, response)
    if title == ACCEPTED:
        return explained_acceptance(case)
    return False


# Built at import, as schemathesis needs the schema to parametrize the test; the database lives in a
# temporary directory and is migrated and seeded by the `known_ids` fixture (the app's lifespan).
_VAR_DIR = Path(tempfile.mkdtemp(prefix="evroam-schemathesis-"))
APP = create_app(settings=make_settings(f"sqlite+aiosqlite:///{_VAR_DIR / 'evroam.db'}", _VAR_DIR))
schema = schemathesis.openapi.from_dict(APP.openapi(), config=CONFIG)
schema.app = APP
KNOWN: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def known_ids() -> Iterator[None]:
    """Data to aim at: ids the generated requests may use."""
    with asgi.get_client(APP) as client:  # also starts the app's lifespan: migrations, operator, API key
        client.headers["x-api-key"] = API_KEY

        def created(path: str, body: dict) -> dict:
            response = client.post(f"/api/v2/cpo/{path}", json=body)
            assert response.status_code == 201, response.text
            return response.json()

        site_id = created("sites", FULL_SITE)["id"]
        created("chargers", {"chargerId": "ST_Charger1", "name": "Fuzzed", "siteId": site_id,
                             "sockets": [socket(1), socket(2)]})
        tariff_id = created("tariffs", tariff_body())["id"]
        integration_id = created("integrations", {"integrationName": "Fuzzed eMSP"})["integrationId"]
        location_id = created(f"integrations/{integration_id}/locations", {"siteId": site_id})["id"]
        created(f"integrations/{integration_id}/locations", {**STANDALONE, "chargerIds": []})
    KNOWN.update(siteId=site_id, chargerId="ST_Charger1", socketId=1, tariffId=tariff_id,
                 integrationId=integration_id, locationId=location_id)
    yield
    asgi.shutdown_lifespans()
    shutil.rmtree(_VAR_DIR, ignore_errors=True)


@schema.hook
def flatmap_path_parameters(_context, path_parameters: dict[str, Any] | None):
    if not path_parameters:
        return st.just(path_parameters)
    existing = {name: KNOWN[name] for name in path_parameters if name in KNOWN}
    return st.sampled_from([path_parameters, {**path_parameters, **existing}])


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_management_api_keeps_its_contract(case):
    headers = {"x-api-key": API_KEY}
    response = case.call(headers=headers)
    try:
        case.validate_response(response, headers=headers, transport_kwargs={"headers": dict(headers)})
    except FailureGroup as group:
        found = [failure for failure in group.exceptions if not allowed(case, response, failure.title)]
        if found:
            raise FailureGroup(found, group.message) from None

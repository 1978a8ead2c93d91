"""Schemathesis against the management API's own OpenAPI (`app.openapi()`), in-process over ASGI.

Every operation gets up to 15 generated requests (valid and invalid), with a fixed seed: no answer
may be a 5xx, contradict its documented status codes, or contradict its documented schema. Path
parameters are half the time ids that exist (a site, charger, socket, tariff, integration and its
location), so the happy paths are exercised too, not only 404s. SQLite only: the storage tests cover
both engines; this one is about the HTTP contract.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from schemathesis.python import asgi

from evroam.app import create_app
from tests.conftest import API_KEY, make_settings
from tests.integrations.factories import FULL_SITE, STANDALONE, socket, tariff_body

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


# Built at import, as schemathesis needs the schema to parametrize the test; the database lives in a
# temporary directory and is migrated and seeded by the `known_ids` fixture (the app's lifespan).
_VAR_DIR = Path(tempfile.mkdtemp(prefix="evroam-schemathesis-"))
APP = create_app(settings=make_settings(f"sqlite+aiosqlite:///{_VAR_DIR / 'evroam.db'}", _VAR_DIR))
schema = schemathesis.openapi.from_dict(APP.openapi())
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
    case.call_and_validate(headers={"x-api-key": API_KEY}, checks=CHECKS)

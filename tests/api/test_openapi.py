"""The management OpenAPI tells the truth: the error statuses each operation really answers, with the
API's own error body and never the framework's 422; a summary and a description on every operation;
the unit of every quantity and the VAT meaning of every price."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from evroam.app import create_app
from tests.conftest import make_settings

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
# Property names that hold a quantity (their description must give the unit) or money (and say VAT).
QUANTITY = re.compile(
    r"(kwh|power|voltage|amperage|current|duration|seconds|minutes|latitude|longitude|stepSize|width|height"
    r"|percentage|amount|totalEnergy|totalTime|ParkingTime|ReservationTime)$",
    re.IGNORECASE,
)
MONEY = re.compile(r"(price|priceCap|margin|exclVat|inclVat)$")


@pytest.fixture(scope="module")
def openapi(tmp_path_factory) -> dict[str, Any]:
    var = tmp_path_factory.mktemp("openapi")
    return create_app(settings=make_settings(f"sqlite+aiosqlite:///{var / 'unused.db'}", var)).openapi()


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def properties(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for model, schema in openapi["components"]["schemas"].items():
        for name, prop in schema.get("properties", {}).items():
            yield model, name, prop


def types_of(prop: dict[str, Any]) -> set[str]:
    found = {prop["type"]} if "type" in prop else set()
    for choice in prop.get("anyOf", ()):
        found |= types_of(choice)
    return found


def test_no_operation_advertises_the_frameworks_422(openapi):
    assert "HTTPValidationError" not in str(openapi) and "ValidationError" not in openapi["components"]["schemas"]
    assert [(method, path) for method, path, operation in operations(openapi) if "422" in operation["responses"]] == []


def test_every_error_status_has_the_apis_error_body(openapi):
    for method, path, operation in operations(openapi):
        errors = {status: answer for status, answer in operation["responses"].items() if status >= "400"}
        assert {"400", "401"} <= errors.keys(), (method, path)
        for status, answer in errors.items():
            assert answer["content"]["application/json"]["schema"] == ERROR_BODY, (method, path, status)
        # Items are named in the path, but for the authorization decision, whose body names charger and socket.
        assert ("404" in errors) == ("{" in path or path == "/api/v2/cpo/authorize"), (method, path)
        assert ("413" in errors) == (method in ("post", "put", "patch")), (method, path)
        assert ("409" in errors) == (method != "get"), (method, path)


def test_every_operation_has_a_summary_and_a_description(openapi):
    missing = [(method, path) for method, path, operation in operations(openapi)
               if not operation.get("summary") or len(operation.get("description", "")) < 20]  # fmt: skip
    assert missing == []


def test_every_number_and_quantity_says_its_unit_and_every_price_its_vat(openapi):
    undescribed = [f"{model}.{name}" for model, name, prop in properties(openapi)
                   if ("number" in types_of(prop) or QUANTITY.search(name))
                   and not prop.get("description")]  # fmt: skip
    assert undescribed == []
    silent_on_vat = [f"{model}.{name}" for model, name, prop in properties(openapi)
                     if MONEY.search(name) and "VAT" not in prop.get("description", "")]  # fmt: skip
    assert silent_on_vat == []


@pytest.mark.parametrize(("model", "name", "unit"), [
    ("SocketCreate", "maxPower", "kW"), ("SocketOut", "maxPower", "kW"), ("SocketCreate", "maxVoltage", "V"),
    ("Restrictions-Input", "maxPower", "kW"), ("Restrictions-Input", "maxKwh", "kWh"),
    ("Restrictions-Input", "maxDuration", "seconds"), ("PriceComponent-Input", "price", "Excluding VAT"),
    ("SpotPriceOut", "price", "excluding VAT"), ("MoneyOut", "inclVat", "Including VAT"),
])  # fmt: skip
def test_the_platforms_units(openapi, model, name, unit):
    assert unit in openapi["components"]["schemas"][model]["properties"][name]["description"]


async def test_each_operation_answers_401_without_a_key_as_documented(client, app):
    for method, path, operation in operations(app.openapi()):
        client.headers.pop("x-api-key", None)
        response = await client.request(method, re.sub(r"\{[^}]+\}", "1", path))
        assert response.status_code == 401 and "401" in operation["responses"], (method, path)
        assert set(response.json()) == {"error", "details"}


async def test_a_method_the_path_lacks_is_405_listing_every_method_it_has(client):
    response = await client.put("/api/v2/cpo/sites/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"


async def test_an_unknown_query_parameter_is_refused_naming_it(client):
    response = await client.get("/api/v2/cpo/chargers", params={"siteid": "7"})
    assert response.status_code == 400
    assert response.json()["details"] == [{"field": "siteid", "problem": "is not a parameter of this request"}]

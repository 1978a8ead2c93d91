"""A domain error raised under an OCPI route is answered in the envelope with its OCPI status, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from evroam.errors import Conflict, DomainError, FieldProblem, Invalid, InvalidDocument, NotFound
from evroam.ocpi.app import create_ocpi_app
from evroam.runtime import Runtime
from tests.conftest import make_settings

RAISED: dict[str, DomainError] = {
    "invalid": Invalid("country_code", "must be two letters"),
    "invalid-document": InvalidDocument(
        [FieldProblem("elements.0.priceComponents.0.price", "is required"), FieldProblem("currency", "is required")]
    ),
    "not-found": NotFound("Tariff T1"),
    "conflict": Conflict("tariffId", "the tariff is linked to an integration"),
}


@pytest.fixture
async def ocpi(tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """The real OCPI app (its middlewares and error handling) with one extra route that raises."""
    runtime = Runtime.from_settings(make_settings("sqlite+aiosqlite:///:memory:", tmp_path))
    app = create_ocpi_app(runtime)

    async def raise_error(kind: str) -> None:
        raise RAISED[kind]

    app.add_api_route("/raise/{kind}", raise_error)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client
    await runtime.close()


@pytest.mark.parametrize(
    ("kind", "http_status", "ocpi_status", "message"),
    [
        ("invalid", 200, 2001, "country_code: must be two letters"),
        (
            "invalid-document",
            200,
            2001,
            "Invalid request: elements.0.priceComponents.0.price: is required; currency: is required",
        ),
        ("not-found", 404, 2003, "Tariff T1 not found"),
        ("conflict", 409, 2000, "tariffId: the tariff is linked to an integration"),
    ],
)
async def test_domain_errors_get_their_ocpi_status(ocpi, kind, http_status, ocpi_status, message):
    response = await ocpi.get(f"/raise/{kind}")
    assert response.status_code == http_status
    body = response.json()
    assert body["status_code"] == ocpi_status
    assert body["status_message"] == message
    assert "data" not in body and body["timestamp"].endswith("Z")

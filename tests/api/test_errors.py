"""The management API answers domain errors with 400/404/409 and its JSON body `{"error", "details"}`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from evroam.api.errors import install_error_handlers
from evroam.errors import MAX_PROBLEMS_NAMED, Conflict, DomainError, FieldProblem, Invalid, InvalidDocument, NotFound

RAISED: dict[str, DomainError] = {
    "invalid": Invalid("siteId", "site 7 does not exist"),
    "invalid-document": InvalidDocument(
        [FieldProblem(f"elements.{index}.price", "is required") for index in range(4)]
    ),
    "many": InvalidDocument([FieldProblem(f"elements.{index}.price", "is required") for index in range(25)]),
    "not-found": NotFound("Charger C1"),
    "conflict": Conflict("chargerId", "already in use"),
}


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raise/{kind}")
    async def raise_error(kind: str) -> None:
        raise RAISED[kind]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (
            "invalid",
            400,
            b'{"error":"siteId: site 7 does not exist",'
            b'"details":[{"field":"siteId","problem":"site 7 does not exist"}]}',
        ),
        (
            "invalid-document",
            400,
            b'{"error":"Invalid request: elements.0.price: is required; elements.1.price: is required; '
            b'elements.2.price: is required; elements.3.price: is required",'
            b'"details":[{"field":"elements.0.price","problem":"is required"},'
            b'{"field":"elements.1.price","problem":"is required"},'
            b'{"field":"elements.2.price","problem":"is required"},'
            b'{"field":"elements.3.price","problem":"is required"}]}',
        ),
        ("not-found", 404, b'{"error":"Charger C1 not found","details":[]}'),
        (
            "conflict",
            409,
            b'{"error":"chargerId: already in use","details":[{"field":"chargerId","problem":"already in use"}]}',
        ),
    ],
)
async def test_domain_errors_get_the_management_status_and_body(api, kind, status, body):
    response = await api.get(f"/raise/{kind}")
    assert (response.status_code, response.content) == (status, body)


async def test_a_long_document_error_is_bounded_and_says_how_many_more(api):
    body = (await api.get("/raise/many")).json()
    assert len(body["details"]) == MAX_PROBLEMS_NAMED + 1
    assert body["details"][-1] == {"field": "body", "problem": "5 more problems not listed"}
    assert body["error"].count("is required") == MAX_PROBLEMS_NAMED
    assert body["error"].endswith("elements.19.price: is required; 5 more problems not listed")

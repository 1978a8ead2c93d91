"""An eMSP built with extrawest-ocpi (py_ocpi), run by the peer tests in its own virtual environment.

    python emsp.py --port 8123 --token-a SECRET [--country-code NL --party-id XWE --name "Extrawest eMSP"]
                   [--versions 2.2.1,2.1.1] [--max-limit 5]

It serves OCPI 2.2.1 and 2.1.1 in the eMSP role on 127.0.0.1:<port> with an in-memory store, accepts
`--token-a` as the registration token it issued (offline) to the CPO, and shows its store at `GET /store`
(no authentication: a test door) so that tests can see what the CPO registered and pushed, and the
real-time authorizations it answered. The store keeps only the latest state of each object, so it also
lists each push the CPO made (`pushes`: method, path, the HTTP status and `Location` answered, in arrival
order), to show how many times a document arrived and in which order, and what its models refused
(`refusals`: method, path and pydantic's errors of each request answered 422).

It is a Tokens Sender (token_sender.py): tests seed its tokens through the door `POST /store/tokens`
(a JSON list of tokens in either version's shape; a token with the same uid and type is replaced in
place), and it serves them in pages of at most `--max-limit` and answers `POST {tokens}/{uid}/authorize`
ALLOWED for a valid token, BLOCKED for an invalid one.

This file runs under pydantic 1 and must not import evroam.
"""

from __future__ import annotations

import argparse
import os
import uuid
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-a", required=True)
    parser.add_argument("--country-code", default="NL")
    parser.add_argument("--party-id", default="XWE")
    parser.add_argument("--name", default="Extrawest eMSP")
    parser.add_argument("--versions", default="2.2.1,2.1.1", help="the OCPI versions to offer, comma-separated")
    parser.add_argument("--max-limit", type=int, default=5, help="the largest page of a list GET")
    return parser.parse_args()


ARGS = _arguments()
# py_ocpi reads its settings from the environment when imported.
os.environ.update(
    OCPI_HOST=f"127.0.0.1:{ARGS.port}",
    PROTOCOL="http",
    COUNTRY_CODE=ARGS.country_code,
    PARTY_ID=ARGS.party_id,
    ENVIRONMENT="production",
)

import uvicorn  # noqa: E402
from fastapi import Request  # noqa: E402
from fastapi.exception_handlers import request_validation_exception_handler  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.encoders import jsonable_encoder  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import ValidationError  # noqa: E402
from py_ocpi import get_application  # noqa: E402
from py_ocpi.core.authentication.authenticator import Authenticator  # noqa: E402
from py_ocpi.core.crud import Crud  # noqa: E402
from py_ocpi.core.dependencies import pagination_filters  # noqa: E402
from py_ocpi.core.enums import Action, ModuleID, RoleEnum  # noqa: E402
from py_ocpi.modules.versions.enums import VersionNumber  # noqa: E402

import token_sender  # noqa: E402

VERSIONS_URL = f"http://127.0.0.1:{ARGS.port}/ocpi/versions"


class Store:
    token_a: list[str] = [ARGS.token_a]
    token_c: list[str] = []
    # What the CPO told us when it registered: its credentials, endpoints and version.
    registration: dict[str, Any] | None = None
    objects: dict[str, dict[str, Any]] = {}
    # Our drivers' tokens in the 2.2.1 shape, by (UID, type), in creation order.
    tokens: dict[tuple[str, str], dict[str, Any]] = {}
    # Each real-time authorization answered: what was asked (the LocationReferences as py_ocpi read
    # it) and the answer.
    authorizations: list[dict[str, Any]] = []
    # Each PUT, PATCH, POST and DELETE below a functional module: method, path, the HTTP status and
    # `Location` header answered.
    pushes: list[dict[str, Any]] = []
    # Each request py_ocpi's models refused (HTTP 422): method, path and the errors it answered.
    refusals: list[dict[str, Any]] = []


def _our_credentials(token: str, version: str) -> dict[str, Any]:
    details = {"name": ARGS.name}
    if version == VersionNumber.v_2_1_1:
        return {"token": token, "url": VERSIONS_URL, "business_details": details,
                "party_id": ARGS.party_id, "country_code": ARGS.country_code}
    return {"token": token, "url": VERSIONS_URL, "roles": [
        {"role": RoleEnum.emsp, "business_details": details, "party_id": ARGS.party_id,
         "country_code": ARGS.country_code},
    ]}


def _register(data: dict[str, Any], version: str, replacing: str | None) -> dict[str, Any]:
    if replacing in Store.token_c:
        Store.token_c.remove(replacing)
    token_c = f"xw-token-c-{uuid.uuid4().hex}"
    Store.token_c.append(token_c)
    Store.registration = {"version": version, **jsonable_encoder(data)}
    return _our_credentials(token_c, version)


class Tokens(Authenticator):
    @classmethod
    async def get_valid_token_a(cls) -> list[str]:
        return Store.token_a

    @classmethod
    async def get_valid_token_c(cls) -> list[str]:
        return Store.token_c


class MemoryCrud(Crud):
    @classmethod
    async def get(cls, module: ModuleID, role: RoleEnum, id, *args, **kwargs) -> Any:
        if module == ModuleID.credentials_and_registration:
            if id in Store.token_c and Store.registration:
                return _our_credentials(id, kwargs["version"])
            return None
        if module == ModuleID.tokens:
            return Store.tokens.get(token_sender.key(id, kwargs["token_type"].value))
        return Store.objects.get(module.value, {}).get(id)

    @classmethod
    async def list(cls, module: ModuleID, role: RoleEnum, filters: dict, *args, **kwargs) -> tuple:
        if module == ModuleID.tokens:
            shaped = (token_sender.in_version(token, kwargs["version"]) for token in Store.tokens.values())
            return token_sender.page([token for token in shaped if token], filters)
        objects = list(Store.objects.get(module.value, {}).values())
        return objects, len(objects), True

    @classmethod
    async def create(cls, module: ModuleID, role: RoleEnum, data: dict, *args, **kwargs) -> Any:
        if module == ModuleID.credentials_and_registration:
            # Token A dies once used.
            Store.token_a = [token for token in Store.token_a if token != kwargs.get("auth_token")]
            return _register(data, kwargs["version"], None)
        Store.objects.setdefault(module.value, {})[str(data["id"])] = jsonable_encoder(data)
        return data

    @classmethod
    async def update(cls, module: ModuleID, role: RoleEnum, data: dict, id: Any, *args, **kwargs) -> Any:
        if module == ModuleID.credentials_and_registration:
            return _register(data, kwargs["version"], kwargs.get("auth_token"))
        Store.objects.setdefault(module.value, {})[str(id)] = jsonable_encoder(data)
        return data

    @classmethod
    async def delete(cls, module: ModuleID, role: RoleEnum, id, *args, **kwargs) -> None:
        if module == ModuleID.credentials_and_registration:
            Store.token_c = [token for token in Store.token_c if token != id]
            Store.registration = None
            return
        Store.objects.get(module.value, {}).pop(id, None)

    @classmethod
    async def do(cls, module: ModuleID, role: RoleEnum | None, action, *args, data: dict | None = None,
                 **kwargs) -> Any:
        if action != Action.authorize_token:
            return None
        token = Store.tokens[token_sender.key(data["token_uid"], data["token_type"].value)]
        answer = token_sender.decision(token, data["location_reference"], kwargs["version"], uuid.uuid4().hex)
        Store.authorizations.append({"version": kwargs["version"], "uid": data["token_uid"],
                                     "type": data["token_type"].value, **jsonable_encoder(answer)})
        return answer


app = get_application(
    version_numbers=[VersionNumber(number) for number in ARGS.versions.split(",")],
    roles=[RoleEnum.emsp],
    crud=MemoryCrud,
    modules=[ModuleID.credentials_and_registration, ModuleID.locations, ModuleID.tariffs, ModuleID.sessions,
             ModuleID.cdrs, ModuleID.tokens],
    authenticator=Tokens,
)
app.dependency_overrides[pagination_filters] = token_sender.capped_filters(ARGS.max_limit)


@app.middleware("http")
async def tokens_on_the_wire(request: Request, call_next) -> Any:
    """Where py_ocpi's tokens routes and OCPI disagree on the wire (see token_sender.py)."""
    request.scope["query_string"] = token_sender.with_token_type(request.scope["path"],
                                                                 request.scope["query_string"])
    response = await call_next(request)
    if response.headers.get("link"):
        response.headers["link"] = token_sender.followable_link(response.headers["link"], str(request.url))
    return response


@app.middleware("http")
async def record_pushes(request: Request, call_next) -> Any:
    response = await call_next(request)
    path = request.scope["path"]
    if request.method != "GET" and path.startswith("/ocpi/") and "/credentials" not in path:
        Store.pushes.append({"method": request.method, "path": path, "status": response.status_code,
                             "location": response.headers.get("location")})
    return response


@app.exception_handler(RequestValidationError)
async def record_refusals(request: Request, exc: RequestValidationError) -> Any:
    """Answers as FastAPI does (422, `{"detail": errors}`), remembering the errors."""
    Store.refusals.append({"method": request.method, "path": request.scope["path"],
                           "errors": jsonable_encoder(exc.errors())})
    return await request_validation_exception_handler(request, exc)


@app.get("/store")
async def store() -> dict[str, Any]:
    return {"registration": Store.registration, "token_a": Store.token_a, "token_c": Store.token_c,
            "objects": Store.objects, "tokens": list(Store.tokens.values()), "authorizations": Store.authorizations,
            "pushes": Store.pushes, "refusals": Store.refusals}


@app.post("/store/tokens")
async def seed_tokens(request: Request) -> Any:
    try:
        tokens = [token_sender.normalised(token, ARGS.country_code, ARGS.party_id) for token in await request.json()]
    except ValidationError as exc:
        return JSONResponse({"detail": exc.errors()}, status_code=422)
    for token in tokens:
        Store.tokens[token_sender.key(token["uid"], token["type"])] = token
    return {"stored": len(tokens), "tokens": len(Store.tokens)}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=ARGS.port, log_level="warning")

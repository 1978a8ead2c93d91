"""An eMSP built with extrawest-ocpi (py_ocpi), run by the peer tests in its own virtual environment.

    python emsp.py --port 8123 --token-a SECRET [--country-code NL --party-id XWE --name "Extrawest eMSP"]
                   [--versions 2.2.1,2.1.1]

It serves OCPI 2.2.1 and 2.1.1 in the eMSP role on 127.0.0.1:<port> with an in-memory store, accepts
`--token-a` as the registration token it issued (offline) to the CPO, and shows its store at `GET /store`
(no authentication: a test door) so that tests can see what the CPO registered and pushed.

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
from fastapi.encoders import jsonable_encoder  # noqa: E402
from py_ocpi import get_application  # noqa: E402
from py_ocpi.core.authentication.authenticator import Authenticator  # noqa: E402
from py_ocpi.core.crud import Crud  # noqa: E402
from py_ocpi.core.enums import ModuleID, RoleEnum  # noqa: E402
from py_ocpi.modules.versions.enums import VersionNumber  # noqa: E402

VERSIONS_URL = f"http://127.0.0.1:{ARGS.port}/ocpi/versions"


class Store:
    token_a: list[str] = [ARGS.token_a]
    token_c: list[str] = []
    # What the CPO told us when it registered: its credentials, endpoints and version.
    registration: dict[str, Any] | None = None
    objects: dict[str, dict[str, Any]] = {}


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
        return Store.objects.get(module.value, {}).get(id)

    @classmethod
    async def list(cls, module: ModuleID, role: RoleEnum, filters: dict, *args, **kwargs) -> tuple:
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
        return None


app = get_application(
    version_numbers=[VersionNumber(number) for number in ARGS.versions.split(",")],
    roles=[RoleEnum.emsp],
    crud=MemoryCrud,
    modules=[ModuleID.credentials_and_registration, ModuleID.locations, ModuleID.tariffs, ModuleID.sessions,
             ModuleID.cdrs],
    authenticator=Tokens,
)


@app.get("/store")
async def store() -> dict[str, Any]:
    return {"registration": Store.registration, "token_a": Store.token_a, "token_c": Store.token_c,
            "objects": Store.objects}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=ARGS.port, log_level="warning")

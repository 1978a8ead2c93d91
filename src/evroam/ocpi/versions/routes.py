"""Versions module: the OCPI versions we speak and, per partner, the endpoints it may use (ocpi-notes §4).

`GET /ocpi/versions` lists our versions; `GET /ocpi/{version}` lists the modules of that version
(from the registry, `ocpi/modules.py`) that the calling partner's integration opens: configuration
modules always, a Sender when the integration's `models` let it pull (None or absent means on).
"2.2" is listed too, served by the 2.2.1 implementation (same endpoints): a partner that only knows 2.2
finds its version when it calls us back during a registration.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from evroam.api.deps import RuntimeDep
from evroam.ocpi import modules
from evroam.ocpi.modules import PARTNER_VERSIONS, V211
from evroam.ocpi.protocol.auth import RegistrationCaller
from evroam.ocpi.protocol.envelope import ocpi_response


def versions_url(public_url: str) -> str:
    return f"{public_url}/ocpi/versions"


def version_url(public_url: str, version: str) -> str:
    return f"{public_url}/ocpi/{version}"


def module_url(public_url: str, version: str, identifier: str) -> str:
    return f"{public_url}/ocpi/{version}/{identifier}"


def our_endpoints(public_url: str, version: str, models: dict[str, Any] | None) -> list[dict[str, str]]:
    models = models or {}
    endpoints = []
    for module in modules.MODULES:
        if module.role is None or version not in module.versions:
            continue
        if module.pull_flag and models.get(module.pull_flag) is False:
            continue
        endpoint = {"identifier": module.identifier, "url": module_url(public_url, version, module.identifier)}
        if version != V211:  # 2.1.1 endpoints have no role
            endpoint["role"] = module.role
        endpoints.append(endpoint)
    return endpoints


router = APIRouter(tags=["versions"])


@router.get("/versions", summary="Versions we speak")
@router.get("/versions/", include_in_schema=False)
async def get_versions(caller: RegistrationCaller, runtime: RuntimeDep):
    return ocpi_response([{"version": v, "url": version_url(runtime.public_url, v)} for v in PARTNER_VERSIONS])


def _details_route(version: str) -> None:
    implementation = PARTNER_VERSIONS[version]

    async def get_version_details(caller: RegistrationCaller, runtime: RuntimeDep):
        endpoints = our_endpoints(runtime.public_url, implementation, caller.integration.models)
        return ocpi_response({"version": version, "endpoints": endpoints})

    router.add_api_route(f"/{version}", get_version_details, methods=["GET"], summary=f"Endpoints of {version}",
                         name=f"version_details_{version}")
    router.add_api_route(f"/{version}/", get_version_details, methods=["GET"], include_in_schema=False)


for _version in PARTNER_VERSIONS:
    _details_route(_version)

"""Driving evroam the way an operator does, through the management API, for the peer tests."""

from __future__ import annotations

from typing import Any

import httpx

from evroam.runtime import Runtime

INTEGRATIONS = "/api/v2/cpo/integrations"


async def register_through_the_api(client: httpx.AsyncClient, runtime: Runtime, versions_url: str, token_a: str,
                                   role: str = "EMSP") -> dict[str, Any]:
    """Creates an integration with `ocpiConnection` (evroam is the SENDER), waits for the exchange to end
    and returns the integration's details."""
    response = await client.post(INTEGRATIONS, json={
        "integrationName": "Extrawest eMSP",
        "ocpiConnection": {"endpointUrl": versions_url, "initialToken": token_a, "initialRole": role},
    })
    assert response.status_code == 201, response.text
    await runtime.wait_for_background()
    details = await client.get(f"{INTEGRATIONS}/{response.json()['integrationId']}")
    assert details.status_code == 200, details.text
    return details.json()

"""Shapes of POST /api/v2/cpo/integrations/{integrationId}/resync."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from evroam.api.schemas import CamelModel, Instant, RequestModel

ModuleName = Annotated[str, Field(max_length=32)]


class ResyncRequest(RequestModel):
    # OCPI module identifiers (the service checks them against the module registry and the integration).
    modules: list[ModuleName] = Field(min_length=1, max_length=16, description="The OCPI modules to push again, "
                                      "among those the integration pushes (e.g. locations, tariffs)")
    date_from: Instant | None = Field(default=None, alias="from", description="Only documents last updated at "
                                      "or after this moment; without it, every document")


class ResyncQueued(CamelModel):
    # Per module asked for: how many documents were queued.
    queued: dict[str, int]

"""Shapes of POST /authorize and of the decisions listed per charger."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from evroam.api.schemas import CamelModel, RequestModel
from evroam.charging.authorization.decision import Source, Status

# What a charger reads from a card: an OCPI token uid, CiString(36): printable ASCII, no spaces.
IdTag = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,36}$")]
ChargerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AuthorizeRequest(RequestModel):
    charger_id: ChargerId
    socket_id: Annotated[int, Field(ge=0, le=2_147_483_647)]
    id_tag: Annotated[IdTag, Field(description="The token uid read at the charger: 1 to 36 printable ASCII characters")]


class AuthorizeResponse(CamelModel):
    allowed: bool
    status: Status
    source: Source
    integration_id: str | None
    authorization_reference: str
    token: dict[str, Any] | None
    reason: str


class AuthorizationOut(AuthorizeResponse):
    charger_id: str
    socket_id: int
    id_tag: str
    location_id: str | None
    evse_uid: str | None
    decided_at: datetime

"""The token policy as the management API shows and takes it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from evroam.api.schemas import CamelModel, RequestModel

RealtimeFallback = Literal["STORED_TOKEN", "ALLOW", "REFUSE"]
TimeoutMs = Annotated[int, Field(ge=100, le=30_000, description="How long a real-time authorization waits for "
                                 "the eMSP, in milliseconds")]
FullEvery = Annotated[int, Field(ge=0, le=24 * 366, description="Hours between scheduled full pulls of the "
                                 "partner's tokens; 0: none")]
DeltaEvery = Annotated[int, Field(ge=0, le=60 * 24 * 31, description="Minutes between scheduled delta pulls; "
                                  "0: none")]
FallbackField = Annotated[RealtimeFallback, Field(description="When the eMSP does not answer in time: decide "
                                                  "from the stored token, allow, or refuse")]


class TokenPolicyIn(RequestModel):
    """Every field may be left out: it then takes its default (3000 ms, STORED_TOKEN, 720 h, 60 min)."""

    realtime_timeout_ms: TimeoutMs | None = None
    realtime_fallback: FallbackField | None = None
    full_pull_every_hours: FullEvery | None = None
    delta_pull_every_minutes: DeltaEvery | None = None


class TokenPolicyOut(CamelModel):
    integration_id: str
    realtime_timeout_ms: TimeoutMs
    realtime_fallback: FallbackField
    full_pull_every_hours: FullEvery
    delta_pull_every_minutes: DeltaEvery

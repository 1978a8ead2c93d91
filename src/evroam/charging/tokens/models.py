"""The eMSPs' tokens as each integration's partner gave them (pushed to our Tokens Receiver or pulled from
its Sender), and how the operator wants them used.

A token is kept per integration, keyed as OCPI keys it: the eMSP's party, the uid and the type (ocpi-notes
§12.2). OCPI never deletes a token: the eMSP sets `valid=false`, and a token a full pull no longer lists
is marked invalid the same way, so a CDR can still name it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow

# SQLite only makes an INTEGER PRIMARY KEY its rowid (auto-incremented); PostgreSQL gets a bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class PartnerToken(Base):
    __tablename__ = "partner_tokens"
    __table_args__ = (
        # OCPI's key (uid and type are unique within an eMSP), upper-cased: CiString compares without case.
        Index("uq_partner_tokens_key", "integration_id", "country_code", "party_id", "uid_key", "type",
              unique=True),
        # The authorization decision looks a presented idTag up across the charger's integrations.
        Index("ix_partner_tokens_uid_key", "uid_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"))
    # The eMSP's party, upper-cased; for a 2.1.1 partner (whose tokens carry none) the party it registered.
    country_code: Mapped[str] = mapped_column(String(2))
    party_id: Mapped[str] = mapped_column(String(3))
    # As the eMSP spells it (GET gives it back so), and upper-cased for lookups.
    uid: Mapped[str] = mapped_column(String(36))
    uid_key: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(16))
    contract_id: Mapped[str] = mapped_column(String(36))
    valid: Mapped[bool] = mapped_column(Boolean)
    whitelist: Mapped[str] = mapped_column(String(16))
    # The whole token in the 2.2.1 shape (the 2.1.1 one is mapped to it): what GET answers, what the
    # authorization decision reports.
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    # The eMSP's `last_updated`.
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the partner last gave us this token, by push or in a pull: a full pull that started after this
    # and ended without listing it has shown the token is gone.
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# What an integration without a policy row gets (the column defaults too).
POLICY_DEFAULTS = {
    "realtime_timeout_ms": 3000,
    "realtime_fallback": "STORED_TOKEN",
    "full_pull_every_hours": 24 * 30,
    "delta_pull_every_minutes": 60,
}


class TokenPolicy(Base):
    """How the operator uses one integration's tokens; no row means POLICY_DEFAULTS."""

    __tablename__ = "token_policies"

    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), primary_key=True
    )
    # How long the real-time authorization waits for the eMSP (Plugsurfing's own limit is 3 s).
    realtime_timeout_ms: Mapped[int] = mapped_column(Integer, default=POLICY_DEFAULTS["realtime_timeout_ms"])
    # When the eMSP does not answer in time: STORED_TOKEN (decide from the stored token, as OCPI's
    # ALLOWED_OFFLINE says), ALLOW or REFUSE.
    realtime_fallback: Mapped[str] = mapped_column(String(16), default=POLICY_DEFAULTS["realtime_fallback"])
    # Hubs limit pulls (Gireve: a full pull at most monthly, a delta at most hourly); 0 turns one off.
    full_pull_every_hours: Mapped[int] = mapped_column(Integer, default=POLICY_DEFAULTS["full_pull_every_hours"])
    delta_pull_every_minutes: Mapped[int] = mapped_column(Integer, default=POLICY_DEFAULTS["delta_pull_every_minutes"])

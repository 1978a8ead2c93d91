"""The authorization decisions taken for the operator's chargers: the last ones per charger are shown to
the operator, and the sessions carry a decision's `authorization_reference` into the Session and the CDR."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.charging.tokens.models import BigId
from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


class Authorization(Base):
    __tablename__ = "authorizations"
    __table_args__ = (
        Index("ix_authorizations_charger_decided", "charger_id", "decided_at"),
        # The latest decision for an idTag at a socket, read on every event of a session (sessions'
        # decision_for): without it, a session no decision let in read every decision of its charger.
        Index("ix_authorizations_socket_tag", "charger_id", "socket_id", "id_tag", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Ours, or for a real-time decision the one the eMSP's AuthorizationInfo gave (CiString(36)).
    authorization_reference: Mapped[str] = mapped_column(String(36), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    charger_id: Mapped[str] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    socket_id: Mapped[int] = mapped_column(Integer)
    id_tag: Mapped[str] = mapped_column(String(36))
    allowed: Mapped[bool] = mapped_column(Boolean)
    # ALLOWED, BLOCKED, EXPIRED, NO_CREDIT, NOT_ALLOWED or UNKNOWN.
    status: Mapped[str] = mapped_column(String(16))
    # LOCAL, REAL_TIME or FALLBACK.
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    # The integration whose token decided (None: no integration knew the idTag).
    integration_id: Mapped[str | None] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="SET NULL"), index=True
    )
    # The token as it stood when deciding (2.2.1 shape), for the Session's and the CDR's cdr_token.
    token: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    # The OCPI location and EVSE the decision was for, as published to that integration.
    location_id: Mapped[str | None] = mapped_column(String(36))
    evse_uid: Mapped[str | None] = mapped_column(String(36))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

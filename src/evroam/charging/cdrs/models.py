"""The CDRs evroam issued: each 2.2.1 document as sent, and the columns the management API filters on.

CDRs outlive what they describe (a deleted charger, site or integration leaves its CDRs: they are
billing records), so those references are plain columns, not foreign keys. The sessions table lives
with the sessions capability; a CDR names its session by id.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow

Amount = Numeric(14, 4)  # the engine's amounts carry 4 decimals


class Cdr(Base):
    __tablename__ = "cdrs"
    __table_args__ = (
        # One CDR per session and revision, one credit of each: two stops of one session, or two
        # corrections of one CDR, cannot both write (the original is revision 0, each correction's
        # new CDR the next revision, a credit CDR shares the revision of the CDR it credits).
        UniqueConstraint("operator_id", "session_id", "revision", "credit"),
        Index("ix_cdrs_operator_start", "operator_id", "start_date_time"),
    )

    # Ours (CiString(39)): 36 characters at most, a credit CDR's adds "-C".
    id: Mapped[str] = mapped_column(String(39), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    integration_id: Mapped[str] = mapped_column(String(36), index=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    charger_id: Mapped[str] = mapped_column(String(64), index=True)
    site_id: Mapped[int] = mapped_column(Integer, index=True)
    revision: Mapped[int] = mapped_column(Integer)
    credit: Mapped[bool] = mapped_column(Boolean)
    # The credited CDR: unique, so a CDR is credited once whatever races.
    credit_reference_id: Mapped[str | None] = mapped_column(String(39), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    start_date_time: Mapped[datetime] = mapped_column(UtcDateTime)
    end_date_time: Mapped[datetime] = mapped_column(UtcDateTime)
    total_energy: Mapped[Decimal] = mapped_column(Amount)
    total_cost_excl_vat: Mapped[Decimal] = mapped_column(Amount)
    total_cost_incl_vat: Mapped[Decimal] = mapped_column(Amount)
    # The location's time zone the tariff was applied in, to price a correction the same way.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

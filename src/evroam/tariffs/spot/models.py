"""The day-ahead spot price series that spot tariffs follow."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, UtcDateTime, utcnow


class SpotPrice(Base):
    """One price interval of a bidding zone's day-ahead series, per kWh in the zone's currency."""

    __tablename__ = "spot_prices"
    __table_args__ = (Index("ix_spot_prices_lookup", "operator_id", "bidding_zone", "starts_at", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    bidding_zone: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    price_per_kwh: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    currency: Mapped[str] = mapped_column(String(3))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

"""Tariff links: where in an integration a central tariff applies (location, charger or socket)."""

from __future__ import annotations


from sqlalchemy import ForeignKey, Index, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base


class TariffLink(Base):
    """Links a tariff to a whole location, a charger in it, or one socket; the most specific link wins."""

    __tablename__ = "tariff_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), index=True
    )
    tariff_id: Mapped[str] = mapped_column(ForeignKey("tariffs.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("integration_locations.id", ondelete="CASCADE"), index=True
    )
    charger_id: Mapped[str | None] = mapped_column(ForeignKey("chargers.charger_id", ondelete="CASCADE"))
    socket_id: Mapped[int | None] = mapped_column(Integer)


# One link per level, also for the location level (no charger) and the charger level (no socket): a
# plain UNIQUE lets rows with NULLs repeat, and two concurrent requests could both add the same link.
Index(
    "uq_tariff_links_level",
    TariffLink.tariff_id,
    TariffLink.location_id,
    func.coalesce(TariffLink.charger_id, ""),
    func.coalesce(TariffLink.socket_id, 0),
    unique=True,
)

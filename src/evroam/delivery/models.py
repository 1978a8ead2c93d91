"""The outbox: pushes to partners, written in the same transaction as the change that caused them.

One row is one HTTP request to one partner. How it reaches the partner is its module's delivery kind
(`DeliveryKind` in `ocpi/modules.py`):

* OBJECT (locations, tariffs, sessions). `method` PUT, PATCH or DELETE; `path` below the
  partner's Receiver endpoint of `module`, `/{country_code}/{party_id}/{object id}[/...]`; the endpoint
  is looked up when delivering. `object_id` is the top-level object, the unit of ordering (FIFO per
  object) and of coalescing (the module's superseding methods make waiting rows SUPERSEDED).
* POSTED_ONCE (CDRs). `method` POST, `path` "" (the Receiver endpoint itself), `object_id` the CDR id;
  nothing supersedes it. The partner answers with a `Location` header, the CDR's URL on its side,
  which only the worker sees: it goes in a new nullable column `partner_location` (String 512),
  written with the outcome and shown by the deliveries endpoint (delivered rows of this kind are kept,
  not pruned: the record that the CDR reached the partner). A retry after a lost answer may POST twice; the
  worker takes the partner's "already known" answer for this CDR as delivered (`transport.py`).
* RESULT (command and charging profile results; ActiveChargingProfile PUTs). `method` POST to the
  `response_url` the partner gave in its request, or PUT to its chargingprofiles endpoint at
  `/{session_id}`: an absolute URL kept in `target_url` (`path` ""); `object_id` the request's id (a
  command id) or the session's; nothing supersedes it. The outbound guard applies when it is called, as to every
  partner URL, since the URL came from outside. `addressee` is the party that asked ("NL/EMS"), for the
  routing headers: behind a hub it need not be the integration's own party.

The kind is the module's and needs no column. Columns arrive with the kinds that
need them: `partner_location` with POSTED_ONCE (0013_outbox_posted_once), `target_url` and `addressee`
with RESULT (0014_commands).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, UtcDateTime, utcnow

PENDING = "PENDING"  # waiting for its first attempt
IN_FLIGHT = "IN_FLIGHT"  # leased by a worker; a lease that runs out makes the row claimable again
RETRYING = "RETRYING"  # failed at least once; tried again at next_attempt_at
DELIVERED = "DELIVERED"
SUPERSEDED = "SUPERSEDED"  # a later superseding row of the same object (a full PUT or a DELETE) made it pointless
WAITING = (PENDING, RETRYING)
OPEN = (PENDING, RETRYING, IN_FLIGHT)
STATUSES = (PENDING, IN_FLIGHT, RETRYING, DELIVERED, SUPERSEDED)


class Delivery(Base):
    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        Index("ix_outbox_deliveries_due", "status", "next_attempt_at"),
        # FIFO per object: a row is only claimable when no earlier open row of its object exists.
        Index("ix_outbox_deliveries_object", "integration_id", "module", "object_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[str] = mapped_column(ForeignKey("integrations.integration_id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(16))
    # The top-level object (location or tariff id): the unit of ordering and coalescing.
    object_id: Mapped[str] = mapped_column(String(36))
    method: Mapped[str] = mapped_column(String(6))
    # Below the partner's receiver endpoint, e.g. /FI/EVR/{location_id}/{evse_uid} (the OBJECT kind); the
    # endpoint itself is looked up when delivering, so a partner that moves its endpoints still gets the row.
    path: Mapped[str] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # POSTED_ONCE rows: the partner's `Location` answer, the document's URL on its side.
    partner_location: Mapped[str | None] = mapped_column(String(512))
    # RESULT rows: the URL the partner asked the result to be POSTed to, and the party that asked ("NL/EMS").
    target_url: Mapped[str | None] = mapped_column(Text)
    addressee: Mapped[str | None] = mapped_column(String(6))

"""Integrations: one per partner connection, with its OCPI credentials state and what it publishes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from evroam.db import Base, JsonDocument, UtcDateTime, utcnow


class Integration(Base):
    __tablename__ = "integrations"

    integration_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    integration_type: Mapped[str] = mapped_column(String(16), default="OCPI")
    integration_name: Mapped[str] = mapped_column(String(255))
    integration_status: Mapped[str] = mapped_column(String(16), default="PENDING")
    status_description: Mapped[str | None] = mapped_column(Text)
    credentials_exchange_role: Mapped[str | None] = mapped_column(String(8))
    end_point_url: Mapped[str | None] = mapped_column(String(255))
    customer_roles: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    # Push/pull flags as given (None = default: on where the partner's endpoints make it possible).
    models: Mapped[dict[str, bool | None]] = mapped_column(JsonDocument, default=dict)
    charging_period_interval_in_minutes: Mapped[int] = mapped_column(Integer, default=15)
    state_of_charge_is_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    free_vending_with_idtag_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_party_id: Mapped[str | None] = mapped_column(String(64))
    third_party_id: Mapped[str | None] = mapped_column(String(3))
    third_party_country_code: Mapped[str | None] = mapped_column(String(2))
    platform_integration: Mapped[bool] = mapped_column(Boolean, default=False)
    platform_integration_id: Mapped[str | None] = mapped_column(String(64))
    platform_party_id: Mapped[str | None] = mapped_column(String(3))
    platform_party_country_code: Mapped[str | None] = mapped_column(String(2))
    # {tenant, clientId, clientSecretEncrypted, meteredValuesAreSent, activateConnection}
    utility_cloud_connection: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    salesforce_connection: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)

    # OCPI credentials state.
    ocpi_version: Mapped[str | None] = mapped_column(String(8))
    version_details: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    partners_company_detail: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    partner_versions_url: Mapped[str | None] = mapped_column(String(255))
    initial_role: Mapped[str | None] = mapped_column(String(8))
    # The partner's token A (given to us offline) and the token we use towards them (B or C), Fernet-encrypted.
    partner_initial_token_encrypted: Mapped[str | None] = mapped_column(Text)
    partner_token_encrypted: Mapped[str | None] = mapped_column(Text)
    token_encoding: Mapped[str] = mapped_column(String(8), default="auto")
    hub_client_info: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    # Until when the running credentials exchange (evroam as SENDER) holds the integration; see
    # evroam.ocpi.exchange_lease. Internal: the API never shows it.
    exchange_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class IntegrationToken(Base):
    """An OCPI credentials token we issued to a partner; only its SHA-256 is kept."""

    __tablename__ = "integration_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), index=True
    )
    # A: registration only (versions and credentials); B or C: the partner's full access.
    kind: Mapped[str] = mapped_column(String(1))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IntegrationLocation(Base):
    """A location published to one integration: backed by a site, or standalone with its own fields."""

    __tablename__ = "integration_locations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    integration_id: Mapped[str] = mapped_column(
        ForeignKey("integrations.integration_id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    # Site-backed and not excluded: every charger of the site, now and later. Otherwise the explicit list.
    exclude_chargers: Mapped[bool] = mapped_column(Boolean, default=False)
    # Standalone locations carry the site-like fields themselves (camelCase, as the API takes them).
    standalone: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    publish: Mapped[bool] = mapped_column(Boolean, default=True)
    publish_allowed_to: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The location as GET integration details shows it (JSON text), kept by details_read_model: cleared
    # (NULL) by every change it depends on, which bumps the version; built again by the next read.
    details: Mapped[str | None] = mapped_column(Text, deferred=True)
    details_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class IntegrationLocationCharger(Base):
    __tablename__ = "integration_location_chargers"

    location_id: Mapped[str] = mapped_column(
        ForeignKey("integration_locations.id", ondelete="CASCADE"), primary_key=True
    )
    charger_id: Mapped[str] = mapped_column(
        ForeignKey("chargers.charger_id", ondelete="CASCADE"), primary_key=True, index=True
    )


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

"""Integrations: one per partner connection, with its OCPI credentials state and the tokens we issued it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from evroam.database.base import Base, JsonDocument, UtcDateTime, utcnow


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
    # evroam.ocpi.credentials.routes.exchange_lease. Internal: the API never shows it.
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

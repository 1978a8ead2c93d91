"""The operator's view of the tokens its partners gave evroam (GET …/integrations/{integrationId}/tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import model_validator

from evroam.api.schemas import CamelModel
from evroam.charging.tokens.records import TokenType


class TokenOut(CamelModel):
    uid: str
    type: TokenType
    country_code: str
    party_id: str
    contract_id: str
    visual_number: str | None = None
    issuer: str
    group_id: str | None = None
    valid: bool
    whitelist: str
    language: str | None = None
    default_profile_type: str | None = None
    # The eMSP's last_updated, and when evroam last received the token (pushed or pulled).
    last_updated: datetime
    seen_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, row: Any) -> Any:
        """A stored token: its columns, and the fields only its kept OCPI document holds."""
        if isinstance(row, dict):
            return row
        document = row.document
        return {
            "uid": row.uid, "type": row.type, "country_code": row.country_code, "party_id": row.party_id,
            "contract_id": row.contract_id, "valid": row.valid, "whitelist": row.whitelist,
            "last_updated": row.last_updated, "seen_at": row.seen_at, "issuer": document.get("issuer", ""),
            **{name: document.get(name) for name in ("visual_number", "group_id", "language", "default_profile_type")},
        }  # fmt: skip

"""A token as evroam keeps it, whichever way it came (pushed to our Receiver, pulled from the eMSP's
Sender): its OCPI key, the 2.2.1 document and the columns it is found by. `ocpi/tokens/mapping.py`
makes them from the partner's documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

# OCPI's TokenType (2.2.1; 2.1.1 knows OTHER and RFID only).
TokenType = Literal["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]


@dataclass(frozen=True, slots=True)
class TokenKey:
    """What identifies a token within one integration: the eMSP's party, the uid and the type."""

    country_code: str
    party_id: str
    uid: str
    type: str

    @property
    def uid_key(self) -> str:
        # uid is a CiString: two spellings differing in case are one token.
        return self.uid.upper()


@dataclass(frozen=True, slots=True)
class KeptToken:
    key: TokenKey
    document: dict[str, Any]
    contract_id: str
    valid: bool
    whitelist: str
    # The eMSP's last_updated.
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class TokenFilters:
    """What the operator's token list is narrowed to (None: any)."""

    uid: str | None = None
    type: str | None = None
    valid: bool | None = None

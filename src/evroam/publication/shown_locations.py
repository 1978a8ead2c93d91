"""The Location documents a partner holds, for the 2.1.1 documents that carry a whole location (a
Session's or a CDR's), read once for a batch of them."""

from __future__ import annotations

from typing import Any

import orjson

from evroam.ocpi.modules import LOCATIONS, V211
from evroam.publication.ledger import IntegrationLedger


class LocationsShown:
    def __init__(self, ledger: IntegrationLedger, location_ids: set[str]) -> None:
        self._documents: dict[str, dict[str, Any]] = {}
        if ledger.version == V211 and location_ids:  # 2.2.1 documents name the location by id only
            rows = ledger.rows(LOCATIONS, location_ids)
            self._documents = {location_id: orjson.loads(row.document) for location_id, row in rows.items()}

    def of(self, location_id: str) -> dict[str, Any] | None:
        return self._documents.get(location_id)

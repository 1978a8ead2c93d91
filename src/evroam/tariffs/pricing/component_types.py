"""The price component types a stored tariff may hold, in the order of the platform's v1 integer codes.

A stored component names its type or, as the platform's v1 API wrote it, gives its code: the position
in `V1_COMPONENT_TYPES` (ENERGY is 0, MONTHLY_FLAT 8). The management API's schema, the engine's parser
and the OCPI mapping all read codes through this one table.
"""

from __future__ import annotations

V1_COMPONENT_TYPES: tuple[str, ...] = (
    "ENERGY", "FLAT", "PARKING_TIME", "TIME", "SOCKET_COUNT", "CHARGER_COUNT", "ENERGY_SPOT",
    "ENERGY_SPOT_LOCKED", "MONTHLY_FLAT",
)  # fmt: skip

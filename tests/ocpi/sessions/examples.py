"""The specification's location example (LOC1, where its Session and CDR examples take place) as the
2.1.1 Location document a 2.1.1 partner holds of it: what the sessions and CDRs mappings embed."""

from __future__ import annotations

from typing import Any

from tests.ocpi.factories import example


def location_211() -> dict[str, Any]:
    """location.json said in 2.1.1 by hand (ocpi-notes §14, "Locations"), stamps as they are."""
    location = example("location.json")
    evses = [
        {
            **{name: value for name, value in evse.items() if name != "connectors"},
            "connectors": [
                {"id": connector["id"], "standard": connector["standard"], "format": connector["format"],
                 "power_type": connector["power_type"], "voltage": connector["max_voltage"],
                 "amperage": connector["max_amperage"], "tariff_id": connector["tariff_ids"][0],
                 "last_updated": connector["last_updated"]}
                for connector in evse["connectors"]
            ],
        }
        for evse in location["evses"]
    ]
    return {
        "id": location["id"], "type": "ON_STREET",
        **{name: location[name] for name in ("name", "address", "city", "postal_code", "country", "coordinates")},
        "evses": evses,
        **{name: location[name] for name in ("operator", "time_zone", "last_updated") if name in location},
    }

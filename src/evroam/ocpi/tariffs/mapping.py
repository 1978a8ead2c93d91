"""Central tariffs as OCPI Tariff documents, in the 2.2.1 and the 2.1.1 shape (without `last_updated`,
which the publication ledger stamps).

What partners get of a tariff (emabler-reference.md, "Tariffs"):

* only PRICE tariffs are published; COST and OTHER tariffs never leave the platform;
* ENERGY, FLAT, TIME and PARKING_TIME components go out as they are (`step_size` 1 unless given);
* MONTHLY_FLAT, SOCKET_COUNT and CHARGER_COUNT are not session prices and are left out;
* an element with a spot component (ENERGY_SPOT, ENERGY_SPOT_LOCKED) goes out as one element per known
  spot price interval of the horizon, each with ENERGY at that interval's price (mapping_spot.py),
  followed by the element itself with the spot component as ENERGY at the price a session pays when
  the spot price stands at its `priceCap` (the cap with the margins applied), for the moments beyond
  the horizon; without a cap, that last element has no spot price to state and leaves it out;
* an element left without components is dropped, and a tariff left without elements is not
  published at all (OCPI needs at least one element);
* restrictions in snake_case, min/max price as OCPI Price.

2.1.1 has no country_code/party_id, type, vat, min/max price, validity dates, current restrictions or
reservation restriction: those fields are left out, and an element restricted by current or to
reservations is dropped, never published with a broader meaning than it has (without its
restriction it would price every moment of every session). EnergyMix impacts name their category
`source`. The 2.1.1 document is the 2.2.1 one said in 2.1.1 (`tariff_211`), the one conversion also
used for the tariffs a CDR carries as they were (ocpi/cdrs/mapping.py).

Texts longer than the version allows (TARIFF_LIMITS; 2.1.1's ASCII transliteration makes text longer)
are shortened, and each shortened text and dropped element is a warning in the document's `Fitting`
(ocpi/fitting.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evroam.ocpi.fitting import DISPLAY_TEXT, ENERGY_MIX, Fitting, Limits
from evroam.ocpi.protocol.ascii_211 import ascii_document
from evroam.ocpi.locations.mapping import Party, energy_mix, json_number, utc_text
from evroam.ocpi.modules import V211
from evroam.ocpi.tariffs.spot_elements import KnownSpotPrices, interval_elements
from evroam.tariffs.pricing.spot import spot_unit_price
from evroam.tariffs.models import Tariff
from evroam.tariffs.schemas import SPOT_TYPES
from evroam.tariffs.pricing.component_types import V1_COMPONENT_TYPES
from evroam.tariffs.pricing.parsing import spot_rule
from evroam.tariffs.publishability import is_publishable

_FIXED_TYPES = {"ENERGY", "FLAT", "TIME", "PARKING_TIME"}
_RESTRICTION_NAMES = (
    ("startTime", "start_time"), ("endTime", "end_time"), ("startDate", "start_date"), ("endDate", "end_date"),
    ("minKwh", "min_kwh"), ("maxKwh", "max_kwh"), ("minCurrent", "min_current"), ("maxCurrent", "max_current"),
    ("minPower", "min_power"), ("maxPower", "max_power"), ("minDuration", "min_duration"),
    ("maxDuration", "max_duration"), ("dayOfWeek", "day_of_week"), ("reservation", "reservation"),
)  # fmt: skip
_TEXT_RESTRICTIONS = {"start_time", "end_time", "start_date", "end_date", "day_of_week", "reservation"}
_WHOLE_RESTRICTIONS = {"min_duration", "max_duration"}
_NOT_211 = {"min_current", "max_current", "reservation"}
# What a 2.1.1 Tariff has besides its elements and energy mix, in its order (no party, type, min/max
# price or validity dates).
_TARIFF_FIELDS_211 = ("id", "currency", "tariff_alt_text", "tariff_alt_url")
# The string(n) limits of the texts a tariff carries from the operator (the same in both versions).
TARIFF_LIMITS: Limits = {"tariff_alt_text": [DISPLAY_TEXT], "energy_mix": ENERGY_MIX}


def tariff_document(
    tariff: Tariff, party: Party, version: str, spot: KnownSpotPrices | None = None, fitting: Fitting | None = None
) -> dict[str, Any] | None:
    """The document partners see, or None when the tariff is not published at all; what had to change
    on the way is noted in `fitting`. The 2.1.1 shape is the 2.2.1 one said in 2.1.1 (`tariff_211`)."""
    if not is_publishable(tariff.use_type):
        return None
    fitting = fitting or Fitting(version)
    elements = [element for raw in tariff.elements or [] for element in _elements(raw, spot, tariff.currency)]
    if not elements:
        return None
    doc: dict[str, Any] = {"country_code": party.country_code, "party_id": party.party_id}
    doc |= {"id": tariff.id, "currency": tariff.currency}
    if tariff.type:
        doc["type"] = tariff.type
    alt_text = [{"language": text["language"], "text": text["text"]} for text in tariff.tariff_alt_text or []]
    if alt_text:
        doc["tariff_alt_text"] = alt_text
    if tariff.tariff_alt_url:
        doc["tariff_alt_url"] = tariff.tariff_alt_url
    for name, excl_vat, incl_vat in (
        ("min_price", tariff.min_price_excl_vat, tariff.min_price_incl_vat),
        ("max_price", tariff.max_price_excl_vat, tariff.max_price_incl_vat),
    ):
        if excl_vat is not None:
            doc[name] = {"excl_vat": json_number(excl_vat)}
            if incl_vat is not None:
                doc[name]["incl_vat"] = json_number(incl_vat)
    doc["elements"] = elements
    if tariff.start_date_time is not None:
        doc["start_date_time"] = utc_text(tariff.start_date_time)
    if tariff.end_date_time is not None:
        doc["end_date_time"] = utc_text(tariff.end_date_time)
    mix = energy_mix(tariff.energy_mix, v211=False)
    if mix:
        doc["energy_mix"] = mix
    if fitting.version == V211:
        return tariff_211(doc, fitting)
    return fitting.fit_lengths(doc, TARIFF_LIMITS)


def tariff_211(document: Mapping[str, Any], fitting: Fitting) -> dict[str, Any] | None:
    """A 2.2.1 Tariff document (ours, or one a CDR carries as it was) in the 2.1.1 shape, or None when
    none of its elements can be said in 2.1.1; `last_updated` is kept when the document has one."""
    elements = []
    for index, element in enumerate(document.get("elements") or []):
        restrictions = element.get("restrictions") or {}
        if _NOT_211 & restrictions.keys():
            fitting.left_out(f"elements[{index}]", "there is no min_current, max_current or reservation "
                             "restriction: the element is left out rather than priced at every moment")
            continue
        said: dict[str, Any] = {"price_components": [
            {name: value for name, value in component.items() if name != "vat"}
            for component in element["price_components"]
        ]}
        if restrictions:
            said["restrictions"] = dict(restrictions)
        elements.append(said)
    if not elements:
        return None
    doc = {name: document[name] for name in _TARIFF_FIELDS_211 if name in document}
    doc["elements"] = elements
    if document.get("energy_mix"):
        mix = document["energy_mix"]
        impacts = [{"source": item["category"], "amount": item["amount"]} for item in mix.get("environ_impact") or []]
        doc["energy_mix"] = {**mix, "environ_impact": impacts} if impacts else dict(mix)
    if "last_updated" in document:
        doc["last_updated"] = document["last_updated"]
    return fitting.fit_lengths(ascii_document(doc), TARIFF_LIMITS)


def _elements(raw: Mapping[str, Any], spot: KnownSpotPrices | None, currency: str) -> list[dict[str, Any]]:
    restrictions = _restrictions(raw.get("restrictions") or {})
    at_cap = _element(raw, restrictions)
    spot_component = next((item for item in raw.get("priceComponents") or [] if _kind(item) in SPOT_TYPES), None)
    if spot is None or spot_component is None:
        return [at_cap] if at_cap is not None else []
    energy = _component({**spot_component, "type": "ENERGY", "price": 0})
    others = [
        component
        for item in raw.get("priceComponents") or []
        if _kind(item) not in SPOT_TYPES and (component := _component(item)) is not None
    ]
    timed = interval_elements(
        spot_rule(spot_component),
        {key: value for key, value in energy.items() if key not in ("type", "price")},
        others,
        restrictions,
        spot,
        currency,
    )
    return timed + ([at_cap] if at_cap is not None else [])


def _element(raw: Mapping[str, Any], restrictions: dict[str, Any]) -> dict[str, Any] | None:
    """The element as OCPI says it (spot components at their cap); None if none of its components can."""
    components = [
        component for item in raw.get("priceComponents") or [] if (component := _component(item)) is not None
    ]
    if not components:
        return None
    element: dict[str, Any] = {"price_components": components}
    if restrictions:
        element["restrictions"] = restrictions
    return element


def _kind(raw: Mapping[str, Any]) -> Any:
    kind = raw.get("type")
    if isinstance(kind, int) and 0 <= kind < len(V1_COMPONENT_TYPES):
        return V1_COMPONENT_TYPES[kind]
    return kind


def _component(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = _kind(raw)
    if kind in _FIXED_TYPES:
        price = raw.get("price")
    elif kind in SPOT_TYPES and raw.get("priceCap") is not None:
        rule = spot_rule(raw)
        kind, price = "ENERGY", spot_unit_price(rule, rule.price_cap)
    else:
        return None
    if price is None:
        return None
    component: dict[str, Any] = {"type": kind, "price": json_number(price)}
    if raw.get("vat") is not None:
        component["vat"] = json_number(raw["vat"])
    step_size = raw.get("stepSize")
    component["step_size"] = 1 if step_size is None else int(step_size)
    return component


def _restrictions(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The element's restrictions in OCPI spelling."""
    restrictions: dict[str, Any] = {}
    for camel, snake in _RESTRICTION_NAMES:
        value = raw.get(camel)
        if value is None or value == []:
            continue
        if snake in _TEXT_RESTRICTIONS:
            restrictions[snake] = list(value) if snake == "day_of_week" else value
        elif snake in _WHOLE_RESTRICTIONS:
            restrictions[snake] = int(value)
        else:
            restrictions[snake] = json_number(value)
    return restrictions

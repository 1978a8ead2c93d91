"""`last_updated` in published documents: stamped where content changed, kept where it did not.

A document's stamp moves only when its content (the document without its stamps) changed; each EVSE and
connector keeps its own stamp until it changes, and the location's moves with any of them. An EVSE that
disappears stays in the document with status REMOVED (OCPI never deletes), and when only EVSE statuses
changed, the partner is sent those statuses alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

STAMP = "last_updated"


def now() -> datetime:
    """Stamps have millisecond precision, so the column and the document's text agree exactly."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def without_stamp(value: dict[str, Any]) -> dict[str, Any]:
    """The document or object without its own last_updated (not its parts')."""
    return {key: item for key, item in value.items() if key != STAMP}


def unstamped(location: dict[str, Any]) -> dict[str, Any]:
    """A stored location without any last_updated: the content its hash was taken of."""
    content = without_stamp(location)
    content["evses"] = [
        {**without_stamp(evse), "connectors": [without_stamp(c) for c in evse.get("connectors", [])]}
        for evse in location.get("evses", [])
    ]
    return content


def keep_removed_evses(content: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """EVSEs gone from the network stay in the document as REMOVED: partners must learn they are gone."""
    present = {evse["uid"] for evse in content["evses"]}
    gone = [
        {**evse, "status": "REMOVED"}
        for evse in unstamped(previous)["evses"]
        if evse["uid"] not in present
    ]
    return {**content, "evses": content["evses"] + gone} if gone else content


def stamp(content: dict[str, Any], previous: dict[str, Any] | None, now_text: str, keep: bool = False) -> dict[str, Any]:
    """Adds last_updated everywhere: an EVSE or connector equal to its previous self keeps its stamp.

    With `keep`, every stamp found in `previous` is kept (same object, another OCPI shape).
    """
    earlier = {evse["uid"]: evse for evse in (previous or {}).get("evses", [])}
    evses = []
    for evse in content["evses"]:
        old = earlier.get(evse["uid"])
        old_connectors = {c["id"]: c for c in old.get("connectors", [])} if old else {}
        connectors = [
            {**connector, STAMP: _kept_stamp(old_connectors.get(connector["id"]), connector, now_text, keep)}
            for connector in evse["connectors"]
        ]
        stamp = _kept_stamp(old, evse, now_text, keep, nested=True)
        evses.append({**evse, "connectors": connectors, STAMP: stamp})
    location_stamp = previous[STAMP] if keep and previous else now_text
    return {**content, "evses": evses, STAMP: location_stamp}


def _kept_stamp(old: dict[str, Any] | None, content: dict[str, Any], now_text: str, keep: bool, nested: bool = False) -> str:
    if old is None:
        return now_text
    if keep:
        return old[STAMP]
    unstamped = (
        {**without_stamp(old), "connectors": [without_stamp(c) for c in old.get("connectors", [])]}
        if nested
        else without_stamp(old)
    )
    return old[STAMP] if unstamped == content else now_text


def status_changes(previous: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The EVSEs whose status alone changed, or None when anything else changed too."""
    before, after = unstamped(previous), unstamped(document)
    if _without_statuses(before) != _without_statuses(after):
        return None
    statuses = {evse["uid"]: evse["status"] for evse in before["evses"]}
    return [evse for evse in document["evses"] if statuses.get(evse["uid"]) != evse["status"]]


def _without_statuses(location: dict[str, Any]) -> dict[str, Any]:
    return {**location, "evses": [{**evse, "status": None} for evse in location["evses"]]}

"""Writing pushes into the outbox inside the caller's transaction, and waking the worker after commit.

Each module's pushes follow its registry entry (`ocpi/modules.py`): the `models` flag that switches
them, and the methods whose new row supersedes the rows of that object still waiting, since only the
newest state is worth sending. The ledger PUTs whole objects only (a location with its EVSEs, a
tariff), so today a PUT or a DELETE supersedes; a PATCH (EVSE status) supersedes nothing. Rows a worker
holds (IN_FLIGHT) are never touched; the new row waits behind them (FIFO per object).

A module of the POSTED_ONCE kind (CDRs) enqueues POSTs, and only POSTs: one POST of the whole document
to the partner's Receiver endpoint, which nothing supersedes. A RESULT (a command's) is enqueued with the
URL the partner gave for it (`enqueue_to_url`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, event, false, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evroam.delivery.models import SUPERSEDED, WAITING, Delivery
from evroam.integrations.models import Integration
from evroam.ocpi import modules
from evroam.ocpi.protocol.client import find_endpoint
from evroam.runtime import OUTBOX_SIGNAL

_WRITTEN = "evroam.outbox_written"


def receiver_url(version_details: dict[str, Any] | None, module: str) -> str | None:
    """The partner's receiver endpoint of `module`, from the version details it gave us."""
    url = find_endpoint(version_details, module, modules.module(module).partner_role)
    return url.rstrip("/") if url else None


def pushes_to(integration: Integration, module: str) -> bool:
    """Whether changes of `module` are pushed to this partner now."""
    return why_not_pushed(integration, module) is None


def why_not_pushed(integration: Integration, module: str) -> str | None:
    """Why changes of `module` (a module with pushes) are not pushed to this partner now; None: they are."""
    if integration.integration_type != "OCPI":
        return f"the integration is of type {integration.integration_type}: only OCPI partners receive pushes"
    if integration.integration_status != "CONNECTED":
        return f"the integration is {integration.integration_status}: pushes go only to a CONNECTED partner"
    pushes = modules.module(module).pushes
    if pushes.flag is not None and (integration.models or {}).get(pushes.flag) is False:
        return f"the integration's models.{pushes.flag} is false"
    if pushes.kind.needs_receiver_endpoint and receiver_url(integration.version_details, module) is None:
        return f"the partner's version details list no {module} RECEIVER endpoint"
    return None


def enqueue(
    session: Session, integration_id: str, module: str, object_id: str, method: str, path: str, body: str | None
) -> None:
    pushes = modules.module(module).pushes
    if pushes.kind is modules.DeliveryKind.RESULT:
        raise ValueError(f"{module} sends to URLs the partner gave: enqueue_to_url")
    if (method == modules.POST) != (pushes.kind is modules.DeliveryKind.POSTED_ONCE):
        raise ValueError(f"{module} pushes are {pushes.kind.value}: a {method} is not one of them")
    if pushes.supersedes_with(method):
        session.execute(
            update(Delivery)
            .where(
                Delivery.integration_id == integration_id,
                Delivery.module == module,
                Delivery.object_id == object_id,
                Delivery.status.in_(WAITING),
            )
            .values(status=SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    session.add(
        Delivery(integration_id=integration_id, module=module, object_id=object_id, method=method, path=path, body=body)
    )
    wake_worker_after_commit(session)


def enqueue_to_url(
    session: Session | AsyncSession, integration_id: str, module: str, object_id: str, method: str, target_url: str,
    addressee: str | None, body: str,
) -> None:
    """A RESULT-kind row: sent once to a URL the partner gave (a command's `response_url`, or its
    chargingprofiles endpoint for a session's ActiveChargingProfile); `addressee`, "NL/EMS", is the party
    that asked, for the routing headers."""
    if modules.module(module).pushes.kind is not modules.DeliveryKind.RESULT:
        raise ValueError(f"{module} sends nothing to a URL of the partner's")
    session.add(Delivery(integration_id=integration_id, module=module, object_id=object_id, method=method, path="",
                         body=body, target_url=target_url, addressee=addressee))
    wake_worker_after_commit(session)


def wake_worker_after_commit(session: Session | AsyncSession) -> None:
    """The worker is woken when this session commits: it has rows to send now."""
    session.info[_WRITTEN] = True


def supersedes(row: type[Delivery]) -> ColumnElement[bool]:
    """Whether `row` (an alias of Delivery) supersedes the waiting rows of its object before it, as a
    condition: the rule of `enqueue`, for the worker's rows that were in flight when it was written."""
    return or_(
        false(),
        *(
            and_(row.module == module.identifier, row.method.in_(module.pushes.superseding))
            for module in modules.MODULES
            if module.pushes is not None and module.pushes.kind.coalesces
        ),
    )


def wake_worker_on_commit() -> None:
    """A session that commits new outbox rows sets its runtime's outbox signal."""
    for name, listener in (("after_commit", _after_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _after_commit(session: Session) -> None:
    if session.info.pop(_WRITTEN, False) and OUTBOX_SIGNAL in session.info:
        session.info[OUTBOX_SIGNAL].set()


def _after_rollback(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_WRITTEN, None)

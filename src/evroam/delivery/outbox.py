"""Writing pushes into the outbox inside the caller's transaction, waking the worker after commit, and
the operator's view of an integration's pushes.

Each module's pushes follow its registry entry (`ocpi/modules.py`): the `models` flag that switches
them, and the methods whose new row supersedes the rows of that object still waiting, since only the
newest state is worth sending. The ledger PUTs whole objects only (a location with its EVSEs, a
tariff), so today a PUT or a DELETE supersedes; a PATCH (EVSE status) supersedes nothing. Rows a worker
holds (IN_FLIGHT) are never touched; the new row waits behind them (FIFO per object).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, event, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from evroam.api.errors import conflict, not_found
from evroam.api.pagination import PageRequest, paginate
from evroam.database.base import utcnow
from evroam.delivery.models import SUPERSEDED, WAITING, Delivery
from evroam.integrations.models import Integration
from evroam.integrations.service import get_integration
from evroam.ocpi import modules
from evroam.ocpi.protocol.client import find_endpoint
from evroam.runtime import Runtime

_WRITTEN = "evroam.outbox_written"
_SIGNAL = "evroam.outbox_signal"


def receiver_url(version_details: dict[str, Any] | None, module: str) -> str | None:
    """The partner's receiver endpoint of `module`, from the version details it gave us."""
    url = find_endpoint(version_details, module, modules.module(module).partner_role)
    return url.rstrip("/") if url else None


def pushes_to(integration: Integration, module: str) -> bool:
    """Whether changes of `module` are pushed to this partner now."""
    return (
        integration.integration_type == "OCPI"
        and integration.integration_status == "CONNECTED"
        and (integration.models or {}).get(modules.module(module).pushes.flag) is not False
        and receiver_url(integration.version_details, module) is not None
    )


def enqueue(
    session: Session, integration_id: str, module: str, object_id: str, method: str, path: str, body: str | None
) -> None:
    if method in modules.module(module).pushes.superseding:
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
    session.info[_WRITTEN] = True


def supersedes(row: type[Delivery]) -> ColumnElement[bool]:
    """Whether `row` (an alias of Delivery) supersedes the waiting rows of its object before it, as a
    condition: the rule of `enqueue`, for the worker's rows that were in flight when it was written."""
    return or_(
        false(),
        *(
            and_(row.module == module.identifier, row.method.in_(module.pushes.superseding))
            for module in modules.MODULES
            if module.pushes is not None
        ),
    )


def wake_worker_on_commit(runtime: Runtime) -> None:
    """Every session of this runtime sets `runtime.outbox_signal` when it commits new outbox rows."""
    runtime.sessions.configure(info={_SIGNAL: runtime.outbox_signal})
    for name, listener in (("after_commit", _after_commit), ("after_soft_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _after_commit(session: Session) -> None:
    if session.info.pop(_WRITTEN, False) and _SIGNAL in session.info:
        session.info[_SIGNAL].set()


def _after_rollback(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_WRITTEN, None)


async def list_deliveries(
    session: AsyncSession, operator_id: int, integration_id: str, page: PageRequest, status: str | None
) -> tuple[list[Delivery], int]:
    """An integration's pushes, newest first; 404 for an unknown integration or another operator's."""
    await get_integration(session, operator_id, integration_id)
    query = select(Delivery).where(Delivery.integration_id == integration_id).order_by(Delivery.id.desc())
    if status is not None:
        query = query.where(Delivery.status == status)
    return await paginate(session, query, page)


async def retry_now(session: AsyncSession, operator_id: int, integration_id: str, delivery_id: int) -> Delivery:
    """An operator's "try again now" for a push that is waiting; delivered or superseded ones are done."""
    await get_integration(session, operator_id, integration_id)
    delivery = await session.scalar(
        select(Delivery).where(Delivery.id == delivery_id, Delivery.integration_id == integration_id)
    )
    if delivery is None:
        raise not_found(f"Delivery {delivery_id}")
    if delivery.status not in WAITING:
        raise conflict("deliveryId", f"the delivery is {delivery.status}; only PENDING or RETRYING ones can be retried")
    delivery.next_attempt_at = utcnow()
    session.info[_WRITTEN] = True
    await session.commit()
    return delivery

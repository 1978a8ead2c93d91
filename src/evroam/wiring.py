"""Connects a runtime's domain changes to what follows from them: the integrations' own reactions, the
details read model, the publication ledger and the delivery worker.

Every entry point that changes data (the app, `evroam demo`, `evroam spot import`, the worker) calls
this, so a change made from the command line reaches partners exactly as one made over the API.
"""

from __future__ import annotations

from evroam.config import Settings
from evroam.delivery import outbox
from evroam.integrations.details import read_model as details_read_model
from evroam.integrations.locations import service as locations
from evroam.integrations.tariff_links import service as tariff_links
from evroam.publication import hook as publication
from evroam.runtime import Runtime


def wire(runtime: Runtime) -> Runtime:
    # Refusals first: a change they refuse reaches no one else.
    runtime.subscribe(locations.refuse_deleting_published_sites)
    runtime.subscribe(tariff_links.refuse_withdrawing_linked_tariffs)
    runtime.subscribe(tariff_links.unlink_removed_sockets)
    runtime.subscribe(details_read_model.on_change)
    runtime.subscribe(publication.on_change)
    outbox.wake_worker_on_commit()
    return runtime


def wired_runtime(settings: Settings) -> Runtime:
    return wire(Runtime.from_settings(settings))

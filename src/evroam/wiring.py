"""Connects a runtime's domain changes to what is derived from them: the details read model, the
publication ledger and the delivery worker.

Every entry point that changes data (the app, `evroam demo`, `evroam spot import`, the worker) calls
this, so a change made from the command line reaches partners exactly as one made over the API.
"""

from __future__ import annotations

from evroam.config import Settings
from evroam.delivery import outbox
from evroam.events import subscribe
from evroam.integrations.details import read_model as details_read_model
from evroam.publication import hook as publication
from evroam.runtime import Runtime


def wire(runtime: Runtime) -> Runtime:
    subscribe(details_read_model.on_change)
    subscribe(publication.on_change)
    outbox.wake_worker_on_commit(runtime)
    return runtime


def wired_runtime(settings: Settings) -> Runtime:
    return wire(Runtime.from_settings(settings))

"""The jobs that run beside the HTTP interfaces: the outbox's delivery worker, the token pull scheduler,
the PENDING-session timeout, the commands' deadline, the reservations' expiry and the sweep of OCPP
connections whose process died.

`evroam serve` runs them in its own process unless EVROAM_RUN_WORKER_IN_PROCESS is false; `evroam worker`
runs them without the HTTP interfaces, for scale-out. Each is safe in several processes at once: outbox
rows and token pulls are claimed under a lease, a session is timed out under its row's lock, and a
command settles once (an UPDATE that matches only a PENDING command), and a connection is swept once (an
UPDATE that matches only an open one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from evroam.charging.commands import flows as commands
from evroam.charging.reservations import flows as reservations
from evroam.charging.sessions import flows as sessions
from evroam.charging.tokens.pulls import flows as token_pulls
from evroam.delivery.worker import run_worker
from evroam.ocpp import liveness as ocpp_liveness
from evroam.runtime import Runtime


def start_periodic_jobs(runtime: Runtime) -> Callable[[], None]:
    """Starts the periodic jobs; call the result to stop them."""
    stops = [
        runtime.start_periodic(lambda: token_pulls.scheduler_round(runtime), token_pulls.SCHEDULER_EVERY,
                               "token pull scheduling"),
        runtime.start_periodic(lambda: sessions.time_out_pending(runtime), sessions.TIMEOUT_CHECK_EVERY,
                               "PENDING session timeout"),
        runtime.start_periodic(lambda: commands.time_out_commands(runtime), commands.TIMEOUT_CHECK_EVERY,
                               "command deadlines"),
        runtime.start_periodic(lambda: reservations.expire_reservations(runtime), reservations.EXPIRY_CHECK_EVERY,
                               "reservation expiry"),
        runtime.start_periodic(lambda: ocpp_liveness.sweep(runtime), ocpp_liveness.SWEEP_EVERY,
                               "OCPP connections of dead processes"),
    ]  # fmt: skip

    def stop() -> None:
        for event in stops:
            event.set()

    return stop


def start_in_process(runtime: Runtime) -> Callable[[], None]:
    """Everything in the background, inside `evroam serve`, when the settings say so; call the result to stop."""
    if not runtime.settings.run_worker_in_process:
        return lambda: None
    stop_worker = asyncio.Event()
    runtime.spawn(run_worker(runtime, stop_worker))
    stop_periodic = start_periodic_jobs(runtime)

    def stop() -> None:
        stop_worker.set()
        stop_periodic()

    return stop

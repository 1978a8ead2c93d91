"""`evroam worker`: the background jobs (delivery, token pulls, session timeouts) in a process of their own,
for scale-out on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import signal

from evroam.background import start_periodic_jobs
from evroam.config import Settings
from evroam.delivery.worker import run_worker
from evroam.startup import prepare_database
from evroam.wiring import wired_runtime

log = logging.getLogger(__name__)


async def run_standalone(settings: Settings) -> None:
    """`evroam worker`: one worker process until SIGINT or SIGTERM."""
    runtime = wired_runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await prepare_database(runtime)
        log.info("delivery worker started")
        stop_periodic = start_periodic_jobs(runtime)
        try:
            await run_worker(runtime, stop)
        finally:
            stop_periodic()
    finally:
        await runtime.close()

"""What a running evroam holds: settings, the database, the secret box, the subscribers to its changes.
Shared by API, OCPI and workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evroam import events
from evroam.config import Settings
from evroam.database.engine import create_engine, session_factory
from evroam.outbound.client import Outbound, OutboundClient
from evroam.security import SecretBox

log = logging.getLogger(__name__)

# session.info key: the runtime's outbox signal, set by the outbox's commit hook.
OUTBOX_SIGNAL = "evroam.outbox_signal"


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    secrets: SecretBox
    # Every call to a partner goes through the outbound guard; `partners` is the client the handshakes
    # share (the delivery worker opens one per partner from `outbound`).
    outbound: Outbound
    partners: OutboundClient
    # Set whenever the outbox gets new rows, so an in-process worker wakes without polling delay.
    outbox_signal: asyncio.Event = field(default_factory=asyncio.Event)
    background_tasks: set[asyncio.Task] = field(default_factory=set)
    # What reacts to changes announced in this runtime's sessions (evroam.wiring fills it).
    subscribers: list[events.Subscriber] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every session carries what belongs to its runtime: a second runtime in the process has its own.
        self.sessions.configure(info={events.SUBSCRIBERS: self.subscribers, OUTBOX_SIGNAL: self.outbox_signal})

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.resolved_database_url(), settings.database_pool_size)
        outbound = Outbound.from_settings(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            secrets=SecretBox(settings.resolved_secret_key()),
            outbound=outbound,
            partners=outbound.client(),
        )

    def subscribe(self, subscriber: events.Subscriber) -> None:
        if subscriber not in self.subscribers:
            self.subscribers.append(subscriber)

    def unsubscribe(self, subscriber: events.Subscriber) -> None:
        if subscriber in self.subscribers:
            self.subscribers.remove(subscriber)

    @property
    def public_url(self) -> str:
        return self.settings.resolved_public_url()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run work after the response (e.g. a credentials exchange); the task is kept until it ends."""
        task = asyncio.create_task(coroutine)
        self.background_tasks.add(task)
        task.add_done_callback(self.background_tasks.discard)
        return task

    def start_periodic(self, job: Callable[[], Awaitable[Any]], every: float, what: str) -> asyncio.Event:
        """Runs `job` now and then every `every` seconds until the returned event is set."""
        stop = asyncio.Event()
        self.spawn(_repeat(job, stop, every, what))
        return stop

    async def wait_for_background(self) -> None:
        while self.background_tasks:
            await asyncio.gather(*list(self.background_tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self.background_tasks):
            task.cancel()
        await asyncio.gather(*self.background_tasks, return_exceptions=True)
        await self.partners.aclose()
        await self.engine.dispose()


async def _repeat(job: Callable[[], Awaitable[Any]], stop: asyncio.Event, every: float, what: str) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception:  # the database away for a moment must not end the job
            log.exception("%s failed", what)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except TimeoutError:
            pass

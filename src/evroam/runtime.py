"""What a running evroam holds: settings, the database, the secret box. Shared by API, OCPI and workers."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evroam.config import Settings
from evroam.database.engine import create_engine, session_factory
from evroam.security import SecretBox


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    secrets: SecretBox
    # Set whenever the outbox gets new rows, so an in-process worker wakes without polling delay.
    outbox_signal: asyncio.Event = field(default_factory=asyncio.Event)
    background_tasks: set[asyncio.Task] = field(default_factory=set)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.resolved_database_url())
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            secrets=SecretBox(settings.resolved_secret_key()),
        )

    @property
    def public_url(self) -> str:
        return self.settings.resolved_public_url()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run work after the response (e.g. a credentials exchange); the task is kept until it ends."""
        task = asyncio.create_task(coroutine)
        self.background_tasks.add(task)
        task.add_done_callback(self.background_tasks.discard)
        return task

    async def wait_for_background(self) -> None:
        while self.background_tasks:
            await asyncio.gather(*list(self.background_tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self.background_tasks):
            task.cancel()
        await asyncio.gather(*self.background_tasks, return_exceptions=True)
        await self.engine.dispose()

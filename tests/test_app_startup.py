"""What the app's start-up leaves behind for the life of a server process."""

from __future__ import annotations

import gc
from pathlib import Path

from evroam.app import create_app
from tests.conftest import make_settings


async def test_start_up_objects_are_left_out_of_later_garbage_collections(tmp_path: Path) -> None:
    app = create_app(settings=make_settings(f"sqlite+aiosqlite:///{tmp_path / 'evroam.db'}", tmp_path))
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):  # migrations, bootstrap, then the freeze
            # the routes, schemas and ORM mappings built at start-up are among the frozen objects
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual

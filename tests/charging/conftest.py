"""What the charging tests share: an eMSP on loopback that answers real-time authorizations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.authorizing_emsp import AuthorizingEmsp, running_emsp


@pytest.fixture
async def emsp() -> AsyncIterator[AuthorizingEmsp]:
    async with running_emsp() as partner:
        yield partner

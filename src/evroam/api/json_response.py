"""Responses serialised by orjson straight from plain dicts (the read models build no pydantic objects)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from fastapi import Response


def json_response(build: Callable[..., Any], *args: Any, status_code: int = 200) -> Response:
    """Calls `build(*args)` and serialises what it returns.

    A large read model is tens of thousands of small dicts. Building and dumping them with the cyclic
    collector paused keeps it from walking the whole heap again and again meanwhile (that doubled the
    time of a large integration's details); the dicts hold no cycles, so reference counting frees them
    as soon as they are serialised, before the collector runs again. Only synchronous code runs while
    it is paused: no other request is affected.
    """
    with _gc_paused():
        # Datetimes are UTC-aware: OPT_UTC_Z writes them with `Z`, as every timestamp of the API.
        body = orjson.dumps(build(*args), option=orjson.OPT_UTC_Z)
    return Response(body, status_code=status_code, media_type="application/json")


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""The engine is pure: importing it loads no web, database, validation or command-line framework."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import evroam.tariffs.pricing

# Every module of the engine's package, and the pure spot file parsers the import uses.
ENGINE_MODULES = [
    *(f"evroam.tariffs.pricing.{module.name}" for module in pkgutil.iter_modules(evroam.tariffs.pricing.__path__)),
    "evroam.tariffs.spot.files",
]
FRAMEWORKS = ["fastapi", "starlette", "pydantic", "sqlalchemy", "typer", "click", "httpx"]


def test_engine_imports_only_the_standard_library() -> None:
    imports = "; ".join(f"import {module}" for module in ENGINE_MODULES)
    probe = f"import sys; {imports}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FRAMEWORKS)!r}))"
    finished = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert finished.stdout.strip() == "[]"

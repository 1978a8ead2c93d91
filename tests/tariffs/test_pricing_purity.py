"""The engine is pure: importing it loads no web, database, validation or command-line framework."""

from __future__ import annotations

import subprocess
import sys

ENGINE_MODULES = ["pricing", "pricing_quote", "spot_price_files", "spot_prices", "tariff_parsing"]
FRAMEWORKS = ["fastapi", "starlette", "pydantic", "sqlalchemy", "typer", "click", "httpx"]


def test_engine_imports_only_the_standard_library() -> None:
    imports = "; ".join(f"import evroam.tariffs.{module}" for module in ENGINE_MODULES)
    probe = f"import sys; {imports}; print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FRAMEWORKS)!r}))"
    finished = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert finished.stdout.strip() == "[]"

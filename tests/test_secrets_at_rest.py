"""API keys long enough not to be guessed, the bootstrap one included, and an embedded database that only
its owner can read (a one-character bootstrap key was accepted; the SQLite file was world-readable)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from evroam.cli import app as cli
from evroam.config import MIN_API_KEY_LENGTH, Settings, get_settings
from evroam.network.operators import service as operator_service
from evroam.runtime import Runtime
from evroam.startup import bootstrap, prepare_database
from tests.conftest import make_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_short_bootstrap_key_is_refused() -> None:
    with pytest.raises(ValidationError, match=f"at least {MIN_API_KEY_LENGTH} characters"):
        Settings(bootstrap_api_key="x" * (MIN_API_KEY_LENGTH - 1))
    assert Settings(bootstrap_api_key="x" * MIN_API_KEY_LENGTH).bootstrap_api_key


def test_the_command_says_which_setting_is_wrong(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVROAM_BOOTSTRAP_API_KEY", "x")
    monkeypatch.setenv("EVROAM_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "evroam: EVROAM_BOOTSTRAP_API_KEY: must be at least 32 characters (it has 1)" in result.output


async def test_a_short_api_key_is_never_stored(runtime) -> None:
    async with runtime.sessions() as session:
        operator = await operator_service.default_operator(session, runtime.settings)
        with pytest.raises(ValueError, match="at least 32 characters"):
            await operator_service.create_api_key(session, operator.id, "short", "too-short")
        assert len(await operator_service.create_api_key(session, operator.id, "generated")) >= MIN_API_KEY_LENGTH


async def test_var_and_the_embedded_database_are_the_owners_alone(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    runtime = Runtime.from_settings(make_settings("", var_dir, secret_key=""))
    try:
        await prepare_database(runtime)  # what `evroam serve` does first: migrations, then the operator
        await bootstrap(runtime)
        assert mode(var_dir) == 0o700
        assert mode(var_dir / "evroam.db") == 0o600
        assert mode(var_dir / "secret.key") == 0o600
        assert all(mode(path) == 0o600 for path in var_dir.glob("evroam.db-*"))
    finally:
        await runtime.close()

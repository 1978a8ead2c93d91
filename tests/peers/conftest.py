"""Third-party OCPI peers started by the tests: the `peer` marker and the extrawest-ocpi eMSP.

Outside CI a peer whose environment cannot be built is skipped with the reason; under CI (`CI` set) the
tests fail instead, so a broken peer can never pass unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.peers.extrawest_venv import SCRIPT, ensure_venv
from tests.support.live_server import free_port

# The extrawest eMSP's largest page of a list GET: small, so that a dozen tokens make several pages.
EXTRAWEST_MAX_LIMIT = 5


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "peer: talks to a third-party OCPI implementation run in its own environment")


@pytest.fixture(scope="session")
def extrawest_python() -> Path:
    try:
        return ensure_venv()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        output = getattr(exc, "stderr", b"") or b""
        reason = f"the extrawest-ocpi peer environment cannot be built: {exc} {output.decode(errors='replace')[-2000:]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class ExtrawestEmsp:
    base_url: str
    token_a: str
    country_code: str
    party_id: str
    max_limit: int = EXTRAWEST_MAX_LIMIT

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def store(self) -> dict[str, Any]:
        return httpx.get(f"{self.base_url}/store", timeout=10).json()

    def seed_tokens(self, tokens: list[dict[str, Any]]) -> None:
        """Our drivers' tokens, in either version's shape (see tokens_support.make_tokens); a token with the
        uid and type of one already held replaces it in its place."""
        response = httpx.post(f"{self.base_url}/store/tokens", json=tokens, timeout=30)
        assert response.status_code == 200, response.text


@pytest.fixture
def extrawest_versions() -> str:
    """The versions the extrawest eMSP offers; a test overrides it with a parametrized fixture."""
    return "2.2.1,2.1.1"


@pytest.fixture
def extrawest(extrawest_python: Path, extrawest_versions: str, tmp_path: Path) -> Iterator[ExtrawestEmsp]:
    """A fresh extrawest eMSP on a loopback port, with a token A of its own for this test."""
    port = free_port()
    peer = ExtrawestEmsp(f"http://127.0.0.1:{port}", f"xw-token-a-{uuid.uuid4().hex}", "NL", "XWE")
    # Its own settings come from the command line; nothing of evroam's environment may leak in.
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("VIRTUAL_ENV", "PYTHONPATH") and not key.startswith("EVROAM_")}
    log_path = tmp_path / "extrawest.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(extrawest_python), str(SCRIPT), "--port", str(port), "--token-a", peer.token_a,
             "--country-code", peer.country_code, "--party-id", peer.party_id, "--versions", extrawest_versions,
             "--max-limit", str(peer.max_limit)],
            cwd=tmp_path, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(peer, process, log_path)
        yield peer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(peer: ExtrawestEmsp, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the extrawest eMSP exited with {process.returncode}: {log_path.read_text()[-3000:]}")
        try:
            peer.store()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail(f"the extrawest eMSP did not start within 60 s: {log_path.read_text()[-3000:]}")

"""The virtual environment of the extrawest-ocpi peer, under <repo>/.peers/extrawest (gitignored).

extrawest-ocpi pins pydantic 1 and an old FastAPI, so it cannot share evroam's environment. The venv is
built once (python -m venv + pip, no pip cache outside the repo) and reused while its stamp matches
the pinned requirements and this Python; a lock keeps two pytest processes from building it at once.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PEERS_DIR = REPO / ".peers"
VENV = PEERS_DIR / "extrawest"
REQUIREMENTS = ("extrawest-ocpi==2025.7.16", "uvicorn==0.23.2", "anyio>=3.7,<5")
SCRIPT = Path(__file__).resolve().parent / "extrawest_emsp" / "emsp.py"


def _stamp() -> str:
    return "\n".join([*REQUIREMENTS, f"python {sys.version_info.major}.{sys.version_info.minor}"]) + "\n"


def ensure_venv() -> Path:
    """The peer's Python interpreter; raises CalledProcessError or TimeoutExpired when it cannot be built."""
    PEERS_DIR.mkdir(exist_ok=True)
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements"
    with open(PEERS_DIR / "extrawest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and stamp.read_text() == _stamp():
            return python
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-cache-dir", "--disable-pip-version-check",
             *REQUIREMENTS],
            check=True, capture_output=True, timeout=900,
        )
        stamp.write_text(_stamp())
    return python

"""Settings from EVROAM_* environment variables (pydantic-settings)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from evroam.database.engine import DEFAULT_POOL_SIZE
from evroam.outbound.policy import AllowedNetworks

DEFAULT_VAR_DIR = Path("var")
# An API key is the whole of an operator's authentication: long enough that guessing is hopeless.
MIN_API_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVROAM_", extra="ignore")

    var_dir: Path = DEFAULT_VAR_DIR
    database_url: str = ""
    # PostgreSQL connections each process keeps open (and may open as many again for a burst).
    database_pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=500)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Processes `evroam serve` answers requests in (uvicorn workers): more than one needs PostgreSQL.
    workers: int = Field(default=1, ge=1)
    public_url: str = ""
    country_code: str = Field(default="FI", min_length=2, max_length=2)
    party_id: str = Field(default="EVR", min_length=3, max_length=3)
    business_name: str = "evroam demo CPO"
    business_website: str = ""
    bootstrap_api_key: str = ""
    secret_key: str = ""
    # Request bodies above this are answered 413 before they are read (the spot price file import has
    # its own, larger cap).
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    # The embedded database runs the delivery worker inside `evroam serve`; `evroam worker` does it
    # for deployments that scale workers separately.
    run_worker_in_process: bool = True
    # The outbound guard (evroam.outbound): partner URLs must resolve to public addresses, except those
    # inside these networks or with these host names (comma-separated CIDR ranges and names; tests and
    # private deployments set it, `make run` allows loopback for its demo).
    partner_networks_allowed: str = ""
    # Every call to a partner: seconds to connect, between bytes read, and for the whole call.
    outbound_connect_timeout: float = Field(default=5.0, gt=0)
    outbound_read_timeout: float = Field(default=20.0, gt=0)
    outbound_total_timeout: float = Field(default=30.0, gt=0)
    # A partner's answer larger than this is cut off and counts as a failed call.
    outbound_max_response_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # Credentials exchanges that partners start with us: at most this many at once in one process, and a
    # token that failed this many times within the window waits for the window to pass (HTTP 429).
    credentials_exchanges_max: int = Field(default=16, ge=1)
    credentials_failures_allowed: int = Field(default=5, ge=1)
    credentials_failure_window_seconds: float = Field(default=300.0, gt=0)
    # Seconds the charger side has to answer a partner's command before the partner is told TIMEOUT: a
    # charger waits about 30 s for the plug (OCPP ConnectionTimeOut), plus a margin for the CSMS's polling.
    command_timeout: int = Field(default=60, ge=5, le=3600)
    # OCPP chargers: the Heartbeat interval BootNotification gives them (seconds), and how long a charger may
    # be without its WebSocket before partners see its EVSEs UNKNOWN (a reconnect within it shows nothing).
    ocpp_heartbeat_interval: int = Field(default=300, ge=10, le=86400)
    ocpp_offline_grace_seconds: float = Field(default=120.0, ge=0)
    # How often each process looks for partners' commands to the chargers it holds (the commands table is
    # the queue between processes).
    ocpp_command_poll_seconds: float = Field(default=1.0, gt=0)

    @field_validator("bootstrap_api_key")
    @classmethod
    def _long_enough(cls, key: str) -> str:
        if key and len(key) < MIN_API_KEY_LENGTH:
            raise ValueError(
                f"must be at least {MIN_API_KEY_LENGTH} characters (it has {len(key)}); "
                "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return key

    @field_validator("partner_networks_allowed")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        AllowedNetworks.parse(value)  # raises ValueError naming the entry it cannot read
        return value

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / 'evroam.db').as_posix()}"

    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def resolved_secret_key(self) -> str:
        """The key that encrypts partner secrets; kept under var/ when not given, so restarts can decrypt."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret.key"
        if key_file.exists():
            return key_file.read_text().strip()
        from cryptography.fernet import Fernet

        self.ensure_var_dir()
        key = Fernet.generate_key().decode()
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as written:
            written.write(key)
        return key

    def ensure_var_dir(self) -> None:
        """var/ holds the embedded database and the secret key: a new one is the owner's alone."""
        self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()


def new_secret_token() -> str:
    """Tokens we issue: URL-safe, at most 64 characters (OCPI string(64), printable ASCII)."""
    return secrets.token_urlsafe(32)

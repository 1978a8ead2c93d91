"""Secrets at rest: hashes for what we issue, encryption for what partners gave us, masking on output."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret (API keys, our OCPI tokens): safe to index and look up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def mask(secret: str | None) -> str | None:
    """What a response shows instead of a secret: enough to recognise it, never enough to use it."""
    if not secret:
        return secret
    return "****" + secret[-4:] if len(secret) > 12 else "****"


class SecretBox:
    """Encrypts partner secrets (their OCPI tokens, client secrets) with a key from settings."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(_fernet_key(key))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("a stored partner secret cannot be decrypted: EVROAM_SECRET_KEY changed?") from exc


def _fernet_key(key: str) -> bytes:
    """Accept a Fernet key as is; derive one from any other passphrase."""
    raw = key.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())

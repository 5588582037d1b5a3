"""Encryption at rest and keyed hashing of channel addresses.

Keys come from the environment (``IV_ENCRYPTION_KEY``, ``IV_ADDRESS_KEY``).
Outside production, missing keys are generated once into ``var/secrets.env``
(git-ignored) so a newcomer's machine works with no set-up; in production a
missing key is an error, never a silent default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.settings import ROOT, MissingSecret, get_settings

LOCAL_SECRETS = ROOT / "var" / "secrets.env"


def _local_secrets(path: Path = LOCAL_SECRETS) -> dict[str, str]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = {
            "IV_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "IV_ADDRESS_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        }
        path.write_text("".join(f"{k}={v}\n" for k, v in generated.items()), encoding="utf-8")
        path.chmod(0o600)
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def _secret(name: str, configured: str | None) -> str:
    if configured:
        return configured
    if get_settings().environment == "production":
        raise MissingSecret(f"{name} must be set in production")
    return _local_secrets()[name]


@cache
def fernet() -> Fernet:
    return Fernet(_secret("IV_ENCRYPTION_KEY", get_settings().encryption_key).encode())


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ValueError("cannot decrypt: wrong key or corrupted data") from error


def conversation_id(channel: str, address: str) -> str:
    """A stable id for a channel address that does not reveal it (HMAC-SHA256)."""
    key = _secret("IV_ADDRESS_KEY", get_settings().address_key).encode()
    digest = hmac.new(key, f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:32]}"


def sign(purpose: str, value: str) -> str:
    """``value`` with a keyed signature, for a cookie the server issues."""
    key = _secret("IV_ADDRESS_KEY", get_settings().address_key).encode()
    digest = hmac.new(key, f"sign:{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{value}.{digest[:32]}"


def unsign(purpose: str, signed: str) -> str | None:
    """The value, if ``signed`` came from ``sign`` (any other: None)."""
    value, _, _digest = signed.rpartition(".")
    return value if value and hmac.compare_digest(sign(purpose, value), signed) else None


def fingerprint(*parts: str) -> str:
    """A keyed hash of normalised answers, to spot the same person twice
    without storing anything readable."""
    key = _secret("IV_ADDRESS_KEY", get_settings().address_key).encode()
    message = "\x1f".join(part.strip().lower() for part in parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

"""Short reference codes a young person can read out on the phone: no 0/O, 1/I/L."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31^6 ≈ 887 million: collisions are checked anyway


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(text: str) -> str:
    return text.strip().upper().replace(" ", "")

"""Short reference codes a young person can read out on the phone: no 0/O, 1/I/L."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.engine import session_scope

T = TypeVar("T")

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31^6 ≈ 887 million: collisions are checked anyway


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(text: str) -> str:
    return text.strip().upper().replace(" ", "")


ATTEMPTS = 3


def store_with_new_reference(prefix: str, what: str, store: Callable[[Session, str], T]) -> T:
    """Runs ``store(session, reference)`` in one transaction with a fresh
    reference. A reference that collides (or a concurrent duplicate caught by
    a unique constraint) rolls the whole transaction back and tries again."""
    for _attempt in range(ATTEMPTS):
        try:
            with session_scope() as session:
                return store(session, new_reference(prefix))
        except IntegrityError:
            continue
    raise RuntimeError(f"could not store the {what}")

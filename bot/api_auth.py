"""How our own tools call Rasa's HTTP API: a short-lived JWT in the
``Authorization`` header, signed with ``IV_RASA_API_TOKEN`` (which the server
is given as its JWT secret by ``scripts/serve.py``). Never a token in the URL,
where proxies log it, nor on a command line, where ``ps`` shows it."""

from __future__ import annotations

import time

import jwt

from bot.settings import MissingSecret, get_settings

ALGORITHM = "HS256"
LIFETIME_SECONDS = 300


def api_headers(secret: str | None = None, username: str = "iv-tools") -> dict[str, str]:
    secret = secret or get_settings().rasa_api_token
    if not secret:
        raise MissingSecret("IV_RASA_API_TOKEN is not set")
    now = int(time.time())
    claims = {"user": {"username": username, "role": "admin"}, "iat": now, "exp": now + LIFETIME_SECONDS}
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm=ALGORITHM)}

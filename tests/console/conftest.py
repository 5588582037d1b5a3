"""The console in-process (Flask's test client) on the test session's database."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from console.app import create_app
from console.security import NewAccount, Role, create_account

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def app(session_env: dict[str, str]) -> Flask:
    return create_app(testing=True, sign_ins_per_minute=10_000)  # one address for every test


@dataclass
class Browser:
    """One person at the console: a cookie jar and the last form's CSRF token."""

    client: FlaskClient

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def token(self, path: str) -> str:
        match = CSRF.search(self.client.get(path).get_data(as_text=True))
        assert match, f"no form on {path}"
        return match.group(1)

    def post(self, path: str, data: dict[str, str] | None = None, form_from: str | None = None) -> Any:
        fields = {"csrf_token": self.token(form_from or path), **(data or {})}
        return self.client.post(path, data=fields)

    def sign_in(self, account: NewAccount, code: str | None = None) -> Any:
        self.post("/sign-in", {"username": account.username, "password": account.password})
        totp = pyotp.TOTP(account.totp_secret)
        return self.post("/sign-in/code", {"code": code or totp.now()})


def new_account(role: Role = Role.COORDINATOR) -> NewAccount:
    return create_account(f"staff-{uuid.uuid4().hex[:8]}", "Sam Jones", role)


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def coordinator() -> NewAccount:
    return new_account(Role.COORDINATOR)

"""Local stand-ins for the Telegram Bot API and Twilio's REST API, recording
what the assistant sends. They can be told to fail, to test retries."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


class FakeProvider:
    def __init__(self) -> None:
        self.server = HTTPServer(host="127.0.0.1", port=0)
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.fail_next = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self) -> FakeProvider:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.clear()
        if self.server.is_running():
            self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def _should_fail(self) -> bool:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return False


class FakeTelegram(FakeProvider):
    TOKEN = "123456:TEST-TOKEN"
    on_send: Callable[[dict[str, Any]], None] | None = None

    def start(self) -> FakeTelegram:
        super().start()
        self.server.expect_request(f"/bot{self.TOKEN}/sendMessage").respond_with_handler(self._send)
        self.server.expect_request(f"/bot{self.TOKEN}/answerCallbackQuery").respond_with_handler(self._answer)
        return self

    def _send(self, request: Request) -> Response:
        self.calls.append("sendMessage")
        if self._should_fail():
            return Response(
                json.dumps({"ok": False, "error_code": 502, "description": "Bad Gateway"}), status=502
            )
        form = request.form
        markup = json.loads(form["reply_markup"]) if "reply_markup" in form else None
        message_id = next(self._ids)
        sent = {"chat_id": int(form["chat_id"]), "text": form["text"], "reply_markup": markup}
        if self.on_send is not None:
            self.on_send(sent)  # a test can look at the world the moment a message arrives
        with self._lock:
            self.sent.append(sent)
        result = {
            "message_id": message_id,
            "date": 0,
            "chat": {"id": int(form["chat_id"]), "type": "private"},
        }
        return Response(json.dumps({"ok": True, "result": result}), content_type="application/json")

    def _answer(self, request: Request) -> Response:
        self.calls.append("answerCallbackQuery")
        return Response(json.dumps({"ok": True, "result": True}), content_type="application/json")

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if m["chat_id"] == chat_id]


class FakeTwilio(FakeProvider):
    ACCOUNT_SID = "AC00000000000000000000000000000000"

    def __init__(self) -> None:
        super().__init__()
        self._failing: dict[str, int] = {}
        self._hanging: dict[str, float] = {}

    def start(self) -> FakeTwilio:
        super().start()
        path = f"/2010-04-01/Accounts/{self.ACCOUNT_SID}/Messages.json"
        self.server.expect_request(path, method="POST").respond_with_handler(self._create)
        self.server.expect_request(path, method="GET").respond_with_handler(self._list)
        return self

    def accept_then_hang_to(self, number: str, seconds: float) -> None:
        """Take the next message to one number, then answer only after ``seconds``
        (longer than the client waits): sent, but the sender never hears so."""
        with self._lock:
            self._hanging[number] = seconds

    def fail_next_to(self, number: str, times: int) -> None:
        """Answer 503 to the next ``times`` messages to one number (other tests' sends go on)."""
        with self._lock:
            self._failing[number] = times

    def _fails_to(self, number: str) -> bool:
        with self._lock:
            left = self._failing.get(number, 0)
            if left > 0:
                self._failing[number] = left - 1
            return left > 0

    def _create(self, request: Request) -> Response:
        self.calls.append("Messages.create")
        if self._should_fail() or self._fails_to(request.form.get("To", "")):
            return Response(json.dumps({"code": 20500, "message": "Internal", "status": 500}), status=500)
        form = request.form
        sid = f"SM{next(self._ids):032d}"
        with self._lock:
            self.sent.append(
                {
                    "sid": sid,
                    "to": form["To"],
                    "body": form["Body"],
                    "callback": form.get("StatusCallback"),
                    "created": format_datetime(datetime.now(UTC)),  # RFC 2822, as Twilio's dates
                }
            )
        body = {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"], "body": form["Body"]}
        with self._lock:
            hang = self._hanging.pop(form["To"], 0.0)
        time.sleep(hang)
        return Response(json.dumps(body), status=201, content_type="application/json")

    def _list(self, request: Request) -> Response:
        """Messages.list: newest first, as Twilio lists them."""
        self.calls.append("Messages.list")
        to = request.args.get("To")
        with self._lock:
            mine = [m for m in self.sent if m["to"] == to]
        messages = [
            {
                "sid": m["sid"],
                "to": m["to"],
                "body": m["body"],
                "status": "sent",
                "date_created": m["created"],
            }
            for m in reversed(mine)
        ]
        page = {"messages": messages, "next_page_uri": None, "page": 0, "page_size": 50, "uri": request.path}
        return Response(json.dumps(page), content_type="application/json")

    def bodies_to(self, number: str) -> list[str]:
        return [m["body"] for m in self.sent if m["to"] == number]

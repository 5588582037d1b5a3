"""Builders for Telegram updates, as the Bot API sends them."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(10_000)


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    return {
        "id": chat_id,
        "type": kind,
        **({"title": "A group"} if kind != "private" else {"first_name": "Sam"}),
    }


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Sam"}


def message(chat_id: int, text: str | None = None, kind: str = "private", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": 1700000000,
        "chat": chat(chat_id, kind),
        "from": user(chat_id),
    }
    if text is not None:
        body["text"] = text
    body.update(extra)
    return {"update_id": next(_ids), "message": body}


def sticker(chat_id: int) -> dict[str, Any]:
    sticker_body = {
        "file_id": "CAAC", "file_unique_id": "AgAD", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    }  # fmt: skip
    return message(chat_id, sticker=sticker_body)


def callback(chat_id: int, data: str) -> dict[str, Any]:
    original = message(chat_id, "choose")["message"]
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(chat_id),
            "chat_instance": "1",
            "data": data,
            "message": original,
        },
    }


def member_update(chat_id: int) -> dict[str, Any]:
    member = {"user": user(chat_id), "status": "member"}
    return {
        "update_id": next(_ids),
        "my_chat_member": {
            "chat": chat(chat_id), "from": user(chat_id), "date": 1700000000,
            "old_chat_member": {**member, "status": "kicked", "until_date": 0}, "new_chat_member": member,
        },
    }  # fmt: skip

"""Telegram events for unit tests of filters and gates: a citizen's message or button press."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message

CITIZEN = 42


def message(chat_id: int = CITIZEN, **content: Any) -> Message:
    chat_type = "private" if chat_id > 0 else "supergroup"
    return Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat_id, "type": chat_type},
            "from": {"id": CITIZEN, "is_bot": False, "first_name": "Анна"},
            **content,
        }
    )


def button(data: str | None) -> CallbackQuery:
    return CallbackQuery.model_validate(
        {
            "id": "1",
            "chat_instance": "c",
            "data": data,
            "from": {"id": CITIZEN, "is_bot": False, "first_name": "Анна"},
        }
    )

"""``LOG_FORMAT=json``: one JSON object per line, for log collectors.

Each line holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and when known
``update_id``, ``chat`` (the chat id hashed: an HMAC keyed with the bot's token, so lines of
one chat can be followed without the id being readable) and ``appeal`` (the number a line
names); ``exception`` holds a traceback. Every text goes through the text logs' masking
(:meth:`bot.logging_setup.MaskingFormatter.mask`) before it is encoded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update

from bot.domain.masking import TypedNames
from bot.logging_setup import MaskingFormatter
from bot.settings import Settings

# Appeal numbers as the bot writes them: 2026-000042.
_APPEAL_NUMBER = re.compile(r"(?<![\d-])20\d{2}-\d{6}(?!\d)")
CHAT_HASH_LENGTH = 16  # hex digits: enough to tell chats apart, short enough to read


@dataclass(frozen=True)
class UpdateContext:
    update_id: int
    chat_id: int | None


_current_update: ContextVar[UpdateContext | None] = ContextVar("log_update", default=None)


class LogContextMiddleware(BaseMiddleware):
    """An outer middleware of ``dispatcher.update``: lines logged while an update is handled
    carry its id and chat (tasks it starts inherit them)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        chat = data.get("event_chat")
        token = _current_update.set(
            UpdateContext(event.update_id, chat.id if isinstance(chat, Chat) else None)
        )
        try:
            return await handler(event, data)
        finally:
            _current_update.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, chat_key: bytes, names: TypedNames | None = None) -> None:
        super().__init__()
        self._masking = MaskingFormatter(names=names)
        self._chat_key = chat_key

    def chat_hash(self, chat_id: int) -> str:
        digest = hmac.new(self._chat_key, str(chat_id).encode(), hashlib.sha256).hexdigest()
        return digest[:CHAT_HASH_LENGTH]

    def format(self, record: logging.LogRecord) -> str:
        mask = self._masking.mask
        message = mask(record.getMessage())
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        context = _current_update.get()
        if context is not None:
            entry["update_id"] = context.update_id
            if context.chat_id is not None:
                entry["chat"] = self.chat_hash(context.chat_id)
        appeal = _APPEAL_NUMBER.search(message)
        if appeal is not None:
            entry["appeal"] = appeal.group(0)
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = mask(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def log_formatter(settings: Settings, names: TypedNames | None) -> logging.Formatter | None:
    """The formatter ``LOG_FORMAT`` asks for; ``None``: the text lines of bot/logging_setup.py.

    The chat hash is keyed with the bot's token: one chat hashes alike across restarts and
    processes, and nobody without the token can tell which chat a hash stands for.
    """
    if settings.log_format != "json":
        return None
    token = settings.bot_token.get_secret_value() if settings.bot_token else "no token"
    return JsonFormatter(token.encode(), names)

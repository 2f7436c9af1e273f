"""Invisible characters leave every message before any handler reads it.

The one place where what people type is cleaned of control and format
characters (``strip_invisible``): zero-width spaces, NUL bytes, direction
marks. Every handler, dialogue step and relay sees the cleaned message, so
none can forget it: an answer of invisible characters only is no answer, and
no NUL byte reaches the FSM data, the appeals or the operators.

Telegram never delivers an empty text, so a text that was nothing but
invisible characters stays a text message, a blank one: each dialogue step
then refuses it exactly as it refuses blank text, with its own reason. A
caption left empty is no caption. Formatting (entities, counted in UTF-16
units) is moved along with the text it marks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, MessageEntity, TelegramObject

from bot.domain.validators import strip_invisible, utf16_offsets_after_stripping

BLANK_TEXT = " "


class InvisibleCharactersMiddleware(BaseMiddleware):
    """Outer middleware for messages and edited messages."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message):
            event = without_invisible(event)
        return await handler(event, data)


def without_invisible(message: Message) -> Message:
    changes: dict[str, Any] = {}
    if message.text is not None:
        text = strip_invisible(message.text)
        if text != message.text:
            changes["text"] = text or BLANK_TEXT
            changes["entities"] = _moved(message.text, message.entities) if text else None
    if message.caption is not None:
        caption = strip_invisible(message.caption)
        if caption != message.caption:
            changes["caption"] = caption or None
            changes["caption_entities"] = (
                _moved(message.caption, message.caption_entities) if caption else None
            )
    # A copy keeps the bot bound to the message, so ``message.answer`` still works.
    return message.model_copy(update=changes) if changes else message


def _moved(original: str, entities: list[MessageEntity] | None) -> list[MessageEntity] | None:
    if not entities:
        return entities
    offsets = utf16_offsets_after_stripping(original)
    end_of_text = len(offsets) - 1
    moved = []
    for entity in entities:
        start = offsets[min(entity.offset, end_of_text)]
        end = offsets[min(entity.offset + entity.length, end_of_text)]
        if end > start:
            moved.append(entity.model_copy(update={"offset": start, "length": end - start}))
    return moved or None

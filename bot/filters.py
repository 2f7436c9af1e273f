"""Custom filters.

Every filter here is a :class:`Filter` with an ``async`` ``__call__``: aiogram (3.31) runs a
filter that is a plain function or a magic filter (``F.…``) in a worker thread, a trip to
the thread pool on every check. ``F`` is kept to checks that run rarely (a command, a photo);
a check that an ordinary message meets on its way belongs here.
"""

from __future__ import annotations

import re

from aiogram import Bot
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.services.operator_access import OperatorAccess
from bot.settings import Settings

_NOT_LETTERS = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_words(text: str) -> str:
    """Lower case, no emoji or punctuation, single spaces: «✖️ Отмена!» -> «отмена»."""
    return " ".join(_NOT_LETTERS.sub(" ", text.lower().replace("ё", "е")).split())


class TypedWord(Filter):
    """A message whose whole text is one of ``words`` (as a button label or typed)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = frozenset(normalise_words(word) for word in words)

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and normalise_words(message.text) in self.words


class InOperatorsChat(Filter):
    """A message in an operators' chat: ``OPERATORS_CHAT_ID``, or any desk's (``DESKS``)."""

    async def __call__(self, message: Message, settings: Settings) -> bool:
        return message.chat.id in settings.desk_map.chat_ids


class IsCommand(Filter):
    """A message that may be a command: its text or caption starts with "/".

    The router-level check of a router of commands: an ordinary message
    passes a dozen ``Command`` handlers at the cost of one check.
    """

    async def __call__(self, message: Message) -> bool:
        # aiogram's Command reads the first word, so leading spaces do not matter.
        text = message.text or message.caption or ""
        return text.lstrip().startswith("/")


class IsOperator(Filter):
    """From an operator. An anonymous admin (sent as the chat) is nobody in particular."""

    async def __call__(
        self, event: Message | CallbackQuery, bot: Bot, operator_access: OperatorAccess
    ) -> bool:
        if isinstance(event, Message) and event.sender_chat is not None:
            return False
        user = event.from_user
        return user is not None and await operator_access.is_operator(bot, user.id)


class PrivateChat(Filter):
    """Events in a private chat with the bot: messages, edits, button presses, membership."""

    async def __call__(self, event: TelegramObject) -> bool:
        chat = getattr(event, "chat", None)
        if chat is None:
            chat = getattr(getattr(event, "message", None), "chat", None)
        return chat is not None and chat.type == "private"

"""Custom filters."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Router
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
        self._words = frozenset(normalise_words(word) for word in words)

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and normalise_words(message.text) in self._words


class InOperatorsChat(Filter):
    """A message in the operators' chat (``OPERATORS_CHAT_ID``)."""

    async def __call__(self, message: Message, settings: Settings) -> bool:
        return settings.operators_chat_id is not None and \
            message.chat.id == settings.operators_chat_id


class IsOperator(Filter):
    """From an operator. An anonymous admin (sent as the chat) is nobody in particular."""

    async def __call__(self, event: Message | CallbackQuery, bot: Bot,
                       operator_access: OperatorAccess) -> bool:
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


def check_filters_on_the_loop(router: Router) -> None:
    """Run the handlers' synchronous filters (``F.text``, a bare ``State``) on the event loop.

    aiogram 3 runs every synchronous filter through ``asyncio.to_thread``: a
    thread hop and a wait for the GIL per check, a dozen checks per update,
    for what are attribute lookups and comparisons. Our synchronous filters
    are such pure checks (anything that waits is an async ``Filter``), so they
    are called inline; the result is passed on unchanged (``.as_(...)`` works).
    """
    for observer in router.observers.values():
        for handler in observer.handlers:
            for filter_object in handler.filters or ():
                if not filter_object.awaitable:
                    filter_object.callback = _inline(filter_object.callback)
                    filter_object.awaitable = True
    for sub_router in router.sub_routers:
        check_filters_on_the_loop(sub_router)


def _inline(check: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    # aiogram passes only the keyword arguments ``check``'s signature asked for
    # (it was inspected before the swap), so the same call works here.
    async def call(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return call

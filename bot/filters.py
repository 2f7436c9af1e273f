"""Custom filters."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.routing import CommandGate
from bot.services.operator_access import OperatorAccess
from bot.settings import Settings

_NOT_LETTERS = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_words(text: str) -> str:
    """Lower case, no emoji or punctuation, single spaces: «✖️ Отмена!» -> «отмена»."""
    return " ".join(_NOT_LETTERS.sub(" ", text.lower().replace("ё", "е")).split())


class DoorFilter(Filter):
    """A pure, synchronous check that routers' gates can also ask at the door.

    aiogram awaits the filter; a router's gate (``bot.routing``) calls
    ``admits(event, data)`` directly, with the update's context as ``data``.
    Both ask the same ``admits``, so the two answers cannot drift apart. A
    subclass defines ``admits``, or sets it to a gate object that routers can
    merge with others of its kind.
    """

    async def __call__(self, event: TelegramObject, **data: Any) -> bool:
        return self.admits(event, data)

    def admits(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
        raise NotImplementedError


class TypedWord(DoorFilter):
    """A message whose whole text is one of ``words`` (as a button label or typed)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.admits = WordGate(frozenset(normalise_words(word) for word in words))


class WordGate:
    """A message whose whole text, normalised, is one of ``words``.

    Routers' gates merge those of several ``TypedWord`` filters into one,
    so a message is normalised once however many word lists a router has.
    """

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words

    def __call__(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
        return isinstance(event, Message) and event.text is not None and \
            normalise_words(event.text) in self.words

    def union(self, other: WordGate) -> WordGate:
        return WordGate(self.words | other.words)


class InOperatorsChat(DoorFilter):
    """A message in the operators' chat (``OPERATORS_CHAT_ID``)."""

    def admits(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
        settings: Settings = data["settings"]
        return isinstance(event, Message) and settings.operators_chat_id is not None and \
            event.chat.id == settings.operators_chat_id


class IsCommand(DoorFilter):
    """A message that may be a command: the router-level check of a router of commands.

    Read as every ``Command`` filter reads text or caption: its first word
    starts with "/". aiogram checks a router's handlers one by one; behind
    this check, an ordinary message passes a dozen ``Command`` handlers at
    the cost of one.
    """

    def __init__(self) -> None:
        self.admits = CommandGate("/", names=None, ignore_case=False)


class IsOperator(Filter):
    """From an operator. An anonymous admin (sent as the chat) is nobody in particular."""

    async def __call__(self, event: Message | CallbackQuery, bot: Bot,
                       operator_access: OperatorAccess) -> bool:
        if isinstance(event, Message) and event.sender_chat is not None:
            return False
        user = event.from_user
        return user is not None and await operator_access.is_operator(bot, user.id)


class PrivateChat(DoorFilter):
    """Events in a private chat with the bot: messages, edits, button presses, membership."""

    def admits(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
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

    call.__wrapped__ = check  # type: ignore[attr-defined]  # what the router gates read
    return call

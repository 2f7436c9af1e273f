"""Custom filters."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.routing import ButtonGate
from bot.services.operator_access import OperatorAccess
from bot.settings import Settings

_NOT_LETTERS = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_words(text: str) -> str:
    """Lower case, no emoji or punctuation, single spaces: «✖️ Отмена!» -> «отмена»."""
    return " ".join(_NOT_LETTERS.sub(" ", text.lower().replace("ё", "е")).split())


class TypedWord(Filter):
    """A message whose whole text is one of ``words`` (as a button label or typed)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.admits = WordGate(frozenset(normalise_words(word) for word in words))

    async def __call__(self, message: Message) -> bool:
        return self.admits(message, {})


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


class InOperatorsChat(Filter):
    """A message in the operators' chat (``OPERATORS_CHAT_ID``)."""

    async def __call__(self, message: Message, settings: Settings) -> bool:
        return in_operators_chat(message, settings)

    def admits(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
        return _admits_by_settings(in_operators_chat, event, data)


def in_operators_chat(message: Message, settings: Settings) -> bool:
    return settings.operators_chat_id is not None and \
        message.chat.id == settings.operators_chat_id


def _admits_by_settings(check: Callable[[Message, Settings], bool], event: TelegramObject,
                        data: Mapping[str, Any]) -> bool:
    """A gate for a message filter that reads the settings (anything passes without them)."""
    if not isinstance(event, Message):
        return False
    settings = data.get("settings")
    return True if settings is None else check(event, settings)


def looks_like_command(message: Message) -> bool:
    """Text or caption starting with "/": what every ``Command`` filter needs first."""
    text = message.text or message.caption
    return text is not None and text.startswith("/")


class IsCommand(Filter):
    """A message that may be a command: the router-level check of a router of commands.

    aiogram checks a router's handlers one by one; behind this check, an
    ordinary message passes a dozen ``Command`` handlers at the cost of one.
    """

    async def __call__(self, message: Message) -> bool:
        return looks_like_command(message)

    def admits(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
        return isinstance(event, Message) and looks_like_command(event)


class OperatorsChatOrCommand(Filter):
    """A message the operators' routers could take: one in their chat, or a command anywhere.

    Their router-level filter: a citizen's ordinary message (or the caption
    of a photo) passes them after one check instead of a visit to each of
    their sub-routers and handlers. A command can still be theirs: they
    refuse desk commands typed in a private chat.
    """

    async def __call__(self, message: Message, settings: Settings) -> bool:
        return _command_or_operators_chat(message, settings)

    def admits(self, event: TelegramObject, data: Mapping[str, Any]) -> bool:
        return _admits_by_settings(_command_or_operators_chat, event, data)


def _command_or_operators_chat(message: Message, settings: Settings) -> bool:
    return looks_like_command(message) or in_operators_chat(message, settings)


class ButtonOf(Filter):
    """A button whose callback data is of one of ``kinds`` (by its prefix; nothing is parsed)."""

    def __init__(self, *kinds: type[CallbackData]) -> None:
        self.admits = ButtonGate(kinds)

    async def __call__(self, callback: CallbackQuery) -> bool:
        return self.admits(callback, {})


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
        return self.admits(event, {})

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

"""Small helpers shared by the dialogue routers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.services.text_split import split_html
from bot.services.validators import Invalid
from bot.texts import explain


def citizen_router(name: str) -> Router:
    """A router for citizens' dialogues: private chats only, messages and buttons alike."""
    router = Router(name=name)
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    return router


def origin(callback: CallbackQuery) -> Message:
    """The message a button was pressed under (our buttons live only in chats)."""
    message = callback.message
    if message is None:
        raise RuntimeError("callback without a message: inline mode is not used by this bot")
    return message  # type: ignore[return-value]


def problem_text(error: Invalid, table: dict[str, str]) -> str:
    return explain(error.problem.value, dict(error.details), table)


async def answer_long(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send text of any length as several messages; buttons go under the last one."""
    pieces = split_html(text)
    for piece in pieces[:-1]:
        await message.answer(piece)
    await message.answer(pieces[-1], reply_markup=reply_markup)

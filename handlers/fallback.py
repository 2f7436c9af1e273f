"""Catch-alls, registered last: anything no dialogue step claimed."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.keyboards.common import main_menu
from bot.texts import common as t


async def unknown_message(message: Message) -> None:
    if message.chat.type != "private":
        return
    await message.answer(t.UNKNOWN_INPUT, reply_markup=main_menu())


async def stale_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = t.STALE_BUTTON
    callback_answer.show_alert = True


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_message)
    router.callback_query.register(stale_button)
    return router

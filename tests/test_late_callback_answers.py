"""A press handled twice (at least once delivery: taken over from a process that died after
answering it) does its work again without an error: Telegram refuses the second answer."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from aiogram.utils.callback_answer import CallbackAnswer

from bot.middlewares.callback_answers import LateCallbackAnswerMiddleware
from fake_telegram import FakeTelegram


async def test_a_press_handled_twice_is_answered_once_without_an_error() -> None:
    async with FakeTelegram() as telegram:
        anna = telegram.add_user("Анна")
        bot = telegram.create_bot()
        try:
            button = InlineKeyboardButton(text="Да", callback_data="yes")
            await bot.send_message(
                anna.id, "Выберите", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]])
            )
            await telegram.press_button(anna, telegram.last_bot_message(anna), "Да")
            update = Update.model_validate(telegram.update_history[-1], context={"bot": bot})
            dispatcher = Dispatcher()
            dispatcher.callback_query.middleware(LateCallbackAnswerMiddleware())
            handled: list[str] = []

            @dispatcher.callback_query()
            async def pressed(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
                callback_answer.text = "Принято"
                handled.append(callback.id)

            await dispatcher.feed_update(bot, update)
            await dispatcher.feed_update(bot, update)
        finally:
            await bot.session.close()

    assert len(handled) == 2
    assert [answer.text for answer in telegram.callback_answers] == ["Принято"]

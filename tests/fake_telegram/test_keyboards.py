"""Keyboards: Telegram's validation, and users pressing buttons through a polling dispatcher."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from fake_telegram import ButtonNotFoundError, FakeTelegram, FakeUser
from tests.polling import polling


class AppealAction(CallbackData, prefix="ap"):
    action: str
    appeal_id: int


def single_button(**button: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Кнопка", **button)]])


@pytest.mark.parametrize(
    ("callback_data", "accepted"),
    [("x" * 64, True), ("x" * 65, False), ("я" * 32, True), ("я" * 33, False)],
)
async def test_callback_data_is_limited_to_64_bytes(
    bot: Bot, anna: FakeUser, callback_data: str, accepted: bool
) -> None:
    markup = single_button(callback_data=callback_data)
    if accepted:
        await bot.send_message(anna.id, "x", reply_markup=markup)
    else:
        with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
            await bot.send_message(anna.id, "x", reply_markup=markup)


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"callback_data": ""},
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        ({"url": "not-a-url"}, "inline keyboard button URL 'not-a-url' is invalid: Wrong HTTP URL"),
        (
            {"url": "ftp://example.com"},
            "inline keyboard button URL 'ftp://example.com' is invalid: Unsupported URL protocol",
        ),
    ],
)
async def test_invalid_inline_buttons_are_refused(
    bot: Bot, anna: FakeUser, button: dict[str, str], description: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=f"Bad Request: {description}"):
        await bot.send_message(anna.id, "x", reply_markup=single_button(**button))


async def test_url_buttons_are_accepted(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(
        anna.id, "x", reply_markup=single_button(url="https://www.gosuslugi.ru/help")
    )

    assert sent.reply_markup.inline_keyboard[0][0].url == "https://www.gosuslugi.ru/help"


async def test_pressing_a_button_delivers_its_real_callback_data(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    dispatcher = Dispatcher()
    received: list[AppealAction] = []

    @dispatcher.message(CommandStart())
    async def show_appeal(message: Message) -> None:
        builder = InlineKeyboardBuilder()
        builder.button(
            text="Отменить заявку", callback_data=AppealAction(action="cancel", appeal_id=42)
        )
        builder.button(text="Статус", callback_data=AppealAction(action="status", appeal_id=42))
        await message.answer("Заявка №42", reply_markup=builder.as_markup())

    @dispatcher.callback_query(AppealAction.filter())
    async def act(query: CallbackQuery, callback_data: AppealAction) -> None:
        received.append(callback_data)
        await query.answer("Заявка отменена", show_alert=True)
        await query.message.edit_text("Заявка №42 отменена")

    async with polling(telegram, dispatcher, bot):
        await telegram.send_command(anna, "start")
        [card] = await telegram.wait_for_bot_messages(anna)
        query = await telegram.press_button(anna, card, "Отменить заявку")
        await telegram.wait_until_quiet()

    assert query.data == "ap:cancel:42"
    assert received == [AppealAction(action="cancel", appeal_id=42)]
    assert (
        query.answer is not None
        and query.answer.text == "Заявка отменена"
        and query.answer.show_alert
    )
    assert card.text == "Заявка №42 отменена" and card.reply_markup is None


async def test_a_callback_query_can_be_answered_only_once(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    card = await bot.send_message(anna.id, "x", reply_markup=single_button(callback_data="ok"))
    query = await telegram.press_button(anna, telegram.message(anna, card.message_id), "Кнопка")

    assert await bot.answer_callback_query(query.id)
    with pytest.raises(
        TelegramBadRequest,
        match="query is too old and response timeout expired or query ID is invalid",
    ):
        await bot.answer_callback_query(query.id, text="ещё раз")
    assert telegram.callback_answers[0].text is None


async def test_buttons_are_found_on_the_current_keyboard_only(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(
        anna.id, "Шаг 1", reply_markup=single_button(callback_data="next")
    )
    await bot.edit_message_reply_markup(
        chat_id=anna.id,
        message_id=sent.message_id,
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Назад", callback_data="back")],
                [InlineKeyboardButton(text="Сайт", url="https://gosuslugi.ru")],
            ]
        ),
    )
    card = telegram.last_bot_message(anna)

    with pytest.raises(
        ButtonNotFoundError, match=r"no button 'Кнопка'.*its buttons are: 'Назад', 'Сайт'"
    ):
        await telegram.press_button(anna, card, "Кнопка")
    with pytest.raises(ValueError, match="'Сайт' is a url button"):
        await telegram.press_button(anna, card, "Сайт")
    assert (await telegram.press_button(anna, card, "Назад")).data == "back"


async def test_reply_keyboard_buttons_send_text_or_the_users_contact(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    dispatcher = Dispatcher()
    contacts: list[tuple[str, int | None]] = []

    @dispatcher.message(CommandStart())
    async def ask_phone(message: Message) -> None:
        markup = ReplyKeyboardMarkup(
            keyboard=[
                [KeyboardButton(text="Отправить номер", request_contact=True)],
                [KeyboardButton(text="Отмена")],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await message.answer("Поделитесь номером телефона", reply_markup=markup)

    @dispatcher.message(F.contact)
    async def take_phone(message: Message) -> None:
        contacts.append((message.contact.phone_number, message.contact.user_id))
        await message.answer("Спасибо")

    async with polling(telegram, dispatcher, bot):
        await telegram.send_command(anna, "start")
        await telegram.wait_for_bot_messages(anna)
        await telegram.press_keyboard_button(anna, "Отправить номер")
        await telegram.wait_for_bot_messages(anna)

    assert contacts == [("+79161234567", anna.id)]
    with pytest.raises(ButtonNotFoundError, match="shown: none"):
        await telegram.press_keyboard_button(anna, "Отмена")

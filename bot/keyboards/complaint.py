"""The written complaint's reply keyboard (its other buttons are aiogram_dialog widgets)."""

from __future__ import annotations

from aiogram.types import ReplyKeyboardMarkup
from aiogram.utils.keyboard import ReplyKeyboardBuilder

from bot.texts import phone as phone_texts


def share_contact() -> ReplyKeyboardMarkup:
    """«📱 Отправить мой номер»: Telegram shares the account's own number in one press."""
    builder = ReplyKeyboardBuilder()
    builder.button(text=phone_texts.BUTTON_SHARE_CONTACT, request_contact=True)
    return builder.as_markup(resize_keyboard=True, one_time_keyboard=True)

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder, ReplyKeyboardBuilder

from bot.callback_data import Phone, PhoneAction
from bot.keyboards.common import add_navigation
from bot.texts import common as common_texts
from bot.texts import phone as t


def share_contact() -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    builder.button(text=t.BUTTON_SHARE_CONTACT, request_contact=True)
    builder.button(text=common_texts.BUTTON_CANCEL)
    builder.adjust(1)
    return builder.as_markup(resize_keyboard=True, one_time_keyboard=True)


def code_actions() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_RESEND, callback_data=Phone(action=PhoneAction.RESEND))
    builder.button(text=t.BUTTON_OTHER_NUMBER, callback_data=Phone(action=PhoneAction.OTHER_NUMBER))
    builder.adjust(1)
    add_navigation(builder)
    return builder.as_markup()

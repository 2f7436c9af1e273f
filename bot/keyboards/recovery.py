from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Cause, Menu, MenuItem, Recovery, RecoveryAction, RecoveryCause
from bot.keyboards.common import add_navigation
from bot.texts import common as common_texts
from bot.texts import recovery as t

# Which ways out each cause's guidance offers.
_CAUSE_ACTIONS: dict[RecoveryCause, tuple[RecoveryAction, ...]] = {
    RecoveryCause.CHANGED_PHONE: (
        RecoveryAction.VIA_EMAIL,
        RecoveryAction.VIA_SNILS,
        RecoveryAction.SUPPORT,
    ),
    # «Если номер сменился, восстановите доступ по почте или СНИЛС»: both ways are offered.
    RecoveryCause.NO_SMS: (
        RecoveryAction.VIA_EMAIL,
        RecoveryAction.VIA_SNILS,
        RecoveryAction.SUPPORT,
    ),
    RecoveryCause.BLOCKED: (
        RecoveryAction.VIA_EMAIL,
        RecoveryAction.VIA_SNILS,
        RecoveryAction.SUPPORT,
    ),
    RecoveryCause.FORGOT_PASSWORD: (
        RecoveryAction.VIA_EMAIL,
        RecoveryAction.VIA_SNILS,
        RecoveryAction.SUPPORT,
    ),
    RecoveryCause.OTHER: (RecoveryAction.SUPPORT,),
}
_ACTION_LABELS = {
    RecoveryAction.VIA_EMAIL: t.BUTTON_VIA_EMAIL,
    RecoveryAction.VIA_SNILS: t.BUTTON_VIA_SNILS,
    RecoveryAction.SUPPORT: t.BUTTON_SUPPORT,
}


def causes() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for cause in RecoveryCause:
        builder.button(text=t.CAUSE_BUTTONS[cause], callback_data=Cause(cause=cause))
    builder.adjust(1)
    add_navigation(builder)
    return builder.as_markup()


def guidance(cause: RecoveryCause) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action in _CAUSE_ACTIONS[cause]:
        builder.button(text=_ACTION_LABELS[action], callback_data=Recovery(action=action))
    if cause in (RecoveryCause.NO_SMS, RecoveryCause.CHANGED_PHONE):
        builder.button(text=t.BUTTON_CHANGE_PHONE, callback_data=Menu(item=MenuItem.CHANGE_PHONE))
    builder.button(text=common_texts.BUTTON_CALLBACK, callback_data=Menu(item=MenuItem.CALLBACK))
    builder.adjust(1)
    add_navigation(builder, back=True)
    return builder.as_markup()


def after_instructions() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t.BUTTON_DID_NOT_HELP, callback_data=Recovery(action=RecoveryAction.SUPPORT))
    builder.adjust(1)
    add_navigation(builder, back=True)
    return builder.as_markup()

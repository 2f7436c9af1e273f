"""Changing the contact phone, confirmed by a one-time SMS code (aiogram_dialog).

Two windows: the number (typed in any notation, or one's own contact shared
with the reply keyboard's button) and the code. The number's window is the
only one with a reply keyboard: its labels come back as text (see
``PlainReplyKeyboard``), and whoever leaves it closes that keyboard (the code's
announcement, «Назад», navigation; aiogram_dialog's own closing message is
replaced in ``dialog_setup``).
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery, ContentType, Message, ReplyKeyboardRemove
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo
from aiogram_dialog.widgets.kbd.request import RequestContact
from aiogram_dialog.widgets.text import Const

from bot.callback_data import ConsentNext
from bot.domain.clock import Clock
from bot.domain.validators import format_phone, parse_code, parse_phone
from bot.handlers.replies import alert_press, clear_fsm, consent_asked
from bot.handlers.widgets import (
    Catalog,
    PlainReplyKeyboard,
    Refusal,
    contact_input,
    expects,
    explain_refusal,
    navigation,
    not_refused,
    profile_phone,
    refuse,
)
from bot.keyboards.common import main_menu
from bot.services.codes import CheckOutcome, RequestOutcome, RequestResult
from bot.services.phone_change import PhoneChangeService
from bot.settings import Settings
from bot.states.phone import PhoneChange
from bot.texts import common as common_texts
from bot.texts import phone as t
from bot.texts import render, validation

PHONE = "phone"  # dialog data: the number (E.164) a code was sent to


async def start_phone_change(message: Message, manager: DialogManager) -> None:
    if await consent_asked(manager, ConsentNext.CHANGE_PHONE):
        return
    await clear_fsm(manager)
    await manager.start(PhoneChange.waiting_for_phone, mode=StartMode.RESET_STACK)


def _keyboard_closed(manager: DialogManager) -> None:
    """The message just sent removed the reply keyboard: nothing is left to close or edit."""
    stack = manager.current_stack()
    stack.last_reply_keyboard = False
    stack.last_message_id = None


async def _answer(message: Message, manager: DialogManager, text: str) -> None:
    """A message of its own that also closes the number's reply keyboard."""
    await message.answer(text, reply_markup=ReplyKeyboardRemove())
    _keyboard_closed(manager)


# --- the number -------------------------------------------------------------------------


async def phone_given(message: Message, widget: Any, manager: DialogManager, phone: str) -> None:
    """Typed or shared: a code to it (unless it is the current one, or a code still works)."""
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    assert message.from_user is not None
    user_id = message.from_user.id
    if phone == await phone_change.current_phone(user_id):
        refuse(manager, render(t.SAME_AS_CURRENT, phone=format_phone(phone)))
        return
    result = await phone_change.send_code(user_id, phone)
    if result.outcome == RequestOutcome.SENT:
        news = render(t.CODE_SENT, phone=format_phone(phone), minutes=_minutes(phone_change))
    elif result.outcome == RequestOutcome.COOLDOWN and await phone_change.code_usable(
        user_id, phone
    ):
        # The same number again within the pause (or this update handled again after a
        # restart cut it off once the code was sent): the code already sent still works.
        news = render(
            t.CODE_STILL_VALID, phone=format_phone(phone), seconds=result.retry_in_seconds
        )
    else:
        refuse(manager, _refusal(result, phone, phone_change))
        return
    manager.dialog_data[PHONE] = phone
    await _answer(message, manager, news)
    await manager.switch_to(PhoneChange.waiting_for_code)


async def back_from_phone(message: Message, widget: Any, manager: DialogManager) -> None:
    """Back to the code already sent (after «Указать другой номер»), or to the main menu."""
    phone = manager.dialog_data.get(PHONE)
    if phone is not None:
        await _answer(message, manager, render(t.BACK_TO_CODE, phone=format_phone(phone)))
        await manager.switch_to(PhoneChange.waiting_for_code)
        return
    await manager.reset_stack()  # closes the reply keyboard with «Смена номера прервана»
    await message.answer(common_texts.MAIN_MENU, reply_markup=main_menu())


# --- the code ---------------------------------------------------------------------------


async def code_typed(message: Message, widget: Any, manager: DialogManager, code: str) -> None:
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    assert message.from_user is not None
    phone = manager.dialog_data[PHONE]
    result = await phone_change.confirm(message.from_user.id, message.chat.id, phone, code)
    outcome = result.check.outcome
    if outcome == CheckOutcome.ACCEPTED:
        await manager.reset_stack()
        if result.previous_phone:
            text = render(
                t.CHANGED_WITH_OLD,
                phone=format_phone(phone),
                old_phone=format_phone(result.previous_phone),
            )
        else:
            text = render(t.CHANGED, phone=format_phone(phone))
        await message.answer(text)
        await message.answer(common_texts.MAIN_MENU, reply_markup=main_menu())
        return
    policy = phone_change.policy
    texts = {
        CheckOutcome.WRONG: render(t.WRONG_CODE, attempts_left=result.check.attempts_left),
        CheckOutcome.EXHAUSTED: render(t.CODE_EXHAUSTED, attempts=policy.max_failed_attempts),
        CheckOutcome.EXPIRED: render(t.CODE_EXPIRED, minutes=_minutes(phone_change)),
        CheckOutcome.NO_CODE: t.NO_ACTIVE_CODE,
    }
    refuse(manager, texts[outcome])


async def resend_code(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    phone = manager.dialog_data[PHONE]
    result = await phone_change.send_code(callback.from_user.id, phone)
    if result.outcome != RequestOutcome.SENT:
        # An alert, and the step stays as it is: no new message.
        refusal = _refusal(result, phone, phone_change)
        alert_press(manager.middleware_data["callback_answer"], refusal)
        manager.show_mode = ShowMode.NO_UPDATE
        return
    # Shown in the refusal's place: the news replaces the question, the buttons stay.
    refuse(manager, render(t.CODE_RESENT, phone=format_phone(phone)))


def _minutes(phone_change: PhoneChangeService) -> int:
    return int(phone_change.policy.lifetime.total_seconds() // 60)


def _refusal(result: RequestResult, phone: str, phone_change: PhoneChangeService) -> str:
    if result.outcome == RequestOutcome.COOLDOWN:
        return render(t.COOLDOWN, seconds=result.retry_in_seconds)
    if result.outcome == RequestOutcome.DAILY_LIMIT:
        return render(
            t.DAILY_LIMIT, phone=format_phone(phone), limit=phone_change.policy.daily_limit
        )
    return t.GATEWAY_ERROR


async def _code_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """A sticker or a photo at the code step: the question again (it says what is expected)."""


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    def parse(text: str) -> str:
        return parse_phone(text, region=settings.default_region)

    return Dialog(
        Window(
            Const(t.INTRO, when=not_refused),
            Catalog(
                "\n\n" + t.INTRO_CURRENT,
                when=lambda data, widget, manager: (
                    data["phone"] and not_refused(data, widget, manager)
                ),
            ),
            Refusal(),
            RequestContact(Const(t.BUTTON_SHARE_CONTACT)),
            Row(
                Button(Const(common_texts.BUTTON_BACK), id="back"),
                Button(Const(common_texts.BUTTON_CANCEL), id="cancel"),
            ),
            MessageInput(
                back_from_phone,
                content_types=ContentType.TEXT,
                filter=F.text == common_texts.BUTTON_BACK,
            ),
            contact_input(parse, phone_given, validation.PHONE, foreign=t.FOREIGN_CONTACT),
            TextInput(
                id="phone",
                type_factory=parse,
                on_success=phone_given,
                on_error=explain_refusal(validation.PHONE),
            ),
            expects(t.PHONE_EXPECTED),
            state=PhoneChange.waiting_for_phone,
            getter=profile_phone,
            markup_factory=PlainReplyKeyboard(resize_keyboard=True, one_time_keyboard=True),
        ),
        Window(
            Const(t.CODE_EXPECTED, when=not_refused),
            Refusal(),
            TextInput(
                id="code",
                type_factory=parse_code,
                on_success=code_typed,
                on_error=explain_refusal(validation.CODE),
            ),
            MessageInput(_code_expected, content_types=ContentType.ANY),
            Button(Const(t.BUTTON_RESEND), id="resend", on_click=resend_code),
            SwitchTo(
                Const(t.BUTTON_OTHER_NUMBER), id="other_number", state=PhoneChange.waiting_for_phone
            ),
            navigation(back=False),
            state=PhoneChange.waiting_for_code,
        ),
    )

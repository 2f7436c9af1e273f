"""Changing the contact phone, confirmed by a one-time SMS code (aiogram_dialog).

Two windows: the number (typed in any notation, or one's own contact shared
with the reply keyboard's button) and the code. The number's window is the
only one with a reply keyboard: its labels come back as text (see
``PlainReplyKeyboard``), and whoever leaves it closes that keyboard (the code's
announcement, «Назад», navigation; aiogram_dialog's own closing message is
replaced in ``dialog_setup``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery, ContentType, Message, ReplyKeyboardRemove
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo
from aiogram_dialog.widgets.kbd.request import RequestContact
from aiogram_dialog.widgets.text import Const, Multi

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
from bot.services.codes import CheckOutcome, CodePolicy, RequestOutcome, RequestResult
from bot.services.phone_change import PhoneChangeService
from bot.settings import Settings
from bot.states.phone import PhoneChange
from bot.texts import common as common_texts
from bot.texts import phone as t
from bot.texts import render, validation

PHONE = "phone"  # dialog data: the number (E.164) a code was sent to

# Why no code was sent, and why a code typed was not taken.
_NOT_SENT = {
    RequestOutcome.COOLDOWN: t.COOLDOWN,
    RequestOutcome.DAILY_LIMIT: t.DAILY_LIMIT,
    RequestOutcome.GATEWAY_ERROR: t.GATEWAY_ERROR,
}
_NOT_TAKEN = {
    CheckOutcome.WRONG: t.WRONG_CODE,
    CheckOutcome.EXHAUSTED: t.CODE_EXHAUSTED,
    CheckOutcome.EXPIRED: t.CODE_EXPIRED,
    CheckOutcome.NO_CODE: t.NO_ACTIVE_CODE,
}


async def start_phone_change(message: Message, manager: DialogManager) -> None:
    if await consent_asked(manager, ConsentNext.CHANGE_PHONE):
        return
    await clear_fsm(manager)
    await manager.start(PhoneChange.waiting_for_phone, mode=StartMode.RESET_STACK)


def _text(manager: DialogManager, template: str, phone: str, **values: object) -> str:
    """A text about ``phone``, the code policy's numbers at hand (a template takes its own)."""
    policy: CodePolicy = manager.middleware_data["phone_change"].policy
    return render(
        template,
        phone=format_phone(phone),
        minutes=int(policy.lifetime.total_seconds() // 60),
        limit=policy.daily_limit,
        attempts=policy.max_failed_attempts,
        **values,
    )


def _not_sent(manager: DialogManager, result: RequestResult, phone: str) -> str:
    return _text(manager, _NOT_SENT[result.outcome], phone, seconds=result.retry_in_seconds)


async def _to_code(
    message: Message, manager: DialogManager, phone: str, news: str, **values: object
) -> None:
    """The code sent to ``phone`` is asked for, after ``news`` in a message of its own,
    which also closes the number's reply keyboard: nothing is left to close or edit."""
    manager.dialog_data[PHONE] = phone
    await message.answer(_text(manager, news, phone, **values), reply_markup=ReplyKeyboardRemove())
    stack = manager.current_stack()
    stack.last_reply_keyboard = False
    stack.last_message_id = None
    await manager.switch_to(PhoneChange.waiting_for_code)


# --- the number -------------------------------------------------------------------------


async def phone_given(message: Message, widget: Any, manager: DialogManager, phone: str) -> None:
    """Typed or shared: a code to it (unless it is the current one, or a code still works)."""
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    assert message.from_user is not None
    user_id = message.from_user.id
    if phone == await phone_change.current_phone(user_id):
        refuse(manager, _text(manager, t.SAME_AS_CURRENT, phone))
        return
    result = await phone_change.send_code(user_id, phone)
    if result.outcome == RequestOutcome.SENT:
        news = t.CODE_SENT
    elif result.outcome == RequestOutcome.COOLDOWN and await phone_change.code_usable(
        user_id, phone
    ):
        # The same number again within the pause (or this update handled again after a
        # restart cut it off once the code was sent): the code already sent still works.
        news = t.CODE_STILL_VALID
    else:
        refuse(manager, _not_sent(manager, result, phone))
        return
    await _to_code(message, manager, phone, news, seconds=result.retry_in_seconds)


async def back_from_phone(message: Message, widget: Any, manager: DialogManager) -> None:
    """Back to the code already sent (after «Указать другой номер»), or to the main menu."""
    phone = manager.dialog_data.get(PHONE)
    if phone is not None:
        await _to_code(message, manager, phone, t.BACK_TO_CODE)
        return
    await manager.reset_stack()  # closes the reply keyboard with «Смена номера прервана»
    await message.answer(common_texts.MAIN_MENU, reply_markup=main_menu())


# --- the code ---------------------------------------------------------------------------


async def code_typed(message: Message, widget: Any, manager: DialogManager, code: str) -> None:
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    assert message.from_user is not None
    phone = manager.dialog_data[PHONE]
    result = await phone_change.confirm(message.from_user.id, message.chat.id, phone, code)
    check = result.check
    if check.outcome != CheckOutcome.ACCEPTED:
        why = _NOT_TAKEN[check.outcome]
        refuse(manager, _text(manager, why, phone, attempts_left=check.attempts_left))
        return
    await manager.reset_stack()
    old = result.previous_phone
    changed = t.CHANGED_WITH_OLD if old else t.CHANGED
    await message.answer(_text(manager, changed, phone, old_phone=old and format_phone(old)))
    await message.answer(common_texts.MAIN_MENU, reply_markup=main_menu())


async def resend_code(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    phone = manager.dialog_data[PHONE]
    result = await phone_change.send_code(callback.from_user.id, phone)
    if result.outcome != RequestOutcome.SENT:
        # An alert, and the step stays as it is: no new message.
        alert_press(manager.middleware_data["callback_answer"], _not_sent(manager, result, phone))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    # Shown in the refusal's place: the news replaces the question, the buttons stay.
    refuse(manager, _text(manager, t.CODE_RESENT, phone))


async def _code_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """A sticker or a photo at the code step: the question again (it says what is expected)."""


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    parse = partial(parse_phone, region=settings.default_region)

    return Dialog(
        Window(
            Multi(
                Const(t.INTRO),
                Catalog("\n\n" + t.INTRO_CURRENT, when="phone"),
                when=not_refused,
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

"""The consent screen's buttons: «Согласен» goes on with the dialogue, «Не согласен» explains.

The screen itself is shown by ``bot.handlers.replies.consent_asked`` where a
dialogue that collects personal data begins.
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import DialogManager

from bot.callback_data import Consent, ConsentAnswer, ConsentNext
from bot.handlers import appeal, call_booking, complaint, phone, recovery
from bot.handlers.replies import CONSENT_FOR, citizen_router, origin
from bot.keyboards.consent import consent_choice, without_consent
from bot.services.call_booking import CallBookingService
from bot.services.consent import ConsentService
from bot.states.consent import PersonalDataConsent
from bot.texts import consent as t


async def agreed(
    callback: CallbackQuery,
    callback_data: Consent,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    consent: ConsentService,
    call_bookings: CallBookingService,
    dialog_manager: DialogManager,
) -> None:
    await consent.give(callback.from_user.id)
    callback_answer.text = t.AGREED
    message = origin(callback)
    await _hide_buttons(message)
    data = await state.get_data()
    data.pop(CONSENT_FOR, None)
    await state.set_data(data)
    # The consent screen is done: a dialogue on aiogram_dialog keeps its own state, and
    # text typed after it ends must not meet the consent screen's «press a button».
    await state.set_state(None)
    then = callback_data.then
    if then == ConsentNext.CHANGE_PHONE:
        await phone.start_phone_change(message, state, consent, dialog_manager)
    elif then == ConsentNext.RECOVERY_APPEAL:
        await recovery.start_support_form(message, state, consent, dialog_manager)
    elif then == ConsentNext.COMPLAINT:
        await complaint.start_complaint(message, state, consent, dialog_manager)
    elif then == ConsentNext.CALLBACK:
        await call_booking.start_booking(message, state, consent, call_bookings, dialog_manager)
    else:
        await appeal.start_form(message, state, then.value, consent, dialog_manager)


async def declined(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    message = origin(callback)
    await _hide_buttons(message)
    await message.answer(t.DECLINED, reply_markup=without_consent())


async def answer_expected(message: Message, state: FSMContext) -> None:
    """Anything typed on the consent screen: which buttons to press, under this answer."""
    then = ConsentNext((await state.get_data())[CONSENT_FOR])
    await message.answer(t.ANSWER_EXPECTED, reply_markup=consent_choice(then))


async def _hide_buttons(message: Message) -> None:
    # Cosmetic, like every removal of old buttons: a message Telegram no longer
    # lets the bot edit keeps them, and its presses then meet the stale-button answer.
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=None)


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(
        agreed,
        PersonalDataConsent.waiting_for_answer,
        Consent.filter(F.answer == ConsentAnswer.AGREE),
    )
    router.callback_query.register(
        declined,
        PersonalDataConsent.waiting_for_answer,
        Consent.filter(F.answer == ConsentAnswer.DECLINE),
    )
    router.message.register(answer_expected, PersonalDataConsent.waiting_for_answer)
    return router

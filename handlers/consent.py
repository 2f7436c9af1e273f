"""The consent screen, a dialogue of one window before a dialogue that collects personal data.

``bot.handlers.replies.consent_asked`` opens it where such a dialogue begins,
with the dialogue to go on with (``ConsentNext``) as its start data.
«Согласен» saves the consent and opens that dialogue; «Не согласен» explains
what works without it; anything typed is told which button to press.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row
from aiogram_dialog.widgets.text import Const, Format

from bot.callback_data import ConsentNext
from bot.domain.clock import Clock
from bot.handlers import appeal, call_booking, complaint, phone, recovery
from bot.handlers.replies import Start, origin
from bot.handlers.widgets import Refusal, expects, keep_start_data, not_refused
from bot.keyboards.consent import without_consent
from bot.services.consent import ConsentService
from bot.settings import Settings
from bot.states.consent import PersonalDataConsent
from bot.texts import consent as t

THEN = "then"  # start data, kept as dialog data: the dialogue to go on with (a ConsentNext)


async def _text_getter(consent: ConsentService, **_: Any) -> dict[str, Any]:
    return {"consent": consent.text.html}


# What «Согласен» opens, each in place of the consent screen (the stack is reset); the
# other ConsentNext values are the forms of a new appeal.
STARTS: dict[ConsentNext, Start] = {
    ConsentNext.CHANGE_PHONE: phone.start_phone_change,
    ConsentNext.RECOVERY_APPEAL: recovery.start_support_form,
    ConsentNext.COMPLAINT: complaint.start_complaint,
    ConsentNext.CALLBACK: call_booking.start_booking,
}


async def agreed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    consent: ConsentService = manager.middleware_data["consent"]
    callback_answer: CallbackAnswer = manager.middleware_data["callback_answer"]
    await consent.give(callback.from_user.id)
    callback_answer.text = t.AGREED
    then = ConsentNext(manager.dialog_data[THEN])
    start = STARTS.get(then, partial(appeal.start_form, kind=then.value))
    await start(origin(callback), manager)
    # What was opened has been shown. aiogram_dialog shows the window again after a press
    # when the dialogue on top looks unchanged, and it tells dialogues apart by an id made
    # of the current second and a random number below 100: a dialogue opened within the
    # second of this screen is taken for it once in a hundred times, and would be sent twice.
    manager.show_mode = ShowMode.NO_UPDATE


async def declined(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    state: FSMContext = manager.middleware_data["state"]
    await manager.done()
    await state.clear()
    await origin(callback).answer(t.DECLINED, reply_markup=without_consent())


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    return Dialog(
        Window(
            # A typed answer is told which buttons to press, without the whole text again.
            Format("{consent}", when=not_refused),
            Refusal(),
            Row(
                Button(Const(t.BUTTON_AGREE), id="agree", on_click=agreed),
                Button(Const(t.BUTTON_DECLINE), id="decline", on_click=declined),
            ),
            expects(t.ANSWER_EXPECTED),
            getter=_text_getter,
            state=PersonalDataConsent.waiting_for_answer,
        ),
        on_start=keep_start_data,
    )

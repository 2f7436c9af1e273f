"""The operators' side of callback requests: «Позвонил», «Не дозвонился», /callbacks.

Either mark pressed before the call's time has begun is asked about first (the
citizen's history would show a call that never took place): the question says
when the call is, and «Да, …» marks it.

The desk's access rules: ``desk`` serves operators in the operators' chat (card
buttons: operators anywhere); ``refusals`` answers everyone else, and
/callbacks in a private chat is refused. Registered before the operator desk,
so that the call's result an operator types is not relayed to the citizen.
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import CallDesk, CallDeskAction
from bot.filters import InOperatorsChat, PrivateChat
from bot.handlers.operators import (
    refuse_command,
    refuse_in_private,
    sender,
    staff_routers,
    text_asked_for,
)
from bot.handlers.replies import Handler, alert, alert_press, answer_long, operator, origin
from bot.keyboards import operators as keyboards
from bot.rendering.operators import callbacks_list
from bot.services.call_booking import CallBookingService, CallOutcome, CallResult
from bot.states.call_booking import OperatorCallResult
from bot.texts import call_booking as t
from bot.texts import operators as operator_texts
from bot.texts import plain, render

RESULT_LIMIT = 500


def _refusal(result: CallResult) -> str:
    """Plain text for an alert: why the call cannot be marked."""
    appeal = result.appeal
    if appeal is None:
        return operator_texts.APPEAL_GONE
    return plain(t.NOT_A_CALLBACK if appeal.call is None else t.NOT_SCHEDULED, number=appeal.number)


async def _asked_first(
    callback: CallbackQuery,
    callback_data: CallDesk,
    checked: CallResult | None,
    call_bookings: CallBookingService,
) -> bool:
    """Whether the mark waits (True): «Позвонил» or «Не дозвонился» pressed before the
    call's time (``checked``: the call as scheduled) is asked about first.

    The question's «Да, …» goes ahead, its buttons gone (cosmetic, as every removal of
    buttons).
    """
    if callback_data.action in (CallDeskAction.CALLED_EARLY, CallDeskAction.NOT_REACHED_EARLY):
        with contextlib.suppress(TelegramBadRequest):
            await origin(callback).edit_reply_markup(reply_markup=None)
        return False
    if checked is None or checked.outcome != CallOutcome.DONE:
        return False  # marking it says why not
    appeal = checked.appeal
    assert appeal is not None and appeal.call is not None
    if call_bookings.has_begun(appeal.call):
        return False
    called = callback_data.action == CallDeskAction.CALLED
    await origin(callback).reply(
        render(
            t.EARLY_CALLED if called else t.EARLY_NOT_REACHED,
            number=callback_data.number,
            when=call_bookings.when(appeal.call.start),
        ),
        reply_markup=keyboards.early_mark_prompt(
            callback_data.number,
            CallDeskAction.CALLED_EARLY if called else CallDeskAction.NOT_REACHED_EARLY,
        ),
    )
    return True


async def ask_result(
    callback: CallbackQuery,
    callback_data: CallDesk,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    call_bookings: CallBookingService,
) -> None:
    number = callback_data.number
    checked = await call_bookings.scheduled(number)
    if checked.outcome != CallOutcome.DONE:
        alert_press(callback_answer, _refusal(checked))
        return
    if await _asked_first(callback, callback_data, checked, call_bookings):
        return
    await state.set_state(OperatorCallResult.waiting_for_result)
    await state.set_data({"call_number": number})
    await origin(callback).reply(
        render(t.ASK_RESULT, number=number, limit=RESULT_LIMIT),
        reply_markup=keyboards.call_result_prompt(number),
    )


async def result_typed(
    message: Message, state: FSMContext, call_bookings: CallBookingService
) -> None:
    number = (await state.get_data())["call_number"]
    result = await text_asked_for(
        message,
        RESULT_LIMIT,
        render(t.ASK_RESULT, number=number, limit=RESULT_LIMIT),
        t.RESULT_EXPECTED,
        keyboards.call_result_prompt(number),
    )
    if result is None:
        return
    await state.clear()
    actor = sender(message)
    marked = await call_bookings.mark_done(number, actor, result)
    if marked.outcome == CallOutcome.DONE:
        await message.reply(render(t.MARKED_DONE, number=number, name=actor.name))
    else:
        await message.reply(render("{text}", text=_refusal(marked)))


async def keep_unmarked(
    callback: CallbackQuery, callback_data: CallDesk, state: FSMContext
) -> None:
    if (await state.get_data()).get("call_number") == callback_data.number:
        await state.clear()
    await origin(callback).edit_text(render(t.MARK_KEPT, number=callback_data.number))


async def cancel_command(message: Message, state: FSMContext) -> None:
    number = (await state.get_data())["call_number"]
    await state.clear()
    await message.reply(render(t.MARK_KEPT, number=number))


async def not_reached(
    callback: CallbackQuery,
    callback_data: CallDesk,
    callback_answer: CallbackAnswer,
    call_bookings: CallBookingService,
) -> None:
    number = callback_data.number
    checked = None
    if callback_data.action == CallDeskAction.NOT_REACHED:
        checked = await call_bookings.scheduled(number)
    if await _asked_first(callback, callback_data, checked, call_bookings):
        return
    result = await call_bookings.mark_not_reached(number, operator(callback.from_user))
    callback_answer.show_alert = True
    if result.outcome == CallOutcome.DONE:
        callback_answer.text = alert(plain(t.MARKED_NOT_REACHED, number=number))
    else:
        callback_answer.text = _refusal(result)


async def callbacks_command(message: Message, call_bookings: CallBookingService) -> None:
    day = call_bookings.today()
    calls = await call_bookings.calls_of_day(day)
    await answer_long(
        message, callbacks_list(calls, day, call_bookings.now(), call_bookings.policy)
    )


COMMAND = "callbacks"
BUTTONS: dict[CallDeskAction, Handler] = {
    CallDeskAction.CALLED: ask_result,
    CallDeskAction.CALLED_EARLY: ask_result,
    CallDeskAction.NOT_REACHED: not_reached,
    CallDeskAction.NOT_REACHED_EARLY: not_reached,
    CallDeskAction.KEEP: keep_unmarked,
}


def create_router() -> Router:
    """The call's presses are this desk's (as the operators' desk's: handlers/operators.py)."""
    router, desk, refusals = staff_routers(__name__, CallDesk.filter())
    for action, handler in BUTTONS.items():
        desk.callback_query.register(handler, CallDesk.filter(F.action == action))
    desk.message.register(callbacks_command, Command(COMMAND))
    desk.message.register(cancel_command, OperatorCallResult.waiting_for_result, Command("cancel"))
    desk.message.register(
        result_typed, OperatorCallResult.waiting_for_result, ~F.text.startswith("/")
    )
    refusals.message.register(refuse_command, InOperatorsChat(), Command(COMMAND))
    refusals.message.register(refuse_in_private, PrivateChat(), Command(COMMAND))
    return router

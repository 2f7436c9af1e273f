"""Ordering a call back («Обратный звонок»), moving, cancelling and confirming it.

Booking: the phone to call (the verified profile phone in one press, or any
number typed), a short question, a day, a free time, confirmation. The
booked call's buttons (in «Мои обращения» and in the bot's notices) move or
cancel it until an hour before, or confirm it took place.
"""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import (
    CallAction,
    CallDay,
    CallFlow,
    CallManage,
    CallStep,
    CallTime,
    ConsentNext,
    Menu,
    MenuItem,
    Nav,
    NavAction,
)
from bot.keyboards import call_booking as keyboards
from bot.keyboards import conversation as conversation_keyboards
from bot.keyboards.common import confirm, main_menu, navigation
from bot.services.appeals import AppealService
from bot.domain.slots import slot_at
from bot.services.call_booking import CallBookingService, CallOutcome, CallResult
from bot.services.consent import ConsentService
from bot.services.phone_change import PhoneChangeService
from bot.domain.validators import Invalid, clean_text, format_phone, parse_phone
from bot.settings import Settings
from bot.texts import call_booking as t
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts
from bot.texts import render, validation
from bot.rendering.citizen import appeal_details, zone_name
from bot.handlers.replies import answer_long, citizen_router, consent_asked, origin, problem_text
from bot.states.call_booking import CallbackRequest, CallRescheduling

DESCRIPTION_LIMIT = 500
DESCRIPTION_MINIMUM = 3


# --- step 1: the phone ------------------------------------------------------------------


async def start_request(message: Message, state: FSMContext, user_id: int,
                        phone_change: PhoneChangeService,
                        call_bookings: CallBookingService, consent: ConsentService) -> None:
    if await consent_asked(message, state, consent, ConsentNext.CALLBACK):
        return
    await state.clear()
    active = await call_bookings.active_call(user_id)
    if active is not None:
        await show_booked_call(message, CallResult(CallOutcome.ALREADY, active),
                               call_bookings)
        return
    await ask_phone(message, state, user_id, phone_change)


async def show_booked_call(message: Message, result: CallResult,
                           call_bookings: CallBookingService) -> None:
    """One call at a time: the one already booked, with its buttons."""
    appeal = result.appeal
    assert appeal is not None and appeal.call is not None
    await message.answer(
        render(t.ALREADY_BOOKED, number=appeal.number,
               when=call_bookings.when(appeal.call.start)),
        reply_markup=keyboards.booked_call(appeal.number, appeal.call),
    )


async def ask_phone(message: Message, state: FSMContext, user_id: int,
                    phone_change: PhoneChangeService, prefix: str = "") -> None:
    await state.set_state(CallbackRequest.waiting_for_phone)
    profile = await phone_change.current_phone(user_id)
    text = prefix + t.ASK_PHONE
    if profile:
        text += "\n\n" + render(t.ASK_PHONE_PROFILE, phone=format_phone(profile))
    await message.answer(text, reply_markup=keyboards.phone_choice(profile))


async def start_from_menu(callback: CallbackQuery, state: FSMContext,
                          phone_change: PhoneChangeService,
                          call_bookings: CallBookingService, consent: ConsentService) -> None:
    await start_request(origin(callback), state, callback.from_user.id, phone_change,
                        call_bookings, consent)


async def profile_phone_chosen(callback: CallbackQuery, state: FSMContext,
                               phone_change: PhoneChangeService) -> None:
    message = origin(callback)
    phone = await phone_change.current_phone(callback.from_user.id)
    if phone is None:
        await ask_phone(message, state, callback.from_user.id, phone_change,
                        prefix=t.PHONE_EXPECTED + "\n\n")
        return
    await accept_phone(message, state, phone)


async def phone_typed(message: Message, state: FSMContext, settings: Settings,
                      phone_change: PhoneChangeService) -> None:
    assert message.from_user is not None
    try:
        phone = parse_phone(message.text, region=settings.default_region, mobile_only=False)
    except Invalid as error:
        profile = await phone_change.current_phone(message.from_user.id)
        await message.answer(problem_text(error, validation.CALLER_PHONE),
                             reply_markup=keyboards.phone_choice(profile))
        return
    await accept_phone(message, state, phone)


async def contact_shared(message: Message, state: FSMContext, settings: Settings,
                         phone_change: PhoneChangeService) -> None:
    assert message.contact is not None and message.from_user is not None
    try:
        phone = parse_phone(message.contact.phone_number, region=settings.default_region,
                            mobile_only=False)
    except Invalid as error:
        profile = await phone_change.current_phone(message.from_user.id)
        await message.answer(problem_text(error, validation.CALLER_PHONE),
                             reply_markup=keyboards.phone_choice(profile))
        return
    await accept_phone(message, state, phone)


async def phone_expected(message: Message, state: FSMContext,
                         phone_change: PhoneChangeService) -> None:
    assert message.from_user is not None
    await ask_phone(message, state, message.from_user.id, phone_change,
                    prefix=t.PHONE_EXPECTED + "\n\n")


async def accept_phone(message: Message, state: FSMContext, phone: str) -> None:
    await state.update_data(phone=phone)
    await ask_description(message, state)


# --- step 2: the question ------------------------------------------------------------------


async def ask_description(message: Message, state: FSMContext, prefix: str = "") -> None:
    await state.set_state(CallbackRequest.waiting_for_description)
    await message.answer(prefix + render(t.ASK_DESCRIPTION, limit=DESCRIPTION_LIMIT),
                         reply_markup=navigation(back=True))


async def description_typed(message: Message, state: FSMContext,
                            call_bookings: CallBookingService) -> None:
    try:
        description = clean_text(message.text, max_length=DESCRIPTION_LIMIT,
                                 min_length=DESCRIPTION_MINIMUM)
    except Invalid as error:
        await message.answer(problem_text(error, validation.GENERIC),
                             reply_markup=navigation(back=True))
        return
    await state.update_data(description=description)
    await show_days(message, state, call_bookings)


async def description_expected(message: Message, state: FSMContext) -> None:
    await ask_description(message, state, prefix=common_texts.TEXT_EXPECTED + "\n\n")


# --- step 3: the day and the time (booking and moving alike) --------------------------------


def _states(current: str | None) -> type[CallbackRequest | CallRescheduling]:
    """Choosing a day and a time is shared by booking and moving; the state tells which."""
    return CallRescheduling if current in CallRescheduling.__all_states_names__ \
        else CallbackRequest


async def show_days(message: Message, state: FSMContext, call_bookings: CallBookingService,
                    prefix: str = "") -> None:
    group = _states(await state.get_state())
    days = await call_bookings.offered_days()
    if not days:
        await state.clear()
        await message.answer(prefix + t.NO_FREE_DAYS, reply_markup=keyboards.no_free_days())
        return
    await state.set_state(group.choosing_day)
    zone = zone_name(call_bookings.policy.zone)
    if group is CallRescheduling:
        number = (await state.get_data())["number"]
        text = render(t.ASK_DAY_MOVE, number=number, zone=zone)
    else:
        text = render(t.ASK_DAY, zone=zone)
    await message.answer(prefix + text, reply_markup=keyboards.days(
        days, call_bookings.today(), back=group is CallbackRequest))


async def show_times(message: Message, state: FSMContext, call_bookings: CallBookingService,
                     day: date, page: int = 0, prefix: str = "") -> bool:
    """The free times of ``day``; False (nothing shown) when the day has none left."""
    slots = await call_bookings.free_slots(day)
    if not slots:
        return False
    group = _states(await state.get_state())
    await state.set_state(group.choosing_time)
    await state.update_data(day=day.isoformat())
    await message.answer(
        prefix + render(t.ASK_TIME, day=keyboards.day_label(day, call_bookings.today()),
                        zone=zone_name(call_bookings.policy.zone)),
        reply_markup=keyboards.times(day, slots, page),
    )
    return True


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def day_chosen(callback: CallbackQuery, callback_data: CallDay, state: FSMContext,
                     callback_answer: CallbackAnswer,
                     call_bookings: CallBookingService) -> None:
    day = _day(callback_data.day)
    message = origin(callback)
    if day is None or not await show_times(message, state, call_bookings, day,
                                           callback_data.page):
        callback_answer.text = t.DAY_FULL
        callback_answer.show_alert = True
        await show_days(message, state, call_bookings)


async def other_day(callback: CallbackQuery, state: FSMContext,
                    call_bookings: CallBookingService) -> None:
    await show_days(origin(callback), state, call_bookings)


def _slot(callback_data: CallTime, call_bookings: CallBookingService) -> datetime | None:
    day = _day(callback_data.day)
    if day is None or not 0 <= callback_data.minute < 24 * 60:
        return None
    return slot_at(day, callback_data.minute, call_bookings.policy)


async def time_chosen(callback: CallbackQuery, callback_data: CallTime, state: FSMContext,
                      call_bookings: CallBookingService) -> None:
    message = origin(callback)
    start = _slot(callback_data, call_bookings)
    refusal = (CallOutcome.SLOT_GONE if start is None
               else await call_bookings.slot_refusal(start))
    if refusal is not None or start is None:
        await _slot_refused(message, state, call_bookings, refusal)
        return
    await state.update_data(day=callback_data.day, minute=callback_data.minute)
    await show_summary(message, state, call_bookings, start)


async def _slot_refused(message: Message, state: FSMContext, call_bookings: CallBookingService,
                        refusal: CallOutcome | None) -> None:
    """The chosen time is taken or gone: the day's other times, else the days."""
    prefix = (t.SLOT_FULL if refusal == CallOutcome.SLOT_FULL else t.SLOT_GONE) + "\n\n"
    day = _day((await state.get_data()).get("day", ""))
    if day is None or not await show_times(message, state, call_bookings, day,
                                           prefix=prefix):
        await show_days(message, state, call_bookings, prefix=prefix)


async def show_summary(message: Message, state: FSMContext, call_bookings: CallBookingService,
                       start: datetime) -> None:
    data = await state.get_data()
    await state.set_state(CallbackRequest.confirming)
    await message.answer(
        render(t.SUMMARY, phone=format_phone(data["phone"]), description=data["description"],
               when=call_bookings.when(start),
               zone=zone_name(call_bookings.policy.zone)),
        reply_markup=confirm(back=True),
    )


def _chosen_slot(data: dict, call_bookings: CallBookingService) -> datetime:
    return slot_at(date.fromisoformat(data["day"]), data["minute"], call_bookings.policy)


async def submit(callback: CallbackQuery, state: FSMContext,
                 call_bookings: CallBookingService) -> None:
    message = origin(callback)
    data = await state.get_data()
    result = await call_bookings.book(callback.from_user.id, message.chat.id, data["phone"],
                                          data["description"],
                                          _chosen_slot(data, call_bookings))
    appeal = result.appeal
    if result.outcome == CallOutcome.DONE:
        assert appeal is not None and appeal.call is not None
        await state.clear()
        await message.answer(
            render(t.BOOKED, number=appeal.number, when=call_bookings.when(appeal.call.start),
                   zone=zone_name(call_bookings.policy.zone),
                   phone=format_phone(data["phone"])),
            reply_markup=main_menu(),
        )
    elif result.outcome == CallOutcome.ALREADY:
        await state.clear()
        await show_booked_call(message, result, call_bookings)
    else:
        await _slot_refused(message, state, call_bookings, result.outcome)


async def back(callback: CallbackQuery, state: FSMContext, phone_change: PhoneChangeService,
               call_bookings: CallBookingService) -> None:
    message = origin(callback)
    current = await state.get_state()
    if current == CallbackRequest.choosing_day.state:
        await ask_description(message, state)
    elif current == CallbackRequest.choosing_time.state:
        await show_days(message, state, call_bookings)
    elif current == CallbackRequest.confirming.state:
        day = _day((await state.get_data()).get("day", ""))
        if day is None or not await show_times(message, state, call_bookings, day):
            await show_days(message, state, call_bookings)
    else:
        await ask_phone(message, state, callback.from_user.id, phone_change)


async def buttons_expected(message: Message, state: FSMContext,
                           call_bookings: CallBookingService) -> None:
    """Text while a day, a time or the confirmation is awaited: say so, show the buttons."""
    current = await state.get_state()
    prefix = t.CHOOSE_WITH_BUTTON + "\n\n"
    if current == CallbackRequest.confirming.state:
        await message.answer(t.CONFIRM_EXPECTED, reply_markup=confirm(back=True))
        return
    day = _day((await state.get_data()).get("day", ""))
    if current in (CallbackRequest.choosing_time.state, CallRescheduling.choosing_time.state) \
            and day is not None and await show_times(message, state, call_bookings, day,
                                                     prefix=prefix):
        return
    await show_days(message, state, call_bookings, prefix=prefix)


# --- a booked call: move, cancel, confirm ----------------------------------------------------


async def _refuse(message: Message, result: CallResult, number: str,
                  call_bookings: CallBookingService) -> None:
    appeal = result.appeal
    if result.outcome == CallOutcome.TOO_LATE and appeal is not None and appeal.call is not None:
        text = render(t.TOO_LATE, number=number, when=call_bookings.when(appeal.call.start))
    elif result.outcome == CallOutcome.NOT_CHANGEABLE:
        text = render(t.NOT_CHANGEABLE, number=number)
    else:
        text = t.NOT_YOURS
    await message.answer(text, reply_markup=main_menu())


async def move_pressed(callback: CallbackQuery, callback_data: CallManage, state: FSMContext,
                       call_bookings: CallBookingService) -> None:
    message = origin(callback)
    checked = await call_bookings.check_change(callback_data.number, callback.from_user.id)
    if checked.outcome != CallOutcome.DONE:
        await _refuse(message, checked, callback_data.number, call_bookings)
        return
    await state.clear()
    await state.set_state(CallRescheduling.choosing_day)
    await state.set_data({"number": callback_data.number})
    await show_days(message, state, call_bookings)


async def new_time_chosen(callback: CallbackQuery, callback_data: CallTime, state: FSMContext,
                          call_bookings: CallBookingService) -> None:
    message = origin(callback)
    number = (await state.get_data())["number"]
    start = _slot(callback_data, call_bookings)
    if start is None:
        await _slot_refused(message, state, call_bookings, CallOutcome.SLOT_GONE)
        return
    result = await call_bookings.move(number, callback.from_user.id, start)
    if result.outcome in (CallOutcome.SLOT_FULL, CallOutcome.SLOT_GONE):
        await _slot_refused(message, state, call_bookings, result.outcome)
        return
    await state.clear()
    if result.outcome != CallOutcome.DONE:
        await _refuse(message, result, number, call_bookings)
        return
    await message.answer(render(t.MOVED, number=number, when=call_bookings.when(start),
                                zone=zone_name(call_bookings.policy.zone)),
                         reply_markup=main_menu())


async def cancel_pressed(callback: CallbackQuery, callback_data: CallManage,
                         call_bookings: CallBookingService) -> None:
    message = origin(callback)
    checked = await call_bookings.check_change(callback_data.number, callback.from_user.id)
    appeal = checked.appeal
    if checked.outcome != CallOutcome.DONE or appeal is None or appeal.call is None:
        await _refuse(message, checked, callback_data.number, call_bookings)
        return
    await message.answer(render(t.ASK_CANCEL, number=appeal.number,
                                when=call_bookings.when(appeal.call.start)),
                         reply_markup=keyboards.ask_cancel(appeal.number))


async def cancel_confirmed(callback: CallbackQuery, callback_data: CallManage, state: FSMContext,
                           call_bookings: CallBookingService) -> None:
    message = origin(callback)
    result = await call_bookings.cancel(callback_data.number, callback.from_user.id)
    if result.outcome != CallOutcome.DONE:
        await _refuse(message, result, callback_data.number, call_bookings)
        return
    if (await state.get_data()).get("number") == callback_data.number:
        await state.clear()
    await message.answer(render(t.CANCELLED, number=callback_data.number),
                         reply_markup=main_menu())


async def cancel_declined(callback: CallbackQuery, callback_data: CallManage,
                          call_bookings: CallBookingService) -> None:
    message = origin(callback)
    checked = await call_bookings.check_change(callback_data.number, callback.from_user.id)
    appeal = checked.appeal
    if appeal is None or appeal.call is None:
        await _refuse(message, checked, callback_data.number, call_bookings)
        return
    await message.answer(render(t.KEPT, when=call_bookings.when(appeal.call.start)),
                         reply_markup=main_menu())


async def call_confirmed(callback: CallbackQuery, callback_data: CallManage,
                         callback_answer: CallbackAnswer, call_bookings: CallBookingService,
                         appeals: AppealService, settings: Settings) -> None:
    result = await call_bookings.confirm(callback_data.number, callback.from_user.id)
    appeal = result.appeal
    if result.outcome == CallOutcome.NOT_DONE:
        callback_answer.text = t.NOT_DONE_YET
        callback_answer.show_alert = True
        return
    if result.outcome not in (CallOutcome.DONE, CallOutcome.ALREADY) or appeal is None:
        callback_answer.text = t.NOT_YOURS
        callback_answer.show_alert = True
        return
    message = origin(callback)
    heading = (render(t.CONFIRMED, number=appeal.number) if result.outcome == CallOutcome.DONE
               else t.ALREADY_CONFIRMED)
    record = appeal_details(appeal, await appeals.history(appeal), settings.zone)
    if result.closed_now:
        await answer_long(message, heading + "\n\n" + record)
        await message.answer(conversation_texts.ASK_RATING,
                             reply_markup=conversation_keyboards.rating(appeal.number))
    else:
        await answer_long(message, heading + "\n\n" + record, reply_markup=main_menu())


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(start_from_menu, Menu.filter(F.item == MenuItem.CALLBACK))

    router.callback_query.register(profile_phone_chosen, CallbackRequest.waiting_for_phone,
                                   CallFlow.filter(F.action == CallStep.PROFILE_PHONE))
    router.message.register(contact_shared, CallbackRequest.waiting_for_phone, F.contact)
    router.message.register(phone_typed, CallbackRequest.waiting_for_phone, F.text)
    router.message.register(phone_expected, CallbackRequest.waiting_for_phone)

    router.message.register(description_typed, CallbackRequest.waiting_for_description, F.text)
    router.message.register(description_expected, CallbackRequest.waiting_for_description)

    choosing: tuple[State, ...] = (CallbackRequest.choosing_day, CallbackRequest.choosing_time,
                                   CallRescheduling.choosing_day, CallRescheduling.choosing_time)
    router.callback_query.register(day_chosen, StateFilter(*choosing), CallDay.filter())
    router.callback_query.register(other_day, StateFilter(*choosing),
                                   CallFlow.filter(F.action == CallStep.OTHER_DAY))
    router.callback_query.register(time_chosen, CallbackRequest.choosing_time, CallTime.filter())
    router.callback_query.register(new_time_chosen, CallRescheduling.choosing_time,
                                   CallTime.filter())
    router.callback_query.register(submit, CallbackRequest.confirming,
                                   Nav.filter(F.action == NavAction.CONFIRM))
    router.callback_query.register(back, StateFilter(CallbackRequest),
                                   Nav.filter(F.action == NavAction.BACK))
    router.message.register(buttons_expected, StateFilter(*choosing, CallbackRequest.confirming))

    router.callback_query.register(move_pressed, CallManage.filter(F.action == CallAction.MOVE))
    router.callback_query.register(cancel_pressed,
                                   CallManage.filter(F.action == CallAction.CANCEL))
    router.callback_query.register(cancel_confirmed,
                                   CallManage.filter(F.action == CallAction.CANCEL_SURE))
    router.callback_query.register(cancel_declined,
                                   CallManage.filter(F.action == CallAction.KEEP))
    router.callback_query.register(call_confirmed,
                                   CallManage.filter(F.action == CallAction.CONFIRM))
    return router

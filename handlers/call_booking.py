"""Ordering a call back («Обратный звонок») and moving a booked call, on aiogram_dialog.

Booking (:class:`CallbackRequest`): the phone to call (the verified profile
phone in one press, a number typed, or a contact shared), a short question,
a day, a free time, confirmation. Moving (:class:`CallRescheduling`): the same
day and time windows for a booked call, or a new time after a missed one.

The buttons of a booked call («Перенести», «Отменить», «Подтвердить звонок»)
stay plain CallbackData buttons handled by this module's router: they carry
the appeal's number and live on messages outside any dialogue (the appeal's
details, the notices the operators' side sends through the outbox), which
must keep working days later, whatever dialogue the citizen is in by then.
«Перенести» and «Выбрать новое время» start the moving dialogue.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import (
    Back,
    Button,
    Group,
    NextPage,
    PrevPage,
    Row,
    ScrollingGroup,
    Select,
)
from aiogram_dialog.widgets.text import Const, Format, Multi

from bot.callback_data import CallAction, CallManage, ConsentNext
from bot.domain.clock import Clock
from bot.domain.models import Appeal
from bot.domain.slots import slot_at
from bot.domain.validators import clean_text, format_phone, parse_phone
from bot.handlers.my_appeals import ask_rating
from bot.handlers.replies import (
    Handler,
    alert_press,
    answer_long,
    clear_fsm,
    confirm_then_close,
    consent_asked,
    origin,
    this_dialogue,
)
from bot.handlers.widgets import (
    HAS_NEXT_PAGE,
    HAS_PREVIOUS_PAGE,
    Catalog,
    Refusal,
    contact_input,
    expects,
    navigation,
    profile_phone,
    profile_phone_button,
    question,
    refuse,
    submit_button,
)
from bot.keyboards import call_booking as keyboards
from bot.keyboards.common import main_menu
from bot.rendering.citizen import appeal_details, day_in_sentence, day_label, zone_name
from bot.services.appeals import AppealService
from bot.services.call_booking import CallBookingService, CallOutcome, CallResult
from bot.settings import Settings
from bot.states.call_booking import CallbackRequest, CallRescheduling
from bot.texts import call_booking as t
from bot.texts import render, validation

DESCRIPTION_LIMIT = 500
DESCRIPTION_MINIMUM = 3
TIMES_PER_ROW = 4
TIME_ROWS = 10  # 40 times a page: a whole working day of half-hour slots fits on one
TIMES = "times"  # the scrolling group of times; its page is kept by aiogram_dialog


# --- entry points -----------------------------------------------------------------------


async def start_booking(message: Message, manager: DialogManager) -> None:
    """One booked call at a time: the one already booked is shown with its buttons."""
    if await consent_asked(manager, ConsentNext.CALLBACK):
        return
    await clear_fsm(manager)
    call_bookings = _call_bookings(manager)
    active = await call_bookings.active_call(manager.middleware_data["event_from_user"].id)
    if active is not None:
        await manager.reset_stack()
        await show_booked_call(message, active, call_bookings)
        return
    await manager.start(CallbackRequest.waiting_for_phone, mode=StartMode.RESET_STACK)


async def show_booked_call(
    message: Message, appeal: Appeal | None, call_bookings: CallBookingService
) -> None:
    assert appeal is not None and appeal.call is not None
    changeable = call_bookings.can_still_change(appeal.call)
    await message.answer(
        render(
            t.ALREADY_BOOKED if changeable else t.ALREADY_BOOKED_LOCKED,
            number=appeal.number,
            when=call_bookings.when(appeal.call.start),
        ),
        reply_markup=keyboards.booked_call(appeal.number, appeal.call, changeable=changeable),
    )


def _call_bookings(manager: DialogManager) -> CallBookingService:
    service: CallBookingService = manager.middleware_data["call_bookings"]
    return service


# --- step 1: the phone ----------------------------------------------------------------------


async def phone_accepted(
    event: Message | CallbackQuery, widget: Any, manager: DialogManager, phone: str
) -> None:
    manager.dialog_data["phone"] = phone
    await manager.next()


# --- step 2: the question -------------------------------------------------------------------


async def description_accepted(
    message: Message, widget: Any, manager: DialogManager, description: str
) -> None:
    manager.dialog_data["description"] = description
    if not await _call_bookings(manager).offered_days():
        await _no_free_days(message, manager)
        return
    await manager.next()


async def _no_free_days(message: Message, manager: DialogManager, prefix: str = "") -> None:
    await manager.done()
    await message.answer(prefix + t.NO_FREE_DAYS, reply_markup=keyboards.no_free_days())


# --- step 3: the day and the time (booking and moving alike) --------------------------------


async def days_getter(
    dialog_manager: DialogManager, call_bookings: CallBookingService, **_: Any
) -> dict[str, Any]:
    today = call_bookings.today()
    return {
        "days": [
            {"id": day.isoformat(), "label": day_label(day, today)}
            for day in await call_bookings.offered_days()
        ],
        "zone": zone_name(call_bookings.policy.zone),
        "number": cast(dict[str, Any], dialog_manager.start_data or {}).get("number", ""),
    }


async def day_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, day: str
) -> None:
    if not await _call_bookings(manager).free_slots(date.fromisoformat(day)):
        alert_press(manager.middleware_data["callback_answer"], t.DAY_FULL)
        return  # the days are shown again, without this one
    manager.dialog_data["day"] = day
    await cast(ManagedScroll, manager.find(TIMES)).set_page(0)
    await manager.next()


async def times_getter(
    dialog_manager: DialogManager, call_bookings: CallBookingService, **_: Any
) -> dict[str, Any]:
    day = date.fromisoformat(dialog_manager.dialog_data["day"])
    return {
        "times": [
            {"minute": slot.hour * 60 + slot.minute, "label": f"{slot:%H:%M}"}
            for slot in await call_bookings.free_slots(day)
        ],
        "day": day_in_sentence(day, call_bookings.today()),
        "zone": zone_name(call_bookings.policy.zone),
    }


async def _slot_refused(
    callback: CallbackQuery, manager: DialogManager, refusal: CallOutcome | None
) -> None:
    """The chosen time is taken or gone: the day's other times, else the other days.

    Called in the window of times, which aiogram_dialog shows again unless
    this switches to another.
    """
    reason = t.SLOT_FULL if refusal == CallOutcome.SLOT_FULL else t.SLOT_GONE
    service = _call_bookings(manager)
    if await service.free_slots(date.fromisoformat(manager.dialog_data["day"])):
        refuse(manager, reason)
    elif await service.offered_days():
        refuse(manager, reason)
        await manager.back()
    else:
        await _no_free_days(origin(callback), manager, prefix=reason + "\n\n")


def _minute(item: str) -> int:
    """A time button's minute of the day; -1 (no slot) for a forged one."""
    return int(item) if item.isdigit() and int(item) < 24 * 60 else -1


def _slot(manager: DialogManager, minute: int) -> datetime:
    """The start of the chosen day's time ``minute`` (a minute of the day, not -1)."""
    day = date.fromisoformat(manager.dialog_data["day"])
    return slot_at(day, minute, _call_bookings(manager).policy)


async def time_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, minute: int
) -> None:
    refusal = (
        CallOutcome.SLOT_GONE
        if minute < 0
        else await _call_bookings(manager).slot_refusal(_slot(manager, minute))
    )
    if refusal is not None:
        await _slot_refused(callback, manager, refusal)
        return
    manager.dialog_data["minute"] = minute
    await manager.next()


def _day_window(state: Any, question: str, *, back: bool) -> Window:
    return Window(
        Refusal(),
        Catalog(question),
        Group(
            Select(
                Format("{item[label]}"),
                id="day",
                item_id_getter=lambda day: day["id"],
                items="days",
                on_click=day_chosen,
            ),
            width=2,
        ),
        expects(t.CHOOSE_WITH_BUTTON),
        navigation(back=back),
        state=state,
        getter=days_getter,
    )


def _time_window(state: Any, on_click: Any) -> Window:
    return Window(
        Refusal(),
        Catalog(t.ASK_TIME),
        ScrollingGroup(
            Select(
                Format("{item[label]}"),
                id="time",
                item_id_getter=lambda time: time["minute"],
                items="times",
                type_factory=_minute,
                on_click=on_click,
            ),
            id=TIMES,
            width=TIMES_PER_ROW,
            height=TIME_ROWS,
            hide_pager=True,
        ),
        Row(
            PrevPage(
                scroll=TIMES, id="earlier", text=Const(t.BUTTON_EARLIER), when=HAS_PREVIOUS_PAGE
            ),
            NextPage(scroll=TIMES, id="later", text=Const(t.BUTTON_LATER), when=HAS_NEXT_PAGE),
        ),
        Back(Const(t.BUTTON_OTHER_DAY)),
        expects(t.CHOOSE_WITH_BUTTON),
        navigation(back=False),
        state=state,
        getter=times_getter,
    )


# --- step 4: the summary ----------------------------------------------------------------------


async def summary_getter(
    dialog_manager: DialogManager, call_bookings: CallBookingService, **_: Any
) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    return {
        "phone": format_phone(data["phone"]),
        "description": data["description"],
        "when": call_bookings.when(_slot(dialog_manager, data["minute"])),
        "zone": zone_name(call_bookings.policy.zone),
    }


async def submit(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    service = _call_bookings(manager)
    data = manager.dialog_data
    message = origin(callback)
    result = await service.book(
        callback.from_user.id,
        message.chat.id,
        data["phone"],
        data["description"],
        _slot(manager, data["minute"]),
        filed_by=this_dialogue(manager),
    )
    if result.outcome == CallOutcome.DONE:
        assert result.appeal is not None
        # The confirmation says what the summary said, the appeal's number above.
        booked = render(
            t.BOOKED, number=result.appeal.number, **await summary_getter(manager, service)
        )
        await confirm_then_close(message.answer(booked, reply_markup=main_menu()), manager.done)
    elif result.outcome == CallOutcome.ALREADY:
        await manager.done()
        await show_booked_call(message, result.appeal, service)
    else:
        await manager.back()
        await _slot_refused(callback, manager, result.outcome)


# --- moving a booked call --------------------------------------------------------------------


async def new_time_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, minute: int
) -> None:
    service = _call_bookings(manager)
    number = cast(dict[str, Any], manager.start_data)["number"]
    if minute < 0:
        await _slot_refused(callback, manager, CallOutcome.SLOT_GONE)
        return
    start = _slot(manager, minute)
    result = await service.move(number, callback.from_user.id, start)
    if result.outcome in (CallOutcome.SLOT_FULL, CallOutcome.SLOT_GONE):
        await _slot_refused(callback, manager, result.outcome)
        return
    await manager.done()
    message = origin(callback)
    if result.outcome != CallOutcome.DONE:
        await _refuse(message, result, number, service)
        return
    await message.answer(
        render(
            t.MOVED, number=number, when=service.when(start), zone=zone_name(service.policy.zone)
        ),
        reply_markup=main_menu(),
    )


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    def parse(text: str) -> str:
        return parse_phone(text, region=settings.default_region, mobile_only=False)

    def describe(text: str) -> str:
        return clean_text(text, max_length=DESCRIPTION_LIMIT, min_length=DESCRIPTION_MINIMUM)

    return Dialog(
        question(
            CallbackRequest.waiting_for_phone,
            Multi(Catalog(t.ASK_PHONE), Catalog(t.ASK_PHONE_PROFILE, when="phone"), sep="\n\n"),
            field="phone",
            parse=parse,
            on_success=phone_accepted,
            problems=validation.CALLER_PHONE,
            inputs=[contact_input(parse, phone_accepted, validation.CALLER_PHONE)],
            buttons=[
                profile_phone_button(t.BUTTON_PROFILE_PHONE, phone_accepted, t.PHONE_EXPECTED)
            ],
            otherwise=expects(t.PHONE_EXPECTED),
            back=False,
            getter=profile_phone,
        ),
        question(
            CallbackRequest.waiting_for_description,
            Const(render(t.ASK_DESCRIPTION, limit=DESCRIPTION_LIMIT)),
            field="description",
            parse=describe,
            on_success=description_accepted,
        ),
        _day_window(CallbackRequest.choosing_day, t.ASK_DAY, back=True),
        _time_window(CallbackRequest.choosing_time, time_chosen),
        Window(
            Refusal(),
            Catalog(t.SUMMARY),
            submit_button(submit),
            expects(t.CONFIRM_EXPECTED),
            navigation(),
            state=CallbackRequest.confirming,
            getter=summary_getter,
        ),
    )


def create_rescheduling_dialog(settings: Settings, clock: Clock) -> Dialog:
    return Dialog(
        _day_window(CallRescheduling.choosing_day, t.ASK_DAY_MOVE, back=False),
        _time_window(CallRescheduling.choosing_time, new_time_chosen),
    )


# --- a booked call's buttons: move, cancel, confirm -----------------------------------------


async def _refuse(
    message: Message, result: CallResult, number: str, call_bookings: CallBookingService
) -> None:
    appeal = result.appeal
    if result.outcome == CallOutcome.TOO_LATE and appeal is not None and appeal.call is not None:
        text = render(t.TOO_LATE, number=number, when=call_bookings.when(appeal.call.start))
    elif result.outcome == CallOutcome.NOT_CHANGEABLE:
        text = render(t.NOT_CHANGEABLE, number=number)
    else:
        text = t.NOT_YOURS
    await message.answer(text, reply_markup=main_menu())


async def move_pressed(
    callback: CallbackQuery,
    callback_data: CallManage,
    call_bookings: CallBookingService,
    dialog_manager: DialogManager,
) -> None:
    if await _call_when(callback, callback_data.number, call_bookings, changing=True) is None:
        return
    await clear_fsm(dialog_manager)
    await dialog_manager.start(
        CallRescheduling.choosing_day,
        data={"number": callback_data.number},
        mode=StartMode.RESET_STACK,
    )


async def _call_when(
    callback: CallbackQuery, number: str, call_bookings: CallBookingService, *, changing: bool
) -> str | None:
    """When the citizen's call is (``changing``: one that may still change), as it reads;
    else None, and the citizen told why."""
    checked = await call_bookings.check_change(number, callback.from_user.id)
    appeal = checked.appeal
    refused = changing and checked.outcome != CallOutcome.DONE
    if refused or appeal is None or appeal.call is None:
        await _refuse(origin(callback), checked, number, call_bookings)
        return None
    return call_bookings.when(appeal.call.start)


async def cancel_pressed(
    callback: CallbackQuery, callback_data: CallManage, call_bookings: CallBookingService
) -> None:
    number = callback_data.number
    when = await _call_when(callback, number, call_bookings, changing=True)
    if when is not None:
        await origin(callback).answer(
            render(t.ASK_CANCEL, number=number, when=when),
            reply_markup=keyboards.ask_cancel(number),
        )


async def cancel_confirmed(
    callback: CallbackQuery, callback_data: CallManage, call_bookings: CallBookingService
) -> None:
    message = origin(callback)
    result = await call_bookings.cancel(callback_data.number, callback.from_user.id)
    if result.outcome != CallOutcome.DONE:
        await _refuse(message, result, callback_data.number, call_bookings)
        return
    await message.answer(render(t.CANCELLED, number=callback_data.number), reply_markup=main_menu())


async def cancel_declined(
    callback: CallbackQuery, callback_data: CallManage, call_bookings: CallBookingService
) -> None:
    when = await _call_when(callback, callback_data.number, call_bookings, changing=False)
    if when is not None:
        await origin(callback).answer(render(t.KEPT, when=when), reply_markup=main_menu())


async def call_confirmed(
    callback: CallbackQuery,
    callback_data: CallManage,
    callback_answer: CallbackAnswer,
    call_bookings: CallBookingService,
    appeals: AppealService,
    settings: Settings,
) -> None:
    result = await call_bookings.confirm(callback_data.number, callback.from_user.id)
    appeal = result.appeal
    if result.outcome not in (CallOutcome.DONE, CallOutcome.ALREADY) or appeal is None:
        refusal = t.NOT_DONE_YET if result.outcome == CallOutcome.NOT_DONE else t.NOT_YOURS
        alert_press(callback_answer, refusal)
        return
    message = origin(callback)
    confirmed = t.CONFIRMED if result.outcome == CallOutcome.DONE else t.ALREADY_CONFIRMED
    heading = render(confirmed, number=appeal.number)
    record = appeal_details(appeal, await appeals.history(appeal), settings.zone)
    # The confirmation that closed the appeal is followed by the rating request, not the menu.
    menu = None if result.closed_now else main_menu()
    await answer_long(message, heading + "\n\n" + record, reply_markup=menu)
    if result.closed_now:
        await ask_rating(message, appeal.number)


BUTTONS: dict[CallAction, Handler] = {
    CallAction.MOVE: move_pressed,
    CallAction.CANCEL: cancel_pressed,
    CallAction.CANCEL_SURE: cancel_confirmed,
    CallAction.KEEP: cancel_declined,
    CallAction.CONFIRM: call_confirmed,
}


def create_router() -> Router:
    router = Router(name=__name__)
    for action, handler in BUTTONS.items():
        router.callback_query.register(handler, CallManage.filter(F.action == action))
    return router

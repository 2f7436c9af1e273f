"""A new appeal: choose the type, answer what that type needs, confirm."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager

from bot.callback_data import (
    AppealKind,
    AppealTypeChoice,
    ConsentNext,
    Menu,
    MenuItem,
    Nav,
    NavAction,
)
from bot.keyboards.appeals import appeal_types
from bot.keyboards.common import confirm, main_menu
from bot.services.appeals import AppealService
from bot.domain.clock import Clock
from bot.services.consent import ConsentService
from bot.services.desk import DeskService
from bot.domain.validators import clean_text, parse_application_number, parse_moment
from bot.settings import Settings
from bot.texts import appeals as t
from bot.texts import common as common_texts
from bot.texts import join_lines, render, validation
from bot.rendering.citizen import appeal_filed, field_lines
from bot.handlers.complaint import start_complaint
from bot.handlers.forms import Form, Step, answered_step, ask, reask, step_context
from bot.handlers.my_appeals import ask_for_number
from bot.handlers.replies import answer_long, citizen_router, consent_asked, off_hours, origin
from bot.states.appeal import NewAppeal
from bot.domain.models import AppealType


def _description(max_length: int = 2000) -> Step:
    return Step("description", NewAppeal.waiting_for_description, t.PROMPTS["description"],
                lambda text, _: clean_text(text, max_length=max_length))


_APPLICATION_NUMBER = Step(
    "application_number", NewAppeal.waiting_for_application_number,
    t.PROMPTS["application_number"], lambda text, _: parse_application_number(text),
    validation.APPLICATION_NUMBER, skippable=True,
)

FORMS: dict[AppealKind, Form] = {
    AppealKind.TECHNICAL: Form([
        _description(),
        Step("error_text", NewAppeal.waiting_for_error_text, t.PROMPTS["error_text"],
             lambda text, _: clean_text(text, max_length=1000)),
        Step("occurred_at", NewAppeal.waiting_for_occurred_at, t.PROMPTS["occurred_at"],
             lambda text, ctx: parse_moment(text, now=ctx.now).iso(), validation.MOMENTS),
        _APPLICATION_NUMBER,
    ]),
    AppealKind.SERVICE_QUESTION: Form([
        Step("service_name", NewAppeal.waiting_for_service_name, t.PROMPTS["service_name"],
             lambda text, _: clean_text(text, max_length=200, min_length=2)),
        _description(),
        _APPLICATION_NUMBER,
    ]),
    AppealKind.CONSULTATION: Form([
        Step("topic", NewAppeal.waiting_for_topic, t.PROMPTS["topic"],
             lambda text, _: clean_text(text, max_length=200, min_length=2)),
        _description(),
    ]),
}
APPEAL_TYPES = {
    AppealKind.TECHNICAL: AppealType.TECHNICAL,
    AppealKind.SERVICE_QUESTION: AppealType.SERVICE_QUESTION,
    AppealKind.CONSULTATION: AppealType.CONSULTATION,
}
FORM_STATES = tuple({state for form in FORMS.values() for state in form.states})


async def show_types(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(NewAppeal.choosing_type)
    await message.answer(t.CHOOSE_TYPE, reply_markup=appeal_types())


async def current_form(state: FSMContext) -> Form:
    return FORMS[AppealKind((await state.get_data())["kind"])]


async def show_summary(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    form = FORMS[AppealKind(data["kind"])]
    await state.set_state(NewAppeal.confirming)
    fields = {step.field: data.get(step.field) for step in form.steps}
    await answer_long(
        message,
        render(t.SUMMARY, type=common_texts.APPEAL_TYPE_NAMES[APPEAL_TYPES[data["kind"]]],
               fields=join_lines(field_lines(fields, t.SUMMARY_LINE))),
        reply_markup=confirm(back=True),
    )


async def next_step(message: Message, state: FSMContext, form: Form, step: Step) -> None:
    following = form.after(step)
    if following is None:
        await show_summary(message, state)
    else:
        await ask(message, state, form, following)


async def start_from_menu(callback: CallbackQuery, state: FSMContext) -> None:
    await show_types(origin(callback), state)


async def type_chosen(
    callback: CallbackQuery, callback_data: AppealTypeChoice, state: FSMContext,
    consent: ConsentService, dialog_manager: DialogManager,
) -> None:
    message = origin(callback)
    kind = callback_data.kind
    if kind == AppealKind.COMPLAINT:
        await start_complaint(message, state, consent, dialog_manager)
        return
    if kind == AppealKind.STATUS_CHECK:
        await ask_for_number(message, state)
        return
    await start_form(message, state, kind, consent)


async def start_form(message: Message, state: FSMContext, kind: AppealKind,
                     consent: ConsentService) -> None:
    if await consent_asked(message, state, consent, ConsentNext(kind.value)):
        return
    await state.set_data({"kind": kind.value})
    form = FORMS[kind]
    await ask(message, state, form, form.first)


async def type_expected(message: Message) -> None:
    await message.answer(common_texts.DIALOGUE_BUTTON_ONLY, reply_markup=appeal_types())


async def form_answer(message: Message, state: FSMContext, settings: Settings,
                      clock: Clock) -> None:
    form = await current_form(state)
    step = await answered_step(message, state, form, step_context(settings, clock))
    if step is not None:
        await next_step(message, state, form, step)


async def form_wrong_kind(message: Message, state: FSMContext) -> None:
    await reask(message, state, await current_form(state))


async def skip(callback: CallbackQuery, state: FSMContext) -> None:
    form = await current_form(state)
    step = form.step_for(await state.get_state())
    if step is None or not step.skippable:
        return
    await state.update_data({step.field: None})
    await next_step(origin(callback), state, form, step)


async def submit(callback: CallbackQuery, state: FSMContext, appeals: AppealService,
                 desk: DeskService) -> None:
    data = await state.get_data()
    kind = AppealKind(data["kind"])
    fields = {step.field: data.get(step.field) for step in FORMS[kind].steps}
    message = origin(callback)
    appeal = await appeals.file(callback.from_user.id, message.chat.id, APPEAL_TYPES[kind], fields)
    await state.clear()
    await message.answer(appeal_filed(appeal, off_hours(desk)), reply_markup=main_menu())


async def confirm_expected(message: Message) -> None:
    await message.answer(t.CONFIRM_EXPECTED, reply_markup=confirm(back=True))


async def back(callback: CallbackQuery, state: FSMContext) -> None:
    message = origin(callback)
    current = await state.get_state()
    if current == NewAppeal.choosing_type.state:
        await show_types(message, state)
        return
    form = await current_form(state)
    if current == NewAppeal.confirming.state:
        await ask(message, state, form, form.steps[-1])
        return
    step = form.step_for(current)
    previous = form.before(step) if step is not None else None
    if previous is None:
        await show_types(message, state)
    else:
        await ask(message, state, form, previous)


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(start_from_menu, Menu.filter(F.item == MenuItem.NEW_APPEAL))
    router.callback_query.register(type_chosen, NewAppeal.choosing_type, AppealTypeChoice.filter())
    router.message.register(type_expected, NewAppeal.choosing_type)
    router.message.register(form_answer, StateFilter(*FORM_STATES), F.text)
    router.message.register(form_wrong_kind, StateFilter(*FORM_STATES))
    router.callback_query.register(
        skip,
        StateFilter(*FORM_STATES),
        Nav.filter(F.action == NavAction.SKIP),
    )
    router.callback_query.register(
        submit,
        NewAppeal.confirming,
        Nav.filter(F.action == NavAction.CONFIRM),
    )
    router.message.register(confirm_expected, NewAppeal.confirming)
    router.callback_query.register(
        back,
        StateFilter(NewAppeal),
        Nav.filter(F.action == NavAction.BACK),
    )
    return router

"""Recovering access: cause -> guidance -> e-mail / SNILS instructions or a support appeal."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callback_data import (
    Cause,
    ConsentNext,
    Menu,
    MenuItem,
    Nav,
    NavAction,
    Recovery,
    RecoveryAction,
    RecoveryCause,
)
from bot.keyboards import recovery as keyboards
from bot.keyboards.common import confirm, main_menu
from bot.services.appeals import AppealService
from bot.domain.clock import Clock
from bot.services.consent import ConsentService
from bot.services.desk import DeskService
from bot.domain.masking import TypedNames
from bot.domain.validators import clean_text, parse_contact, parse_full_name, parse_snils
from bot.settings import Settings
from bot.texts import common as common_texts
from bot.texts import recovery as t
from bot.texts import render, validation
from bot.rendering.citizen import appeal_filed, field_value
from bot.handlers.forms import Form, Step, answered_step, ask, reask, step_context
from bot.handlers.replies import citizen_router, consent_asked, off_hours, origin
from bot.states.recovery import AccessRecovery
from bot.domain.models import AppealType

SUPPORT_FORM = Form(
    [
        Step("full_name", AccessRecovery.waiting_for_full_name, t.ASK_FULL_NAME,
             lambda text, _: parse_full_name(text), validation.FULL_NAME),
        Step("snils", AccessRecovery.waiting_for_snils, t.ASK_SNILS,
             lambda text, _: parse_snils(text), validation.SNILS),
        Step("contact", AccessRecovery.waiting_for_contact, t.ASK_CONTACT,
             lambda text, ctx: parse_contact(text, region=ctx.region), validation.CONTACT),
        Step("description", AccessRecovery.waiting_for_description, t.ASK_DESCRIPTION,
             lambda text, _: clean_text(text, max_length=2000)),
    ]
)


async def show_causes(message: Message, state: FSMContext) -> None:
    await state.set_state(AccessRecovery.choosing_cause)
    await message.answer(t.CHOOSE_CAUSE, reply_markup=keyboards.causes())


async def show_guidance(message: Message, state: FSMContext, cause: RecoveryCause) -> None:
    await state.set_state(AccessRecovery.reading_guidance)
    await message.answer(t.GUIDANCE[cause], reply_markup=keyboards.guidance(cause))


async def show_summary(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(AccessRecovery.confirming)
    await message.answer(
        render(
            t.SUMMARY,
            cause=t.CAUSE_NAMES[data["cause"]],
            full_name=data["full_name"],
            snils=data["snils"],
            contact=field_value("contact", data["contact"]),
            description=data["description"],
        ),
        reply_markup=confirm(back=True),
    )


async def start_recovery(message: Message, state: FSMContext) -> None:
    await state.clear()
    await show_causes(message, state)


async def start_from_menu(callback: CallbackQuery, state: FSMContext) -> None:
    await start_recovery(origin(callback), state)


async def cause_chosen(callback: CallbackQuery, callback_data: Cause, state: FSMContext) -> None:
    await state.update_data(cause=callback_data.cause.value)
    await show_guidance(origin(callback), state, callback_data.cause)


async def instructions(callback: CallbackQuery, callback_data: Recovery, state: FSMContext) -> None:
    await state.set_state(AccessRecovery.reading_instructions)
    text = t.VIA_EMAIL if callback_data.action == RecoveryAction.VIA_EMAIL else t.VIA_SNILS
    await origin(callback).answer(text, reply_markup=keyboards.after_instructions())


async def escalate(callback: CallbackQuery, state: FSMContext, consent: ConsentService) -> None:
    await ask_support_form(origin(callback), state, consent)


async def ask_support_form(message: Message, state: FSMContext, consent: ConsentService) -> None:
    """The appeal to support collects full name, SNILS and contact: consent first."""
    if await consent_asked(message, state, consent, ConsentNext.RECOVERY_APPEAL):
        return
    await ask(message, state, SUPPORT_FORM, SUPPORT_FORM.first)


async def form_answer(message: Message, state: FSMContext, settings: Settings,
                      clock: Clock, typed_names: TypedNames) -> None:
    if await state.get_state() == AccessRecovery.waiting_for_full_name.state:
        typed_names.remember(message.text or "")  # before any line could show it, even refused
    step = await answered_step(message, state, SUPPORT_FORM, step_context(settings, clock))
    if step is None:
        return
    following = SUPPORT_FORM.after(step)
    if following is None:
        await show_summary(message, state)
    else:
        await ask(message, state, SUPPORT_FORM, following)


async def form_wrong_kind(message: Message, state: FSMContext) -> None:
    await reask(message, state, SUPPORT_FORM)


async def submit(callback: CallbackQuery, state: FSMContext, appeals: AppealService,
                 desk: DeskService) -> None:
    data = await state.get_data()
    fields = {name: data[name] for name in ("cause", "full_name", "snils", "contact", "description")}
    appeal = await appeals.file(
        callback.from_user.id, origin(callback).chat.id, AppealType.ACCESS_RECOVERY, fields
    )
    await state.clear()
    await origin(callback).answer(appeal_filed(appeal, off_hours(desk)),
                                  reply_markup=main_menu())


async def back(callback: CallbackQuery, state: FSMContext) -> None:
    current = await state.get_state()
    message = origin(callback)
    data = await state.get_data()
    if current == AccessRecovery.reading_guidance.state:
        await show_causes(message, state)
        return
    if current == AccessRecovery.reading_instructions.state:
        await show_guidance(message, state, RecoveryCause(data["cause"]))
        return
    if current == AccessRecovery.confirming.state:
        await ask(message, state, SUPPORT_FORM, SUPPORT_FORM.steps[-1])
        return
    step = SUPPORT_FORM.step_for(current)
    previous = SUPPORT_FORM.before(step) if step is not None else None
    if previous is not None:
        await ask(message, state, SUPPORT_FORM, previous)
    else:
        await show_guidance(message, state, RecoveryCause(data["cause"]))


async def buttons_expected(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    data = await state.get_data()
    if current == AccessRecovery.choosing_cause.state:
        markup = keyboards.causes()
    elif current == AccessRecovery.reading_guidance.state:
        markup = keyboards.guidance(RecoveryCause(data["cause"]))
    elif current == AccessRecovery.reading_instructions.state:
        markup = keyboards.after_instructions()
    else:
        await message.answer(t.CONFIRM_EXPECTED, reply_markup=confirm(back=True))
        return
    await message.answer(common_texts.DIALOGUE_BUTTON_ONLY, reply_markup=markup)


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(start_from_menu, Menu.filter(F.item == MenuItem.RECOVERY))
    router.callback_query.register(cause_chosen, AccessRecovery.choosing_cause, Cause.filter())
    router.callback_query.register(
        instructions,
        AccessRecovery.reading_guidance,
        Recovery.filter(F.action.in_({RecoveryAction.VIA_EMAIL, RecoveryAction.VIA_SNILS})),
    )
    router.callback_query.register(
        escalate,
        StateFilter(AccessRecovery.reading_guidance, AccessRecovery.reading_instructions),
        Recovery.filter(F.action == RecoveryAction.SUPPORT),
    )
    router.message.register(form_answer, StateFilter(*SUPPORT_FORM.states), F.text)
    router.message.register(form_wrong_kind, StateFilter(*SUPPORT_FORM.states))
    router.callback_query.register(
        submit,
        AccessRecovery.confirming,
        Nav.filter(F.action == NavAction.CONFIRM),
    )
    router.callback_query.register(
        back,
        StateFilter(AccessRecovery),
        Nav.filter(F.action == NavAction.BACK),
    )
    router.message.register(
        buttons_expected,
        StateFilter(
        AccessRecovery.choosing_cause,
        AccessRecovery.reading_guidance,
        AccessRecovery.reading_instructions,
        AccessRecovery.confirming,
    ),
    )
    return router

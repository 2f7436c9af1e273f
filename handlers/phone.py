"""Changing the contact phone, confirmed by a one-time SMS code."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import ConsentNext, Menu, MenuItem, Phone, PhoneAction
from bot.keyboards.common import main_menu
from bot.keyboards.phone import code_actions, share_contact
from bot.services.codes import CheckOutcome, RequestOutcome, RequestResult
from bot.services.consent import ConsentService
from bot.services.phone_change import PhoneChangeService
from bot.domain.validators import Invalid, format_phone, parse_code, parse_phone
from bot.settings import Settings
from bot.texts import common as common_texts
from bot.texts import phone as t
from bot.texts import render, validation
from bot.handlers.replies import citizen_router, consent_asked, origin, problem_text
from bot.states.phone import PhoneChange


async def ask_for_phone(message: Message, state: FSMContext, user_id: int,
                        phone_change: PhoneChangeService, consent: ConsentService) -> None:
    if await consent_asked(message, state, consent, ConsentNext.CHANGE_PHONE):
        return
    await state.clear()
    await state.set_state(PhoneChange.waiting_for_phone)
    text = t.INTRO
    current = await phone_change.current_phone(user_id)
    if current:
        text += "\n\n" + render(t.INTRO_CURRENT, phone=format_phone(current))
    await message.answer(text, reply_markup=share_contact())


async def start_from_menu(
    callback: CallbackQuery, state: FSMContext, phone_change: PhoneChangeService,
    consent: ConsentService,
) -> None:
    await ask_for_phone(origin(callback), state, callback.from_user.id, phone_change, consent)


async def accept_phone(
    message: Message, state: FSMContext, phone_change: PhoneChangeService, phone: str
) -> None:
    assert message.from_user is not None
    user_id = message.from_user.id
    if phone == await phone_change.current_phone(user_id):
        await message.answer(render(t.SAME_AS_CURRENT, phone=format_phone(phone)))
        return
    result = await phone_change.send_code(user_id, phone)
    if result.outcome != RequestOutcome.SENT:
        await message.answer(_refusal(result, phone, phone_change))
        return
    await state.set_state(PhoneChange.waiting_for_code)
    await state.update_data(phone=phone)
    # The contact keyboard is no longer needed once a number is accepted.
    await message.answer(render(t.CODE_SENT, phone=format_phone(phone),
                                minutes=_minutes(phone_change)),
                         reply_markup=ReplyKeyboardRemove())
    await message.answer(t.CODE_EXPECTED, reply_markup=code_actions())


async def contact_shared(
    message: Message, state: FSMContext, phone_change: PhoneChangeService, settings: Settings
) -> None:
    contact = message.contact
    assert contact is not None and message.from_user is not None
    if contact.user_id != message.from_user.id:
        await message.answer(t.FOREIGN_CONTACT, reply_markup=share_contact())
        return
    try:
        phone = parse_phone(contact.phone_number, region=settings.default_region)
    except Invalid as error:
        await message.answer(problem_text(error, validation.PHONE), reply_markup=share_contact())
        return
    await accept_phone(message, state, phone_change, phone)


async def phone_typed(
    message: Message, state: FSMContext, phone_change: PhoneChangeService, settings: Settings
) -> None:
    try:
        phone = parse_phone(message.text, region=settings.default_region)
    except Invalid as error:
        await message.answer(problem_text(error, validation.PHONE))
        return
    await accept_phone(message, state, phone_change, phone)


async def phone_expected(message: Message) -> None:
    await message.answer(t.PHONE_EXPECTED, reply_markup=share_contact())


async def code_typed(
    message: Message, state: FSMContext, phone_change: PhoneChangeService
) -> None:
    try:
        code = parse_code(message.text)
    except Invalid as error:
        await message.answer(problem_text(error, validation.CODE), reply_markup=code_actions())
        return
    assert message.from_user is not None
    phone = (await state.get_data())["phone"]
    result = await phone_change.confirm(message.from_user.id, message.chat.id, phone, code)
    outcome = result.check.outcome
    if outcome == CheckOutcome.ACCEPTED:
        await state.clear()
        if result.previous_phone:
            text = render(t.CHANGED_WITH_OLD, phone=format_phone(phone),
                          old_phone=format_phone(result.previous_phone))
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
    await message.answer(texts[outcome], reply_markup=code_actions())


async def code_expected(message: Message) -> None:
    await message.answer(t.CODE_EXPECTED, reply_markup=code_actions())


async def resend_code(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    phone_change: PhoneChangeService,
) -> None:
    phone = (await state.get_data())["phone"]
    result = await phone_change.send_code(callback.from_user.id, phone)
    if result.outcome != RequestOutcome.SENT:
        callback_answer.text = _refusal(result, phone, phone_change)
        callback_answer.show_alert = True
        return
    await origin(callback).answer(
        render(t.CODE_RESENT, phone=format_phone(phone)), reply_markup=code_actions()
    )


async def other_number(
    callback: CallbackQuery, state: FSMContext, phone_change: PhoneChangeService,
    consent: ConsentService,
) -> None:
    await ask_for_phone(origin(callback), state, callback.from_user.id, phone_change, consent)


def _minutes(phone_change: PhoneChangeService) -> int:
    return int(phone_change.policy.lifetime.total_seconds() // 60)


def _refusal(result: RequestResult, phone: str, phone_change: PhoneChangeService) -> str:
    if result.outcome == RequestOutcome.COOLDOWN:
        return render(t.COOLDOWN, seconds=result.retry_in_seconds)
    if result.outcome == RequestOutcome.DAILY_LIMIT:
        return render(t.DAILY_LIMIT, phone=format_phone(phone),
                      limit=phone_change.policy.daily_limit)
    return t.GATEWAY_ERROR


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(start_from_menu, Menu.filter(F.item == MenuItem.CHANGE_PHONE))
    router.message.register(contact_shared, PhoneChange.waiting_for_phone, F.contact)
    router.message.register(phone_typed, PhoneChange.waiting_for_phone, F.text)
    router.message.register(phone_expected, PhoneChange.waiting_for_phone)
    router.message.register(code_typed, PhoneChange.waiting_for_code, F.text)
    router.message.register(code_expected, PhoneChange.waiting_for_code)
    router.callback_query.register(
        resend_code,
        PhoneChange.waiting_for_code,
        Phone.filter(F.action == PhoneAction.RESEND),
    )
    router.callback_query.register(
        other_number,
        PhoneChange.waiting_for_code,
        Phone.filter(F.action == PhoneAction.OTHER_NUMBER),
    )
    return router

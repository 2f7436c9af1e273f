"""/forget: the citizen erases their personal data after a confirmation step."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callback_data import Nav, NavAction
from bot.keyboards.common import main_menu
from bot.keyboards.privacy import confirm_erasure
from bot.services.privacy import PrivacyService
from bot.texts import privacy as t
from bot.texts import render
from bot.handlers.replies import citizen_router, origin
from bot.states.privacy import ForgetMe


async def ask_to_forget(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(ForgetMe.confirming)
    await message.answer(t.ASK_CONFIRMATION, reply_markup=confirm_erasure())


async def forget(callback: CallbackQuery, state: FSMContext, privacy: PrivacyService) -> None:
    count = await privacy.forget(callback.from_user.id)
    await state.clear()
    await origin(callback).answer(render(t.DONE, count=count), reply_markup=main_menu())


async def confirmation_expected(message: Message) -> None:
    await message.answer(t.CONFIRM_EXPECTED, reply_markup=confirm_erasure())


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(forget, ForgetMe.confirming,
                                   Nav.filter(F.action == NavAction.CONFIRM))
    router.message.register(confirmation_expected, ForgetMe.confirming)
    return router

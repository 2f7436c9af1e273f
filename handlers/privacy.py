"""/forget: the citizen erases their personal data after a confirmation step."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button
from aiogram_dialog.widgets.text import Const

from bot.domain.clock import Clock
from bot.handlers.replies import clear_fsm, origin
from bot.handlers.widgets import Refusal, expects, navigation, not_refused
from bot.keyboards.common import main_menu
from bot.services.privacy import PrivacyService
from bot.settings import Settings
from bot.states.privacy import ForgetMe
from bot.texts import privacy as t
from bot.texts import render


async def ask_to_forget(message: Message, manager: DialogManager) -> None:
    await clear_fsm(manager)
    await manager.start(ForgetMe.confirming, mode=StartMode.RESET_STACK)


async def forget(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    privacy: PrivacyService = manager.middleware_data["privacy"]
    await manager.reset_stack()
    # Nothing of the dialogue is written back after the erasure: an empty stack
    # without a last message is no row at all.
    manager.current_stack().last_message_id = None
    count = await privacy.forget(callback.from_user.id)
    await origin(callback).answer(render(t.DONE, count=count), reply_markup=main_menu())


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    return Dialog(
        Window(
            # A typed answer is told which buttons to press, without the whole warning again.
            Const(t.ASK_CONFIRMATION, when=not_refused),
            Refusal(),
            Button(Const(t.BUTTON_CONFIRM), id="forget", on_click=forget),
            expects(t.CONFIRM_EXPECTED),
            navigation(back=False),
            state=ForgetMe.confirming,
        ),
    )

"""Catch-alls, registered last: anything no dialogue step claimed.

Free text outside a dialogue is routed: an appeal number opens its status,
otherwise the matching dialogues and help articles are offered as buttons,
or the main menu when nothing matches. The free text is the citizens'
router's last (the status opens in a dialogue); stale buttons, of citizens
and operators alike, are the dispatcher's last.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import DialogManager

from bot.domain.content import HelpContent
from bot.domain.validators import find_appeal_number
from bot.handlers.my_appeals import show_status
from bot.handlers.replies import alert_press
from bot.keyboards.common import main_menu
from bot.keyboards.help import suggestions
from bot.services.appeals import AppealService
from bot.texts import common as t
from bot.texts import help as help_texts


async def free_text(
    message: Message,
    help_content: HelpContent,
    appeals: AppealService,
    dialog_manager: DialogManager,
) -> None:
    """Text: an appeal's status, or the dialogues and articles it matches; else the menu."""
    assert message.from_user is not None
    number = find_appeal_number(message.text)
    if number is not None:
        await show_status(message, number, message.from_user.id, appeals, dialog_manager)
        return
    targets = help_content.matcher.match(message.text) if message.text else []
    if targets:
        await message.answer(
            help_texts.SUGGESTIONS, reply_markup=suggestions(targets, help_content.by_id)
        )
    else:
        await message.answer(t.UNKNOWN_INPUT, reply_markup=main_menu())


async def stale_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    alert_press(callback_answer, t.STALE_BUTTON)


def create_citizen_router() -> Router:
    """Inside the citizens' router (private chats only), after every dialogue and the
    conversation."""
    router = Router(name=f"{__name__}.free_text")
    router.message.register(free_text)
    return router


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(stale_button)
    return router

"""Navigation and commands, tried before any dialogue step so they work in every state.

/start, /menu, /cancel, the typed words «отмена» and «меню», the
main-menu and cancel buttons, and the commands that open each dialogue.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import DialogManager

from bot.callback_data import HelpArticle, Menu, MenuItem, Nav, NavAction
from bot.domain.content import HelpContent
from bot.filters import IsCommand, TypedWord
from bot.handlers import (
    appeal,
    call_booking,
    complaint,
    help_section,
    my_appeals,
    phone,
    privacy,
    recovery,
)
from bot.handlers.dialog_setup import leave_dialogues
from bot.handlers.replies import citizen_router, origin
from bot.keyboards.common import main_menu, to_main_menu
from bot.services.appeals import AppealService
from bot.services.call_booking import CallBookingService
from bot.services.consent import ConsentService
from bot.texts import checklist as checklist_texts
from bot.texts import common as t
from bot.texts import render


async def in_dialogue(state: FSMContext, dialog_manager: DialogManager) -> bool:
    return await state.get_state() is not None or dialog_manager.has_context()


async def leave_dialogue(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    """Clear the dialogue (the phone step's contact keyboard is closed with it)."""
    await state.clear()
    await leave_dialogues(dialog_manager, message)


async def show_main_menu(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await leave_dialogue(message, state, dialog_manager)
    await message.answer(t.MAIN_MENU, reply_markup=main_menu())


async def start(message: Message, state: FSMContext, dialog_manager: DialogManager) -> None:
    await leave_dialogue(message, state, dialog_manager)
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(render(t.WELCOME, name=name), reply_markup=main_menu())


async def menu_command(message: Message, state: FSMContext, dialog_manager: DialogManager) -> None:
    await show_main_menu(message, state, dialog_manager)


async def menu_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await show_main_menu(origin(callback), state, dialog_manager)


async def cancel(message: Message, state: FSMContext, dialog_manager: DialogManager) -> None:
    had_dialogue = await in_dialogue(state, dialog_manager)
    await state.clear()
    if dialog_manager.has_context():
        # The answer below closes the phone step's contact keyboard, if it is shown.
        dialog_manager.current_stack().last_reply_keyboard = False
        await dialog_manager.reset_stack()
    await message.answer(
        t.CANCELLED if had_dialogue else t.NOTHING_TO_CANCEL, reply_markup=ReplyKeyboardRemove()
    )
    await message.answer(t.MAIN_MENU, reply_markup=main_menu())


async def cancel_command(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await cancel(message, state, dialog_manager)


async def cancel_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await cancel(origin(callback), state, dialog_manager)


async def help_command(message: Message, state: FSMContext, dialog_manager: DialogManager) -> None:
    await state.clear()
    await help_section.start_help(dialog_manager)


async def help_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await help_section.start_help(dialog_manager)


async def article_button(
    callback: CallbackQuery,
    callback_data: HelpArticle,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    help_content: HelpContent,
    dialog_manager: DialogManager,
) -> None:
    """An article's button under another article or a free-text suggestion."""
    if not await help_section.open_article(dialog_manager, callback_data.article, help_content):
        callback_answer.text = t.STALE_BUTTON
        callback_answer.show_alert = True
        return
    await state.clear()


async def checklist_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(checklist_texts.CHECKLIST, reply_markup=to_main_menu())


async def checklist_button(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await origin(callback).answer(checklist_texts.CHECKLIST, reply_markup=to_main_menu())


async def phone_command(
    message: Message, state: FSMContext, consent: ConsentService, dialog_manager: DialogManager
) -> None:
    await phone.start_phone_change(message, state, consent, dialog_manager)


async def phone_button(
    callback: CallbackQuery,
    state: FSMContext,
    consent: ConsentService,
    dialog_manager: DialogManager,
) -> None:
    await leave_dialogues(dialog_manager, origin(callback))
    await phone.start_phone_change(origin(callback), state, consent, dialog_manager)


async def recovery_command(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await recovery.start_recovery(dialog_manager)


async def recovery_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await leave_dialogues(dialog_manager, origin(callback))
    await recovery.start_recovery(dialog_manager)


async def appeal_command(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await appeal.start_new_appeal(dialog_manager)


async def appeal_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await leave_dialogues(dialog_manager, origin(callback))
    await appeal.start_new_appeal(dialog_manager)


async def complaint_command(
    message: Message, state: FSMContext, consent: ConsentService, dialog_manager: DialogManager
) -> None:
    await complaint.start_complaint(message, state, consent, dialog_manager)


async def complaint_button(
    callback: CallbackQuery,
    state: FSMContext,
    consent: ConsentService,
    dialog_manager: DialogManager,
) -> None:
    await leave_dialogues(dialog_manager, origin(callback))
    await complaint.start_complaint(origin(callback), state, consent, dialog_manager)


async def callback_command(
    message: Message,
    state: FSMContext,
    consent: ConsentService,
    call_bookings: CallBookingService,
    dialog_manager: DialogManager,
) -> None:
    await call_booking.start_booking(message, state, consent, call_bookings, dialog_manager)


async def my_appeals_command(
    message: Message, state: FSMContext, appeals: AppealService, dialog_manager: DialogManager
) -> None:
    assert message.from_user is not None
    await state.clear()
    await my_appeals.start_list(message, message.from_user.id, appeals, dialog_manager)


async def my_appeals_button(
    callback: CallbackQuery,
    state: FSMContext,
    appeals: AppealService,
    dialog_manager: DialogManager,
) -> None:
    await state.clear()
    await leave_dialogues(dialog_manager, origin(callback))
    await my_appeals.start_list(origin(callback), callback.from_user.id, appeals, dialog_manager)


async def status_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    appeals: AppealService,
    dialog_manager: DialogManager,
) -> None:
    assert message.from_user is not None
    await state.clear()
    if command.args:
        await my_appeals.show_status(
            message, command.args, message.from_user.id, appeals, dialog_manager
        )
    else:
        await my_appeals.ask_for_number(dialog_manager)


async def status_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await leave_dialogues(dialog_manager, origin(callback))
    await my_appeals.ask_for_number(dialog_manager)


async def forget_command(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await privacy.ask_to_forget(dialog_manager)


async def unknown_command(message: Message) -> None:
    await message.answer(t.UNKNOWN_COMMAND)


def create_router() -> Router:
    router = citizen_router(__name__)
    router.message.register(start, CommandStart())
    router.message.register(menu_command, Command("menu"))
    router.message.register(menu_command, TypedWord(t.MENU_WORDS))
    router.callback_query.register(menu_button, Menu.filter(F.item == MenuItem.MAIN))
    router.message.register(cancel_command, Command("cancel"))
    router.message.register(cancel_command, TypedWord(t.CANCEL_WORDS))
    router.callback_query.register(cancel_button, Nav.filter(F.action == NavAction.CANCEL))
    router.callback_query.register(checklist_button, Menu.filter(F.item == MenuItem.CHECKLIST))
    router.callback_query.register(phone_button, Menu.filter(F.item == MenuItem.CHANGE_PHONE))
    router.callback_query.register(recovery_button, Menu.filter(F.item == MenuItem.RECOVERY))
    router.callback_query.register(complaint_button, Menu.filter(F.item == MenuItem.COMPLAINT))
    router.callback_query.register(appeal_button, Menu.filter(F.item == MenuItem.NEW_APPEAL))
    router.callback_query.register(my_appeals_button, Menu.filter(F.item == MenuItem.MY_APPEALS))
    router.callback_query.register(status_button, Menu.filter(F.item == MenuItem.STATUS))
    # Help opens on top of a dialogue in progress, which waits for the citizen's return:
    # here, not among the commands below, which leave dialogues.
    router.message.register(help_command, Command("help"))
    router.callback_query.register(help_button, Menu.filter(F.item == MenuItem.HELP))
    router.callback_query.register(article_button, HelpArticle.filter())
    # The rest are commands: an ordinary message passes them all with one check.
    commands = Router(name=f"{__name__}.commands")
    commands.message.filter(IsCommand())
    commands.message.register(checklist_command, Command("checklist"))
    commands.message.register(phone_command, Command("phone"))
    commands.message.register(recovery_command, Command("recovery"))
    commands.message.register(appeal_command, Command("appeal"))
    commands.message.register(complaint_command, Command("complaint"))
    commands.message.register(callback_command, Command("callback"))
    commands.message.register(my_appeals_command, Command("my"))
    commands.message.register(status_command, Command("status"))
    commands.message.register(forget_command, Command("forget"))
    router.include_router(commands)
    # Last: a command no handler above knows must not be taken as a dialogue answer,
    # and keeps the dialogue where it was.
    unknown = Router(name=f"{__name__}.unknown")
    unknown.message.register(unknown_command, F.text.startswith("/"))
    router.include_router(unknown)
    return router

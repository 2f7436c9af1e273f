"""Navigation and commands, tried before any dialogue step so they work in every state.

/start, /menu, /cancel, the typed words «отмена» and «меню», the
main-menu and cancel buttons, and the commands that open each dialogue with
the main menu's buttons to the same dialogues (one handler each).
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, or_f
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
from bot.handlers.replies import Handler, Start, alert_press, origin
from bot.keyboards.common import main_menu, to_main_menu
from bot.services.appeals import AppealService
from bot.texts import checklist as checklist_texts
from bot.texts import common as t
from bot.texts import render


def _message(event: Message | CallbackQuery) -> Message:
    """The message to answer: the command itself, or the one a button was pressed under."""
    return event if isinstance(event, Message) else origin(event)


# /start and the main menu leave every dialogue (the phone step's contact keyboard is closed
# with it).


async def start(message: Message, state: FSMContext, dialog_manager: DialogManager) -> None:
    await state.clear()
    await leave_dialogues(dialog_manager, message)
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(render(t.WELCOME, name=name), reply_markup=main_menu())


async def show_main_menu(
    event: Message | CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    await state.clear()
    await leave_dialogues(dialog_manager, _message(event))
    await _message(event).answer(t.MAIN_MENU, reply_markup=main_menu())


async def cancel(
    event: Message | CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    message = _message(event)
    had_dialogue = await state.get_state() is not None or dialog_manager.has_context()
    await state.clear()
    if dialog_manager.has_context():
        # The answer below closes the phone step's contact keyboard, if it is shown.
        dialog_manager.current_stack().last_reply_keyboard = False
        await dialog_manager.reset_stack()
    await message.answer(
        t.CANCELLED if had_dialogue else t.NOTHING_TO_CANCEL, reply_markup=ReplyKeyboardRemove()
    )
    await message.answer(t.MAIN_MENU, reply_markup=main_menu())


def _opens(start: Start) -> Handler:
    """A command's or a button's handler that opens a screen (``start``)."""

    async def opened(event: Message | CallbackQuery, dialog_manager: DialogManager) -> None:
        await start(_message(event), dialog_manager)

    return opened


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
        alert_press(callback_answer, t.STALE_BUTTON)
        return
    await state.clear()


async def show_checklist(event: Message | CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await _message(event).answer(checklist_texts.CHECKLIST, reply_markup=to_main_menu())


# --- the screens a command and the main menu's button both open --------------------------
# Their router leaves any open dialogue first (``leave_dialogues_in``).


async def open_status(
    event: Message | CallbackQuery,
    state: FSMContext,
    appeals: AppealService,
    dialog_manager: DialogManager,
    command: CommandObject | None = None,
) -> None:
    """The status prompt; with a number (``/status 2024-000001``), that appeal's status."""
    assert event.from_user is not None
    await state.clear()
    if command is not None and command.args:
        await my_appeals.show_status(
            _message(event), command.args, event.from_user.id, appeals, dialog_manager
        )
    else:
        await my_appeals.ask_for_number(dialog_manager)


async def unknown_command(message: Message) -> None:
    await message.answer(t.UNKNOWN_COMMAND)


SCREENS: tuple[tuple[str, MenuItem | None, Handler], ...] = (
    ("phone", MenuItem.CHANGE_PHONE, _opens(phone.start_phone_change)),
    ("recovery", MenuItem.RECOVERY, _opens(recovery.start_recovery)),
    ("appeal", MenuItem.NEW_APPEAL, _opens(appeal.start_new_appeal)),
    ("complaint", MenuItem.COMPLAINT, _opens(complaint.start_complaint)),
    ("callback", MenuItem.CALLBACK, _opens(call_booking.start_booking)),
    ("my", MenuItem.MY_APPEALS, _opens(my_appeals.start_list)),
    ("status", MenuItem.STATUS, open_status),
    ("forget", None, _opens(privacy.ask_to_forget)),
)


def create_router() -> Router:
    router = Router(name=__name__)
    # Everything below is a command, a typed menu or cancel word, or a press of the menu,
    # navigation or help buttons: an ordinary answer or a dialogue's button costs one
    # check here.
    router.message.filter(or_f(IsCommand(), TypedWord((*t.MENU_WORDS, *t.CANCEL_WORDS))))
    router.callback_query.filter(or_f(Menu.filter(), Nav.filter(), HelpArticle.filter()))
    router.message.register(start, CommandStart())
    router.message.register(show_main_menu, Command("menu"))
    router.message.register(show_main_menu, TypedWord(t.MENU_WORDS))
    router.callback_query.register(show_main_menu, Menu.filter(F.item == MenuItem.MAIN))
    router.message.register(cancel, Command("cancel"))
    router.message.register(cancel, TypedWord(t.CANCEL_WORDS))
    router.callback_query.register(cancel, Nav.filter(F.action == NavAction.CANCEL))
    router.callback_query.register(show_checklist, Menu.filter(F.item == MenuItem.CHECKLIST))
    # Help opens on top of a dialogue in progress, which waits for the citizen's return:
    # here, not among the screens below, which leave dialogues.
    open_help = _opens(help_section.start_help)
    router.message.register(open_help, Command("help"))
    router.callback_query.register(open_help, Menu.filter(F.item == MenuItem.HELP))
    router.callback_query.register(article_button, HelpArticle.filter())
    # The rest are commands (an ordinary message passes them all with one check) and the
    # main menu's buttons to the same screens.
    screens = Router(name=f"{__name__}.commands")
    screens.message.filter(IsCommand())
    screens.callback_query.filter(Menu.filter())
    screens.message.register(show_checklist, Command("checklist"))
    for command, item, handler in SCREENS:
        screens.message.register(handler, Command(command))
        if item is not None:
            screens.callback_query.register(handler, Menu.filter(F.item == item))
    router.include_router(screens)
    # Last: a command no handler above knows must not be taken as a dialogue answer,
    # and keeps the dialogue where it was.
    unknown = Router(name=f"{__name__}.unknown")
    unknown.message.register(unknown_command, F.text.startswith("/"))
    router.include_router(unknown)
    return router

"""My appeals: the list, an appeal's details and history, a comment; the status lookup.

The database pages the list (``AppealService.page_for``), so the pager is a
``StubScroll`` whose page the getter reads, not a ``ScrollingGroup`` that
would need every appeal at hand. Details longer than one message go out in
pieces: the earlier ones as plain messages, the last one as the window.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import F
from aiogram.types import CallbackQuery, Message, User
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import (
    Button,
    NextPage,
    PrevPage,
    Row,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Const, Format

from bot.domain.clock import Clock
from bot.domain.models import Appeal
from bot.domain.text_split import split_html
from bot.domain.validators import Invalid, clean_text, parse_appeal_number
from bot.handlers.replies import alert_press, clear_fsm, origin, problem_text
from bot.handlers.widgets import (
    HAS_NEXT_PAGE,
    HAS_PREVIOUS_PAGE,
    KEEPS_OTHER_SCREENS,
    REFUSAL,
    Catalog,
    OtherScreens,
    Refusal,
    choices,
    expects,
    keep_start_data,
    main_menu_button,
    question,
    to_main_menu,
)
from bot.keyboards import conversation as conversation_keyboards
from bot.keyboards.call_booking import call_buttons
from bot.keyboards.common import main_menu
from bot.rendering.citizen import appeal_details, appeal_list_item
from bot.services.appeals import AppealService, CommentOutcome
from bot.services.call_booking import CallBookingService
from bot.settings import Settings
from bot.states.my_appeals import MyAppeals
from bot.texts import Safe, join_lines, render, validation
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts
from bot.texts import my_appeals as t

NUMBER = "number"  # dialog data: the appeal shown
PAGES = "pages"  # the list's pager


async def start_list(message: Message, manager: DialogManager) -> None:
    """The list, or a word that there is none yet (with the menu, where appeals are made)."""
    await clear_fsm(manager)
    appeals: AppealService = manager.middleware_data["appeals"]
    user: User = manager.middleware_data["event_from_user"]
    if (await appeals.page_for(user.id, 0)).total == 0:
        await _leave_with(message, manager, t.LIST_EMPTY)
        return
    await manager.start(MyAppeals.choosing_appeal, mode=StartMode.RESET_STACK)


async def _leave_with(message: Message, manager: DialogManager, text: str) -> None:
    """Every dialogue left (if any is open), ``text`` answered with the main menu."""
    if manager.has_context():
        await manager.reset_stack()
    await message.answer(text, reply_markup=main_menu())


async def ask_for_number(
    manager: DialogManager, *, on_top: bool = False, refusal: str | None = None
) -> None:
    """The status prompt; ``on_top`` of the dialogue it was asked from, which «Назад» returns to;
    ``refusal``: why the number typed was refused, above it."""
    await manager.start(
        MyAppeals.waiting_for_number,
        data=None if refusal is None else {REFUSAL: refusal},
        mode=StartMode.NORMAL if on_top else StartMode.RESET_STACK,
    )


async def _back_from_prompt(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Back to the appeal types it was asked from, or to the main menu."""
    if len(manager.current_stack().intents) > 1:
        await manager.done()
    else:
        await to_main_menu(callback, button, manager)


async def show_status(
    message: Message, number_text: str, user_id: int, appeals: AppealService, manager: DialogManager
) -> None:
    """Details for the author, the bare status for anyone else; the prompt again if not found."""
    try:
        number = parse_appeal_number(number_text)
    except Invalid as error:
        await ask_for_number(manager, refusal=problem_text(error, validation.APPEAL_NUMBER))
        return
    appeal = await appeals.find(number)
    if appeal is None:
        await ask_for_number(manager, refusal=render(t.NOT_FOUND, number=number))
        return
    if appeal.citizen_id != user_id:
        status = common_texts.STATUS_NAMES[appeal.status]
        await _leave_with(
            message, manager, render(t.FOREIGN_STATUS, number=appeal.number, status=status)
        )
        return
    await _send_leading_pieces(message, appeal, appeals, manager)
    await manager.start(
        MyAppeals.reading_appeal, data={NUMBER: appeal.number}, mode=StartMode.RESET_STACK
    )


async def _details_pieces(appeal: Appeal, appeals: AppealService, settings: Settings) -> list[str]:
    return split_html(appeal_details(appeal, await appeals.history(appeal), settings.zone))


async def _send_leading_pieces(
    message: Message, appeal: Appeal, appeals: AppealService, manager: DialogManager
) -> None:
    for piece in (await _details_pieces(appeal, appeals, manager.middleware_data["settings"]))[:-1]:
        await message.answer(piece)


# --- the list --------------------------------------------------------------------------------


async def list_getter(
    dialog_manager: DialogManager,
    appeals: AppealService,
    settings: Settings,
    event_from_user: User,
    **_: Any,
) -> dict[str, Any]:
    pager = cast(ManagedScroll, dialog_manager.find(PAGES))
    page = await appeals.page_for(event_from_user.id, await pager.get_page())
    header = render(t.LIST_HEADER, total=page.total, page=page.page + 1, pages=page.pages)
    items = [appeal_list_item(appeal, settings.zone) for appeal in page.items]
    return {
        "list": join_lines([header, *items]),
        "appeals": [
            (
                appeal.number,
                render(
                    t.BUTTON_ITEM,
                    number=appeal.number,
                    status=common_texts.STATUS_NAMES[appeal.status],
                ),
            )
            for appeal in page.items
        ],
        PAGES: page.pages,
    }


async def appeal_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, number: str
) -> None:
    appeals: AppealService = manager.middleware_data["appeals"]
    appeal = await appeals.find_own(number, callback.from_user.id)
    if appeal is None:  # a forged press: the list shows only the citizen's own
        alert_press(manager.middleware_data["callback_answer"], t.NOT_YOURS)
        manager.show_mode = ShowMode.NO_UPDATE
        return
    await _send_leading_pieces(origin(callback), appeal, appeals, manager)
    manager.dialog_data[NUMBER] = appeal.number
    await manager.switch_to(MyAppeals.reading_appeal)


# --- an appeal -------------------------------------------------------------------------------


async def details_getter(
    dialog_manager: DialogManager,
    appeals: AppealService,
    settings: Settings,
    call_bookings: CallBookingService,
    event_from_user: User,
    **_: Any,
) -> dict[str, Any]:
    appeal = await appeals.find_own(dialog_manager.dialog_data[NUMBER], event_from_user.id)
    if appeal is None:  # erased meanwhile: nothing of it is shown any more
        return {"details": Safe(t.NOT_YOURS), "open": False, "unrated": False, "call_buttons": []}
    return {
        "details": Safe((await _details_pieces(appeal, appeals, settings))[-1]),
        "open": appeal.is_open,
        # A rating request that scrolled away can be answered from here.
        "unrated": not appeal.is_open and appeal.rating is None,
        "call_buttons": call_buttons(
            appeal.number,
            appeal.call,
            appeal_open=appeal.is_open,
            changeable=appeal.call is not None and call_bookings.can_still_change(appeal.call),
        ),
    }


async def rate_pressed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The rating request again, as it came with the closing."""
    number = manager.dialog_data[NUMBER]
    await manager.reset_stack()
    await ask_rating(origin(callback), number)


async def ask_rating(message: Message, number: str) -> None:
    """The rating request of a closed appeal (its buttons are the conversation's)."""
    await message.answer(
        conversation_texts.ASK_RATING, reply_markup=conversation_keyboards.rating(number)
    )


# --- a comment -------------------------------------------------------------------------------


async def comment_typed(message: Message, widget: Any, manager: DialogManager, text: str) -> None:
    appeals: AppealService = manager.middleware_data["appeals"]
    assert message.from_user is not None
    number = manager.dialog_data[NUMBER]
    outcome, _ = await appeals.add_comment(number, message.from_user.id, text)
    answer = {
        CommentOutcome.ADDED: render(t.COMMENT_ADDED, number=number),
        CommentOutcome.CLOSED: render(t.COMMENT_CLOSED, number=number),
        CommentOutcome.BANNED: conversation_texts.BANNED,
    }.get(outcome, t.NOT_YOURS)
    await _leave_with(message, manager, answer)


async def _back_to_appeal(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.switch_to(MyAppeals.reading_appeal)


async def comment_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {NUMBER: dialog_manager.dialog_data[NUMBER]}


# --- the status lookup -----------------------------------------------------------------------


async def number_typed(message: Message, widget: Any, manager: DialogManager, number: str) -> None:
    assert message.from_user is not None
    await show_status(
        message, number, message.from_user.id, manager.middleware_data["appeals"], manager
    )


# --- the dialogue ----------------------------------------------------------------------------


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    return Dialog(
        Window(
            Refusal(),
            Format("{list}"),
            choices("appeal", "appeals", appeal_chosen),
            Row(
                StubScroll(id=PAGES, pages=PAGES),  # inside the row: it draws an empty one
                # The list runs from the newest: «Раньше» is the next page, «Позже» the previous.
                NextPage(
                    scroll=PAGES, id="older", text=Const(t.BUTTON_PREVIOUS), when=HAS_NEXT_PAGE
                ),
                PrevPage(
                    scroll=PAGES, id="newer", text=Const(t.BUTTON_NEXT), when=HAS_PREVIOUS_PAGE
                ),
            ),
            main_menu_button(),
            expects(common_texts.DIALOGUE_BUTTON_ONLY),
            state=MyAppeals.choosing_appeal,
            getter=list_getter,
        ),
        Window(
            Refusal(),
            Format("{details}"),
            OtherScreens("call_buttons"),
            SwitchTo(
                Const(t.BUTTON_COMMENT),
                id="comment",
                state=MyAppeals.waiting_for_comment,
                when=F["open"],
            ),
            Button(Const(t.BUTTON_RATE), id="rate", on_click=rate_pressed, when=F["unrated"]),
            SwitchTo(Const(t.BUTTON_TO_LIST), id="to_list", state=MyAppeals.choosing_appeal),
            main_menu_button(),
            expects(common_texts.DIALOGUE_BUTTON_ONLY),
            state=MyAppeals.reading_appeal,
            getter=details_getter,
            markup_factory=KEEPS_OTHER_SCREENS,
        ),
        question(
            MyAppeals.waiting_for_comment,
            Catalog(t.ASK_COMMENT),
            field="comment_text",
            parse=lambda text: clean_text(text, max_length=2000),
            on_success=comment_typed,
            on_back=_back_to_appeal,
            getter=comment_getter,
        ),
        question(
            MyAppeals.waiting_for_number,
            Const(t.ASK_NUMBER),
            field="number",
            parse=parse_appeal_number,
            on_success=number_typed,
            problems=validation.APPEAL_NUMBER,
            on_back=_back_from_prompt,
        ),
        on_start=keep_start_data,
    )

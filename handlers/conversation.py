"""The citizen's side of the conversation with operators.

A message reaches the specialist only when the citizen addressed it: a reply
to a message of the appeal, the message after «Ответить по обращению», or
«Это дополнение к обращению № …» pressed under the bot's answer to it. Any
other message outside dialogues, while appeals are open, is answered as a
person reads it: a new question or problem (the routing table matches, or it
names an appeal) gets the routing's answer first, and every such message is
kept with its own offer to add it to an open appeal, so a second message
does not make the first one lost. Without open appeals the catch-all routes
it. Also here: edits of relayed messages, rating a closed appeal, the
citizen blocking the bot. Registered after the dialogues, before the catch-all.

The two steps that wait for the citizen's input are dialogues: the message
after «Ответить по обращению» and the comment after a rating. Their buttons
(on answers and notices the outbox delivers, long after they were sent) stay
CallbackData buttons on this plain router, which starts the dialogue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, cast

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, ChatMemberUpdated, ContentType, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.api.entities import Context
from aiogram_dialog.utils import remove_intent_id
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button
from aiogram_dialog.widgets.text import Const

from bot.callback_data import Addendum, Rating, Reopen, ReplyToAppeal
from bot.domain.clock import Clock
from bot.domain.content import HelpContent
from bot.domain.models import Appeal, MessageRef, dialogue_filing
from bot.domain.validators import clean_text, find_appeal_number
from bot.handlers import fallback
from bot.handlers.dialog_setup import DrawnByADialogue
from bot.handlers.my_appeals import show_status
from bot.handlers.replies import alert_press, content_of, off_hours, origin, ref, with_note
from bot.handlers.widgets import (
    SUBMIT,
    Catalog,
    Refusal,
    expects,
    navigation,
    refuse,
    tell_filed,
)
from bot.keyboards import conversation as keyboards
from bot.keyboards.common import main_menu
from bot.rendering.citizen import local_time
from bot.services.addenda import WaitingMessages
from bot.services.appeals import AppealService
from bot.services.desk import (
    ActionOutcome,
    DeskService,
    RateOutcome,
    RelayOutcome,
    RelayResult,
)
from bot.settings import Settings
from bot.states.conversation import AppealConversation, RatingFeedback
from bot.states.my_appeals import MyAppeals
from bot.texts import conversation as t
from bot.texts import help as help_texts
from bot.texts import my_appeals as my_texts
from bot.texts import render

RELAYABLE = F.text | F.photo | F.document
NOT_A_COMMAND = ~F.text.startswith("/")


async def tell_outcome(message: Message, result: RelayResult, desk: DeskService) -> None:
    appeal = result.appeal
    if result.outcome == RelayOutcome.RELAYED:
        assert appeal is not None
        await message.answer(with_note(render(t.RELAYED, number=appeal.number), off_hours(desk)))
    elif result.outcome == RelayOutcome.CLOSED:
        assert appeal is not None
        await tell_closed(message, appeal, desk)
    else:
        text = t.BANNED if result.outcome == RelayOutcome.BANNED else my_texts.NOT_YOURS
        await message.answer(text, reply_markup=main_menu())


async def tell_closed(message: Message, appeal: Appeal, desk: DeskService) -> None:
    """A message for a closed appeal: reopen it (while it may be) or file a new one."""
    until = desk.reopen_until(appeal)
    if until is None:
        await message.answer(
            render(t.APPEAL_CLOSED, number=appeal.number), reply_markup=main_menu()
        )
        return
    await message.answer(
        render(
            t.APPEAL_CLOSED_REOPEN,
            number=appeal.number,
            until=local_time(until, desk.zone),
        ),
        reply_markup=keyboards.reopen(appeal.number, new_appeal=True),
    )


async def reopen_pressed(
    callback: CallbackQuery,
    callback_data: Reopen,
    callback_answer: CallbackAnswer,
    desk: DeskService,
) -> None:
    number = callback_data.number
    result = await desk.reopen(number, callback.from_user.id)
    if result.outcome == ActionOutcome.NOT_FOUND:
        alert_press(callback_answer, my_texts.NOT_YOURS)
        return
    # Open (again): the reply button; else too late to reopen, a new appeal from the menu.
    opened = {ActionOutcome.DONE: t.REOPENED, ActionOutcome.UNCHANGED: t.REOPEN_NOT_CLOSED}
    text = opened.get(result.outcome, t.REOPEN_TOO_LATE)
    await origin(callback).answer(
        render(text, number=number, days=desk.reopen_within.days),
        reply_markup=keyboards.reply_button(number) if result.outcome in opened else main_menu(),
    )


async def free_message(
    message: Message,
    state: FSMContext,
    desk: DeskService,
    help_content: HelpContent,
    appeals: AppealService,
    dialog_manager: DialogManager,
) -> None:
    """Any message outside dialogues: relayed if it replies to an appeal, else routed and
    offered as an addition to the citizen's open appeals."""
    assert message.from_user is not None
    content = content_of(message)
    assert content is not None
    replied = message.reply_to_message
    result = await desk.relay_from_citizen(
        message.from_user.id, content, ref(message), reply_to=ref(replied) if replied else None
    )
    if result.outcome == RelayOutcome.NO_OPEN_APPEAL:
        raise SkipHandler  # nothing to add it to: the catch-all routes it
    if result.outcome != RelayOutcome.NOT_ADDRESSED:
        await tell_outcome(message, result, desk)
        return
    number = find_appeal_number(message.text)
    targets = [] if number or not message.text else help_content.matcher.match(message.text)
    await WaitingMessages(state, desk.now()).keep(message.message_id, content, targets)
    if number is not None:
        await show_status(message, number, message.from_user.id, appeals, dialog_manager)
    await message.answer(
        help_texts.SUGGESTIONS + "\n\n" + t.ADDENDUM_QUESTION if targets else t.ADDENDUM_QUESTION,
        reply_markup=keyboards.addenda(
            result.choices, message.message_id, targets, help_content.by_id
        ),
    )


async def addendum_chosen(
    callback: CallbackQuery,
    callback_data: Addendum,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    desk: DeskService,
    help_content: HelpContent,
) -> None:
    waiting = await WaitingMessages(state, desk.now()).take(callback_data.message)
    if waiting is None:
        alert_press(callback_answer, t.ADDENDUM_GONE)
        return
    content, targets = waiting
    message = origin(callback)
    result = await desk.relay_from_citizen(
        callback.from_user.id,
        content,
        MessageRef(message.chat.id, callback_data.message),
        number=callback_data.number,
    )
    # Cosmetic, as every removal of old buttons: the suggestions stay, the offers go.
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(
            reply_markup=keyboards.addenda([], callback_data.message, targets, help_content.by_id)
        )
    await tell_outcome(message, result, desk)


async def unsupported_message(message: Message, desk: DeskService) -> None:
    """A sticker, voice or the like outside dialogues: say what can be relayed, if anything."""
    assert message.from_user is not None
    if not await desk.open_appeals_of(message.from_user.id):
        raise SkipHandler
    await message.answer(t.MESSAGE_EXPECTED)


async def reply_pressed(
    callback: CallbackQuery,
    callback_data: ReplyToAppeal,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    desk: DeskService,
    dialog_manager: DialogManager,
) -> None:
    appeal = await desk.find(callback_data.number)
    if appeal is None or appeal.citizen_id != callback.from_user.id:
        alert_press(callback_answer, my_texts.NOT_YOURS)
        return
    await state.clear()
    if not appeal.is_open:
        await tell_closed(origin(callback), appeal, desk)
        return
    await dialog_manager.start(
        AppealConversation.waiting_for_message,
        data={"number": appeal.number},
        mode=StartMode.RESET_STACK,
    )


async def message_for_appeal(message: Message, widget: Any, manager: DialogManager) -> None:
    desk: DeskService = manager.middleware_data["desk"]
    assert message.from_user is not None
    content = content_of(message)
    assert content is not None
    number = cast(dict[str, Any], manager.start_data)["number"]
    await manager.done()
    result = await desk.relay_from_citizen(
        message.from_user.id, content, ref(message), number=number
    )
    await tell_outcome(message, result, desk)


async def edited(message: Message, desk: DeskService) -> None:
    content = content_of(message)
    if content is not None:
        await desk.citizen_edit(ref(message), content)


async def rated(
    callback: CallbackQuery,
    callback_data: Rating,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    desk: DeskService,
    dialog_manager: DialogManager,
) -> None:
    outcome = await desk.rate(callback_data.number, callback.from_user.id, callback_data.score)
    if outcome != RateOutcome.SAVED:
        refusals = {
            RateOutcome.ALREADY_RATED: t.ALREADY_RATED,
            RateOutcome.NOT_CLOSED: t.RATING_OPEN,
        }
        alert_press(callback_answer, refusals.get(outcome, my_texts.NOT_YOURS))
        return
    # Hiding the stars is cosmetic: a message Telegram no longer lets us edit keeps them.
    with contextlib.suppress(TelegramBadRequest):
        await origin(callback).edit_reply_markup(reply_markup=None)
    await state.clear()
    await dialog_manager.start(
        RatingFeedback.waiting_for_comment,
        data={"number": callback_data.number, "score": callback_data.score},
        mode=StartMode.RESET_STACK,
    )


async def comment_typed(
    message: Message, widget: Any, manager: DialogManager, comment: str
) -> None:
    desk: DeskService = manager.middleware_data["desk"]
    assert message.from_user is not None
    number = cast(dict[str, Any], manager.start_data)["number"]
    await manager.done()
    await desk.rate_comment(number, message.from_user.id, comment)
    await message.answer(t.RATING_SAVED, reply_markup=main_menu())


async def no_comment(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.done()
    await origin(callback).answer(t.RATING_DONE, reply_markup=main_menu())


async def started_with(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    """What the dialogue was started with: the appeal's number (and the score given)."""
    return dict(dialog_manager.start_data)  # type: ignore[arg-type]


async def comment_refused(
    message: Message, widget: Any, manager: DialogManager, error: ValueError
) -> None:
    refuse(manager, t.RATING_COMMENT_EXPECTED)


def create_dialogs(settings: Settings, clock: Clock) -> list[Dialog]:
    """The message after «Ответить по обращению»; the comment after a rating."""
    return [
        Dialog(
            Window(
                Refusal(),
                Catalog(t.ASK_MESSAGE),
                MessageInput(
                    message_for_appeal,
                    content_types=[ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT],
                ),
                expects(t.MESSAGE_EXPECTED),
                navigation(back=False),
                state=AppealConversation.waiting_for_message,
                getter=started_with,
            )
        ),
        Dialog(
            Window(
                Refusal(),
                Catalog(t.RATING_THANKS),
                TextInput(
                    id="comment",
                    type_factory=lambda text: clean_text(text, max_length=1000),
                    on_success=comment_typed,
                    on_error=comment_refused,
                ),
                expects(t.RATING_COMMENT_EXPECTED),
                Button(Const(t.BUTTON_NO_COMMENT), id="no_comment", on_click=no_comment),
                state=RatingFeedback.waiting_for_comment,
                getter=started_with,
            )
        ),
    ]


async def bot_blocked_or_not(event: ChatMemberUpdated, desk: DeskService) -> None:
    """The citizen blocked the bot (kicked it) or unblocked it (a member again)."""
    blocked = event.new_chat_member.status == ChatMemberStatus.KICKED
    await desk.set_bot_blocked(event.from_user.id, blocked)


async def text_over_a_screen(message: Message, dialog_manager: DialogManager) -> None:
    """Text typed while the list of appeals or one appeal's details are shown.

    Those screens ask nothing, so refusing the text would lose it: the screen is left and the
    text is what it is outside dialogues (offered as an addition, or routed).
    """
    await dialog_manager.reset_stack()
    await as_outside_dialogues(message, dialog_manager)


async def as_outside_dialogues(message: Message, manager: DialogManager) -> None:
    """A message taken as if no dialogue were open (the caller has left it): relayed,
    offered as an addition, or routed; by the handlers that take it then, with the
    update's services."""
    data = manager.middleware_data
    help_content: HelpContent = data["help_content"]
    appeals: AppealService = data["appeals"]
    try:
        await free_message(message, data["state"], data["desk"], help_content, appeals, manager)
    except SkipHandler:
        await fallback.free_text(message, help_content, appeals, manager)


SCREENS = frozenset({MyAppeals.choosing_appeal, MyAppeals.reading_appeal})


async def showing_a_screen(message: Message, aiogd_context: Context | None = None) -> bool:
    """aiogram_dialog keeps its state in its own context, not in the FSM state."""
    return aiogd_context is not None and aiogd_context.state in SCREENS


class FiledReview(Filter):
    """A review whose appeal is filed already: the process that filed it died before it
    closed the dialogue, and the press is not taken over yet (a cluster's lease).

    The reviews are the windows with «Отправить» (``widgets.submit_button``), which files.
    """

    def __init__(self, dialogs: Iterable[Dialog]) -> None:
        self.reviews = frozenset(
            state
            for dialog in dialogs
            for state, window in dialog.windows.items()
            if window.find(SUBMIT) is not None
        )

    async def __call__(
        self,
        event: Message | CallbackQuery,
        bot: Bot,
        event_chat: Chat,
        appeals: AppealService,
        aiogd_context: Context | None = None,
    ) -> bool | dict[str, Appeal]:
        if aiogd_context is None or aiogd_context.state not in self.reviews:
            return False
        filed = await appeals.filed(dialogue_filing(bot.id, event_chat.id, aiogd_context.id))
        return False if filed is None else {"filed_appeal": filed}


async def message_over_a_filed_review(
    message: Message, filed_appeal: Appeal, dialog_manager: DialogManager
) -> None:
    """A message sent over such a review: not «press Отправить» (the appeal is filed) but its
    number, the dialogue closed; text, a photo or a document is then taken as outside
    dialogues (an addition)."""
    await tell_filed(message, dialog_manager, filed_appeal)
    if content_of(message) is not None:
        await as_outside_dialogues(message, dialog_manager)


async def not_submit(callback: CallbackQuery) -> bool:
    """A press of a dialogue's button other than «Отправить», which files (or, filed
    already, tells the number in its own words: a call's time) by itself."""
    _, widget_data = remove_intent_id(callback.data or "")
    return widget_data != SUBMIT


async def press_over_a_filed_review(
    callback: CallbackQuery, filed_appeal: Appeal, dialog_manager: DialogManager
) -> None:
    """Another button of such a review («Отмена», «Назад», a field's «Изменить»): the appeal
    stands as filed, so its number, and the dialogue closed."""
    await tell_filed(origin(callback), dialog_manager, filed_appeal)


def create_screens_router(dialogs: Iterable[Dialog]) -> Router:
    """Before the dialogues: text over the screens that only show something, and anything
    sent or pressed over a review (of ``dialogs``) whose appeal is filed already."""
    router = Router(name=f"{__name__}.screens")
    filed_review = FiledReview(dialogs)
    router.message.register(text_over_a_screen, showing_a_screen, F.text, NOT_A_COMMAND)
    router.message.register(message_over_a_filed_review, filed_review, NOT_A_COMMAND)
    router.callback_query.register(
        press_over_a_filed_review, DrawnByADialogue(), not_submit, filed_review
    )
    return router


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(reply_pressed, ReplyToAppeal.filter())
    router.callback_query.register(rated, Rating.filter())
    router.callback_query.register(reopen_pressed, Reopen.filter())
    router.callback_query.register(addendum_chosen, Addendum.filter())
    router.message.register(free_message, StateFilter(None), RELAYABLE, NOT_A_COMMAND)
    router.message.register(unsupported_message, StateFilter(None), ~RELAYABLE)
    router.edited_message.register(edited)
    router.my_chat_member.register(bot_blocked_or_not, ChatMemberUpdatedFilter(KICKED | MEMBER))
    return router

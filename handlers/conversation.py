"""The citizen's side of the conversation with operators.

«Ответить по обращению», any message while exactly one appeal is open and no
dialogue is active, a reply to an operator's answer, edits of relayed
messages, rating a closed appeal, and the citizen blocking the bot.
Registered after the dialogues and before the catch-all.
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import Rating, RatingAction, ReplyToAppeal
from bot.filters import PrivateChat
from bot.keyboards import conversation as keyboards
from bot.keyboards.common import main_menu
from bot.services.desk import DeskService, RateOutcome, RelayOutcome, RelayResult
from bot.services.relay import Content
from bot.domain.validators import Invalid, clean_text, find_appeal_number
from bot.texts import conversation as t
from bot.texts import my_appeals as my_texts
from bot.texts import render
from bot.handlers.replies import content_of, off_hours, origin, ref, with_note
from bot.states.conversation import AppealConversation, RatingFeedback
from bot.domain.models import MessageRef

RELAYABLE = F.text | F.photo | F.document


async def tell_outcome(message: Message, result: RelayResult, desk: DeskService) -> None:
    appeal = result.appeal
    if result.outcome == RelayOutcome.RELAYED:
        assert appeal is not None
        await message.answer(with_note(render(t.RELAYED, number=appeal.number), off_hours(desk)))
    elif result.outcome == RelayOutcome.BANNED:
        await message.answer(t.BANNED, reply_markup=main_menu())
    elif result.outcome == RelayOutcome.CLOSED:
        assert appeal is not None
        await message.answer(render(t.APPEAL_CLOSED, number=appeal.number),
                             reply_markup=main_menu())
    else:
        await message.answer(my_texts.NOT_YOURS, reply_markup=main_menu())


async def free_message(message: Message, state: FSMContext, desk: DeskService) -> None:
    """Any message outside dialogues: to the operators of the citizen's open appeal."""
    assert message.from_user is not None
    if find_appeal_number(message.text):
        raise SkipHandler  # a question about an appeal by its number: the catch-all answers
    content = content_of(message)
    assert content is not None
    replied = message.reply_to_message
    result = await desk.relay_from_citizen(
        message.from_user.id, content, ref(message),
        reply_to=MessageRef(message.chat.id, replied.message_id) if replied else None,
    )
    if result.outcome == RelayOutcome.NO_OPEN_APPEAL:
        raise SkipHandler  # nothing to relay to: the catch-all explains the menu
    if result.outcome == RelayOutcome.SEVERAL_OPEN:
        await state.set_state(AppealConversation.choosing_appeal)
        await state.set_data({"pending": _pending(content, message)})
        await message.answer(t.SEVERAL_OPEN, reply_markup=keyboards.choose_appeal(result.choices))
        return
    await tell_outcome(message, result, desk)


async def unsupported_message(message: Message, desk: DeskService) -> None:
    """A sticker, voice or the like outside dialogues: say what can be relayed, if anything."""
    assert message.from_user is not None
    if len(await desk.open_appeals_of(message.from_user.id)) != 1:
        raise SkipHandler
    await message.answer(t.MESSAGE_EXPECTED)


async def reply_pressed(callback: CallbackQuery, callback_data: ReplyToAppeal, state: FSMContext,
                        callback_answer: CallbackAnswer, desk: DeskService) -> None:
    appeal = await desk.find(callback_data.number)
    if appeal is None or appeal.citizen_id != callback.from_user.id:
        callback_answer.show_alert = True
        callback_answer.text = my_texts.NOT_YOURS
        return
    message = origin(callback)
    if not appeal.is_open:
        await state.clear()
        await message.answer(render(t.APPEAL_CLOSED, number=appeal.number),
                             reply_markup=main_menu())
        return
    pending = (await state.get_data()).get("pending")
    if await state.get_state() == AppealConversation.choosing_appeal.state and pending:
        await state.clear()
        result = await desk.relay_from_citizen(
            callback.from_user.id, Content(**pending["content"]),
            MessageRef(pending["chat_id"], pending["message_id"]), number=appeal.number,
        )
        await tell_outcome(message, result, desk)
        return
    await state.set_state(AppealConversation.waiting_for_message)
    await state.set_data({"number": appeal.number})
    await message.answer(render(t.ASK_MESSAGE, number=appeal.number),
                         reply_markup=keyboards.conversation_step())


async def message_for_appeal(message: Message, state: FSMContext, desk: DeskService) -> None:
    assert message.from_user is not None
    content = content_of(message)
    assert content is not None
    number = (await state.get_data())["number"]
    await state.clear()
    result = await desk.relay_from_citizen(message.from_user.id, content, ref(message),
                                           number=number)
    await tell_outcome(message, result, desk)


async def message_expected(message: Message) -> None:
    await message.answer(t.MESSAGE_EXPECTED, reply_markup=keyboards.conversation_step())


async def appeal_choice_expected(message: Message, state: FSMContext, desk: DeskService) -> None:
    """Still choosing: this message replaces the pending one."""
    assert message.from_user is not None
    content = content_of(message)
    if content is None:
        await message.answer(t.MESSAGE_EXPECTED)
        return
    await state.update_data(pending=_pending(content, message))
    choices = await desk.open_appeals_of(message.from_user.id)
    await message.answer(t.SEVERAL_OPEN, reply_markup=keyboards.choose_appeal(choices))


async def edited(message: Message, desk: DeskService) -> None:
    content = content_of(message)
    if content is not None:
        await desk.citizen_edit(ref(message), content)


async def rated(callback: CallbackQuery, callback_data: Rating, state: FSMContext,
                callback_answer: CallbackAnswer, desk: DeskService) -> None:
    outcome = await desk.rate(callback_data.number, callback.from_user.id, callback_data.score)
    if outcome != RateOutcome.SAVED:
        callback_answer.show_alert = True
        callback_answer.text = {
            RateOutcome.ALREADY_RATED: t.ALREADY_RATED,
            RateOutcome.NOT_CLOSED: t.RATING_OPEN,
        }.get(outcome, my_texts.NOT_YOURS)
        return
    message = origin(callback)
    await message.edit_reply_markup(reply_markup=None)
    await state.set_state(RatingFeedback.waiting_for_comment)
    await state.set_data({"number": callback_data.number})
    await message.answer(render(t.RATING_THANKS, score=callback_data.score),
                         reply_markup=keyboards.no_comment(callback_data.number))


async def no_comment(callback: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() == RatingFeedback.waiting_for_comment.state:
        await state.clear()
    message = origin(callback)
    # Hiding the buttons is cosmetic: a message Telegram no longer lets us edit keeps them.
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=None)
    await message.answer(t.RATING_DONE, reply_markup=main_menu())


async def comment_typed(message: Message, state: FSMContext, desk: DeskService) -> None:
    assert message.from_user is not None
    try:
        comment = clean_text(message.text, max_length=1000)
    except Invalid:
        await message.answer(t.RATING_COMMENT_EXPECTED)
        return
    number = (await state.get_data())["number"]
    await state.clear()
    await desk.rate_comment(number, message.from_user.id, comment)
    await message.answer(t.RATING_SAVED, reply_markup=main_menu())


async def comment_expected(message: Message, state: FSMContext) -> None:
    number = (await state.get_data())["number"]
    await message.answer(t.RATING_COMMENT_EXPECTED, reply_markup=keyboards.no_comment(number))


async def bot_blocked(event: ChatMemberUpdated, desk: DeskService) -> None:
    await desk.set_bot_blocked(event.from_user.id, True)


async def bot_unblocked(event: ChatMemberUpdated, desk: DeskService) -> None:
    await desk.set_bot_blocked(event.from_user.id, False)


def _pending(content: Content, message: Message) -> dict[str, object]:
    return {"content": {"kind": content.kind, "html": content.html, "plain": content.plain,
                        "file_id": content.file_id, "file_name": content.file_name},
            "chat_id": message.chat.id, "message_id": message.message_id}


def create_router() -> Router:
    router = Router(name=__name__)
    private = PrivateChat()
    router.message.filter(private)
    router.edited_message.filter(private)
    router.callback_query.filter(private)
    router.my_chat_member.filter(private)
    router.callback_query.register(reply_pressed, ReplyToAppeal.filter())
    router.callback_query.register(rated, Rating.filter(F.action == RatingAction.SCORE))
    router.callback_query.register(no_comment, Rating.filter(F.action == RatingAction.NO_COMMENT))
    router.message.register(message_for_appeal, AppealConversation.waiting_for_message, RELAYABLE)
    router.message.register(message_expected, AppealConversation.waiting_for_message)
    router.message.register(appeal_choice_expected, AppealConversation.choosing_appeal)
    router.message.register(comment_typed, RatingFeedback.waiting_for_comment, F.text)
    router.message.register(comment_expected, RatingFeedback.waiting_for_comment)
    router.message.register(free_message, StateFilter(None), RELAYABLE, ~F.text.startswith("/"))
    router.message.register(unsupported_message, StateFilter(None), ~RELAYABLE)
    router.edited_message.register(edited)
    router.my_chat_member.register(bot_blocked, ChatMemberUpdatedFilter(KICKED))
    router.my_chat_member.register(bot_unblocked, ChatMemberUpdatedFilter(MEMBER))
    return router

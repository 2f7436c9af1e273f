"""Small helpers shared by the dialogue routers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, User
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_dialog import DialogManager, StartMode

from bot.callback_data import ConsentNext
from bot.domain.models import Actor, MessageAuthor, MessageRef, UpdateRef, dialogue_filing
from bot.domain.templating import render
from bot.domain.text_split import split_html
from bot.domain.validators import Invalid
from bot.rendering.operators import off_hours_note
from bot.services.consent import ConsentService
from bot.services.desk import DeskService
from bot.services.relay import Content
from bot.states.consent import PersonalDataConsent
from bot.texts import conversation as conversation_texts
from bot.texts import explain


def origin(callback: CallbackQuery) -> Message:
    """The message a button was pressed under (our buttons live only in chats)."""
    message = callback.message
    if message is None:
        raise RuntimeError("callback without a message: inline mode is not used by this bot")
    return message  # type: ignore[return-value]


# A screen's start: from a command, a menu button or «Согласен», with the message to
# answer; it clears what aiogram's FSM holds (after the consent screen, if that is due).
Start = Callable[[Message, DialogManager], Awaitable[None]]
Handler = Callable[..., Awaitable[None]]  # an aiogram handler, as registered in a table


async def consent_asked(manager: DialogManager, then: ConsentNext) -> bool:
    """Called where a dialogue that collects personal data begins.

    True when the citizen has not agreed to the current consent text: the
    consent screen (handlers/consent.py) is opened in place of any dialogue and
    the caller must not go on; «Согласен» opens the dialogue ``then``. What
    waits in aiogram's FSM data (the recovery's cause) stays for it.
    """
    consent: ConsentService = manager.middleware_data["consent"]
    user = manager.middleware_data["event_from_user"]
    if await consent.given(user.id):
        return False
    await manager.start(
        PersonalDataConsent.waiting_for_answer,
        data={"then": then.value},
        mode=StartMode.RESET_STACK,
    )
    return True


async def clear_fsm(manager: DialogManager) -> None:
    """aiogram's FSM state and data of the chat cleared (the dialogue stack is not there)."""
    state: FSMContext = manager.middleware_data["state"]
    await state.clear()


def this_dialogue(manager: DialogManager) -> UpdateRef:
    """What a filing from the dialogue on top names: that dialogue (see ``dialogue_filing``)."""
    bot: Bot = manager.middleware_data["bot"]
    chat: Chat = manager.middleware_data["event_chat"]
    return dialogue_filing(bot.id, chat.id, manager.current_context().id)


async def confirm_then_close(
    confirmation: Awaitable[object], close: Callable[[], Awaitable[object]]
) -> None:
    """A filing's confirmation (the number) is sent, then its dialogue closed: in this order.

    The filing is made once per dialogue (``AppealService.file``, ``this_dialogue``). A
    press handled again because its process died after the filing, before the number was
    sent, finds the dialogue still open, files nothing new and sends the same number; so
    does a new press meanwhile, and text typed over the review is told the number
    (``conversation.message_over_a_filed_review``). A confirmation that fails closes the
    dialogue all the same (the error handler apologises): its «Отправить», pressed again,
    is a stale button.
    """
    try:
        await confirmation
    except Exception:
        await close()
        raise
    await close()


def problem_text(error: Invalid, table: dict[str, str]) -> str:
    return explain(error.problem.value, dict(error.details), table)


async def answer_long(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send text of any length as several messages; buttons go under the last one."""
    pieces = split_html(text)
    for piece in pieces[:-1]:
        await message.answer(piece)
    await message.answer(pieces[-1], reply_markup=reply_markup)


def content_of(message: Message) -> Content | None:
    """What of a message can be relayed (text, photo, document), formatting kept."""
    if message.text is not None:
        return Content("text", html=message.html_text, plain=message.text)
    caption_html = message.html_text if message.caption else ""
    caption = message.caption or ""
    if message.photo:
        return Content(
            "photo",
            html=caption_html,
            plain=caption,
            file_id=message.photo[-1].file_id,
            label=conversation_texts.CONTENT_PHOTO,
        )
    if message.document:
        name = message.document.file_name
        return Content(
            "document",
            html=caption_html,
            plain=caption,
            file_id=message.document.file_id,
            file_name=name,
            label=render(conversation_texts.CONTENT_DOCUMENT, name=name or ""),
        )
    return None


def ref(message: Message) -> MessageRef:
    return MessageRef(message.chat.id, message.message_id)


def operator(user: User) -> Actor:
    name = user.full_name + (f" (@{user.username})" if user.username else "")
    return Actor(MessageAuthor.OPERATOR, user.id, name)


def off_hours(desk: DeskService) -> str | None:
    """The working-hours note for a citizen writing now, if operators are away."""
    return off_hours_note(desk.schedule, desk.now(), desk.zone)


ALERT_LIMIT = 200  # Telegram's limit for a callback answer's text


def alert(text: str) -> str:
    """A callback answer's text cut to Telegram's limit (names can be long)."""
    return text if len(text) <= ALERT_LIMIT else text[: ALERT_LIMIT - 1] + "…"


def alert_press(callback_answer: CallbackAnswer, text: str) -> None:
    """A press answered with an alert: why nothing happened, or what did where it shows."""
    callback_answer.text = text
    callback_answer.show_alert = True


def with_note(text: str, note: str | None) -> str:
    return text if note is None else f"{text}\n\n{note}"

"""How the citizen dialogues (aiogram_dialog) are attached to the dispatcher.

Two choices differ from aiogram_dialog's defaults:

- Every step is a new message, also after a button press (aiogram_dialog
  would edit the pressed message): the citizen keeps the conversation as a
  record of what they answered, and the buttons of earlier steps are removed
  when the next step is shown, so only the current step can be pressed.
- Button presses are answered by the dispatcher's ``CallbackAnswerMiddleware``,
  once for every press in the bot, dialogues included; aiogram_dialog's own
  answer would be a second one, which Telegram refuses.

A button of a dialogue that is over (its buttons could not be removed, or it
was pressed twice quickly) is a stale button like any other: the catch-all
answers it, instead of aiogram_dialog's error reaching the error handler.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.filters import Filter
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove, TelegramObject
from aiogram_dialog import Dialog, DialogManager, ShowMode, setup_dialogs
from aiogram_dialog.api.entities import NewMessage, OldMessage
from aiogram_dialog.api.entities import stack as dialogue_ids
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent
from aiogram_dialog.api.protocols import DialogRegistryProtocol
from aiogram_dialog.context.media_storage import MediaIdStorage
from aiogram_dialog.context.storage import StorageProxy
from aiogram_dialog.manager.manager_factory import DefaultManagerFactory
from aiogram_dialog.manager.message_manager import MessageManager
from aiogram_dialog.setup import DialogRegistry
from aiogram_dialog.utils import remove_intent_id

from bot.keyboards.common import main_menu
from bot.middlewares.callback_answers import answer_unless_too_old
from bot.texts import common as common_texts

logger = logging.getLogger(__name__)

# A middleware's way on: the next middleware, or the handler.
Next = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class _AnsweredByMiddleware(MessageManager):
    async def answer_callback(self, bot: Bot, callback_query: CallbackQuery) -> None:
        """The dispatcher's CallbackAnswerMiddleware answers this press."""

    async def show_message(
        self, bot: Bot, new_message: NewMessage, old_message: OldMessage | None
    ) -> OldMessage:
        """A new message per step: the new one is sent first, then the old one's buttons are
        removed (aiogram_dialog does it the other way round), so the citizen sees the answer
        one Bot API round trip sooner. A reply keyboard is closed as aiogram_dialog does."""
        if new_message.show_mode is not ShowMode.SEND or self.had_reply_keyboard(old_message):
            return await super().show_message(bot, new_message, old_message)
        shown = await super().show_message(bot, new_message, None)
        await self.remove_inline_kbd(bot, old_message)
        return shown

    async def remove_reply_kbd(self, bot: Bot, old_message: OldMessage | None) -> Message | None:
        """aiogram_dialog closes a reply keyboard with a message of «...»: say what ended.

        The phone number's step is the only window with a reply keyboard; a
        window that leaves it on purpose closes it with its own message.
        """
        if old_message is None:
            return None
        return await bot.send_message(
            old_message.chat.id, common_texts.KEYBOARD_CLOSED, reply_markup=ReplyKeyboardRemove()
        )


class _NewMessagePerStep(DefaultManagerFactory):
    def __call__(self, *args: Any, **kwargs: Any) -> DialogManager:
        manager = super().__call__(*args, **kwargs)
        manager.show_mode = ShowMode.SEND
        return manager


class DrawnByADialogue(Filter):
    """A press of a button a dialogue drew: its callback data carries the dialogue's intent id."""

    async def __call__(self, callback: CallbackQuery) -> bool:
        intent_id, _ = remove_intent_id(callback.data or "")
        return intent_id is not None


def own_buttons_only(dialog: Dialog) -> Dialog:
    """A dialogue takes only presses of its own buttons.

    Other buttons (the consent screen, the main menu, a call's buttons shown in
    an appeal's details) belong to the routers after the dialogues; without this
    the open dialogue would take their presses as unknown and show its window again.
    """
    dialog.callback_query.filter(DrawnByADialogue())
    return dialog


class StaleDialogueButtons(BaseMiddleware):
    """A button (or a reply to a message) of a dialogue already finished or left.

    aiogram_dialog cannot find the dialogue the button was drawn by and raises;
    the citizen gets the same answer as for any other stale button.
    """

    def __init__(self, registry: DialogRegistryProtocol) -> None:
        self._registry = registry

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except (UnknownIntent, OutdatedIntent):
            if isinstance(event, Message) and await self._emptied_broken_stack(event, data):
                # The chat's dialogue stack is empty now: the message is handled as in no
                # dialogue (and, should that fail too, the stack is found empty: stale).
                return await self(handler, event, data)
            return await _answer_stale(event)

    async def _emptied_broken_stack(self, message: Message, data: dict[str, Any]) -> bool:
        """A stack whose top dialogue has no state left is emptied; whether it was.

        The stack and each dialogue's state are separate keys of the FSM storage: a
        process killed between their writes (or a dialogue's key expired before the
        stack's) leaves a stack naming a dialogue that is gone, and aiogram_dialog then
        refuses every message of the chat. Its own repair runs only for errors that
        reach the error handlers, which this middleware answers first. The chat's
        update lock is held here, so the stack needs no lock of its own.
        """
        chat_id = message.chat.id
        proxy = StorageProxy(
            storage=data["fsm_storage"],
            events_isolation=DisabledEventIsolation(),
            user_id=message.from_user.id if message.from_user is not None else None,
            chat_id=chat_id,
            thread_id=message.message_thread_id if message.is_topic_message else None,
            business_connection_id=message.business_connection_id,
            bot=data["bot"],
            state_groups=self._registry.states_groups(),
        )
        stack = await proxy.load_stack()
        if stack.empty():
            return False
        try:
            await proxy.load_context(stack.last_intent_id())
        except UnknownIntent:
            logger.warning("Chat %s: its dialogue stack named a dialogue that is gone", chat_id)
        else:
            return False  # the stack is sound: the message named an old dialogue
        while not stack.empty():
            await proxy.remove_context(stack.pop())
        await proxy.save_stack(stack)
        return True


async def _answer_stale(event: TelegramObject) -> None:
    if isinstance(event, CallbackQuery):
        await answer_unless_too_old(event, common_texts.STALE_BUTTON, show_alert=True)
    elif isinstance(event, Message):
        await event.answer(common_texts.UNKNOWN_INPUT, reply_markup=main_menu())


def _dialogue_id() -> int:
    """An id for a dialogue (and a stack) that does not repeat within a chat.

    aiogram_dialog's own is the current second plus a random number below 100: two
    dialogues opened within one second (a button that opens the next dialogue) get the
    same id about once in a hundred, and the second is taken for the first (its window
    was sent twice; Tishka17/aiogram_dialog pull request #501, still open). 33 random
    bits keep the id as short in callback data as aiogram_dialog's largest.
    """
    return secrets.randbits(33)


def attach_dialogues(citizens: Router) -> None:
    """aiogram_dialog's middlewares on the citizens' router: operators' chats never pay for them."""
    # aiogram_dialog has no setting for it: its module-level generator is replaced.
    dialogue_ids.new_int_id = _dialogue_id
    # Registered first, so it wraps aiogram_dialog's own middlewares, which raise for them.
    stale = StaleDialogueButtons(DialogRegistry(citizens))
    citizens.message.outer_middleware(stale)
    citizens.callback_query.outer_middleware(stale)
    setup_dialogs(
        citizens,
        dialog_manager_factory=_NewMessagePerStep(
            message_manager=_AnsweredByMiddleware(),
            media_id_storage=MediaIdStorage(),
            getter=None,
        ),
    )


async def _has_answers(manager: DialogManager) -> bool:
    """Some dialogue on the stack holds answers to a form's questions (fields of an appeal)."""
    storage = manager.storage()  # type: ignore[attr-defined]  # ManagerImpl's, public there
    for intent_id in manager.current_stack().intents:
        context = await storage.load_context(intent_id)
        if context.dialog_data.keys() & common_texts.FIELD_NAMES:
            return True
    return False


async def leave_dialogues(manager: DialogManager, chat: Message | None) -> None:
    """Close every open dialogue; a form with answers is not closed silently."""
    if not manager.has_context():
        return
    if chat is not None and await _has_answers(manager):
        await chat.answer(common_texts.DRAFT_DROPPED)
    await manager.reset_stack()


async def _leaving_the_dialogue(handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
    """A handler outside the dialogues took the citizen's update: the open dialogue is left.

    A command or a main-menu button that opens another screen, a booked call's
    button: the dialogue stack is left behind (a form with answers says so).
    """
    chat = event.message if isinstance(event, CallbackQuery) else event
    await leave_dialogues(data["dialog_manager"], chat if isinstance(chat, Message) else None)
    return await handler(event, data)


def leave_dialogues_in(router: Router) -> None:
    """Except in routers named ``….unknown``: an unknown command keeps the step it came in."""
    if router.name.endswith(".unknown"):
        return
    for observer in (router.message, router.callback_query):
        observer.middleware(_leaving_the_dialogue)
    for sub_router in router.sub_routers:
        leave_dialogues_in(sub_router)

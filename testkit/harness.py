"""Drive the real dispatcher in process, with the fake Telegram server playing Telegram.

A :class:`BotHarness` connects one dispatcher to a :class:`~fake_telegram.FakeTelegram`
without HTTP: the bot's requests go through :class:`~fake_telegram.DirectSession` to the
fake's Bot API (its rules: message ids, limits, edits that change nothing, answered callback
queries, blocked users, forum topics), and the people a test plays act through the fake's
driver (a message, a contact, a photo, a button press, blocking the bot), whose updates are
fed through ``Dispatcher.feed_update`` at once. Each action returns the messages the bot sent
meanwhile, in any chat, as the fake keeps them (:class:`~fake_telegram.StoredMessage`); the
fake's world (``harness.telegram``) holds the rest: chats, edits, deletions, callback answers,
every API call.

With ``auto_deliver`` (the default) the dispatcher's outbox sender, if it has one, is drained
after every update, as the background sender would do a moment later; pass
``auto_deliver=False`` to look at the outbox in between.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update

from fake_telegram import (
    CallbackQueryRecord,
    DirectSession,
    FakeChat,
    FakeTelegram,
    FakeUser,
    MemberStatus,
    StoredMessage,
)

BOT_USERNAME = "gosuslugi_support_bot"
BOT_NAME = "Поддержка"
OPERATORS_CHAT_TITLE = "Операторы"
# Telegram's own account that signs messages of anonymous group admins.
GROUP_ANONYMOUS_BOT_ID = 1087968824


def fake_telegram(
    token: str, operators_chat: int | None = None, forum: bool = False
) -> FakeTelegram:
    """A fake Telegram for the bot with this token, the bot an admin of the operators' chat."""
    telegram = FakeTelegram(token, bot_username=BOT_USERNAME, bot_first_name=BOT_NAME)
    if operators_chat is not None:
        telegram.add_group(OPERATORS_CHAT_TITLE, forum=forum, chat_id=operators_chat)
    return telegram


@dataclass(frozen=True)
class Person:
    """Someone a test plays; known to the fake Telegram from their first action."""

    id: int
    first_name: str
    username: str | None = None


@dataclass(frozen=True)
class Photo:
    caption: str | None = None


@dataclass(frozen=True)
class Document:
    file_name: str = "scan.pdf"
    caption: str | None = None


Attachment = Photo | Document


class ButtonNotFound(LookupError):
    pass


class BotHarness:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        telegram: FakeTelegram,
        *,
        auto_deliver: bool = True,
    ) -> None:
        """``auto_deliver``: run the outbox sender after each update, as the running bot would."""
        self.dispatcher = dispatcher
        self.bot = bot
        self.telegram = telegram
        self.auto_deliver = auto_deliver

    @property
    def session(self) -> DirectSession:
        assert isinstance(self.bot.session, DirectSession), "the bot must use a DirectSession"
        return self.bot.session

    async def deliver(self) -> int:
        """Run the outbox sender until nothing is due; the number of rows handled."""
        sender = self.dispatcher.workflow_data.get("outbox_sender")
        return 0 if sender is None else await sender.drain(self.bot)

    async def consent(self, user: Person) -> None:
        """``user`` has agreed to the processing of personal data (the current consent text),
        as «Согласен» on the consent screen records it: dialogues that collect personal
        data then open at once."""
        await self.dispatcher["consent"].give(user.id)

    # --- the people and chats of the fake Telegram ---------------------------

    def user(self, person: Person) -> FakeUser:
        """The fake's user for ``person``, added on first use."""
        known = self.telegram.world.users.get(person.id)
        if known is not None:
            return known
        return self.telegram.add_user(
            person.first_name, username=person.username, user_id=person.id
        )

    def chat(self, chat_id: int) -> FakeChat:
        return self.telegram.chat(chat_id)

    def set_member(
        self, chat_id: int, person: Person, status: MemberStatus | str = MemberStatus.MEMBER
    ) -> None:
        """``status``: creator, administrator, member, left or kicked (quietly, no update)."""
        self.telegram.set_member(chat_id, self.user(person), status)

    def messages_in(self, chat_id: int) -> list[StoredMessage]:
        """The bot's messages in the chat, deleted ones included (see ``deleted``)."""
        if self.telegram.world.find_chat(chat_id) is None:
            return []  # someone the fake Telegram has not met yet
        return self.telegram.bot_messages(chat_id)

    @property
    def sent(self) -> list[StoredMessage]:
        """Every message the bot sent, in any chat, in the order sent (deleted ones too)."""
        return [
            message
            for message in self.telegram.world.timeline
            if message.sent_by_bot and not message.is_service
        ]

    def topics(self, chat_id: int) -> dict[int, str]:
        """The forum's topics that exist: thread id -> name."""
        return {
            topic.thread_id: topic.name
            for topic in self.chat(chat_id).topics.values()
            if not topic.is_deleted
        }

    def last(self, user: Person) -> StoredMessage:
        messages = self.messages_in(user.id)
        if not messages:
            raise AssertionError("the bot has sent nothing to this user")
        return messages[-1]

    @property
    def user_messages(self) -> list[StoredMessage]:
        """Every message people sent (in any chat), oldest first."""
        return [
            message
            for message in self.telegram.world.timeline
            if not message.sent_by_bot and not message.is_service
        ]

    def last_message_of(self, user: Person) -> StoredMessage:
        return next(item for item in reversed(self.user_messages) if item.sender.id == user.id)

    # --- acting as people ---------------------------------------------------

    async def send(
        self,
        user: Person,
        text: str | None = None,
        *,
        attachment: Attachment | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> list[StoredMessage]:
        """A private message from ``user``: text (formatted by ``entities``, offsets in UTF-16
        code units, as sent), or a photo or document (with a caption)."""
        if entities is not None:
            assert text is not None, "entities mark a text"
            return await self._post_unchecked(user, user.id, text, None, None, False, entities)
        return await self._post(user, user.id, text, attachment)

    async def send_to_group(
        self,
        user: Person,
        chat_id: int,
        text: str | None = None,
        *,
        thread_id: int | None = None,
        reply_to: StoredMessage | None = None,
        sender_chat: bool = False,
        attachment: Attachment | None = None,
    ) -> list[StoredMessage]:
        """A message in a group: inside forum topic ``thread_id`` and/or replying to a message.

        As in Telegram, a topic message that replies to nothing replies to the topic's opening
        service message. ``sender_chat``: sent by an anonymous admin. Someone who is not a
        member still gets their message to the bot, so that tests can show the bot refuses them.
        """
        if sender_chat or not self.chat(chat_id).status_of(self.user(user)).is_present:
            return await self._post_unchecked(user, chat_id, text, thread_id, reply_to, sender_chat)
        return await self._post(user, chat_id, text, attachment, reply_to, thread_id)

    async def reply_to(
        self, user: Person, message: StoredMessage, text: str | None = None
    ) -> list[StoredMessage]:
        """A private message replying to a message the bot sent the user."""
        return await self._post(user, user.id, text, None, message)

    async def edit(self, user: Person, original: StoredMessage, text: str) -> list[StoredMessage]:
        """The user edits a text message they sent earlier (see :meth:`last_message_of`)."""
        return await self.act(self.telegram.edit_text(self.user(user), original, text))

    async def send_contact(
        self, user: Person, phone: str, owner_id: int | None = None
    ) -> list[StoredMessage]:
        """A shared contact: the user's own unless ``owner_id`` names someone else."""
        owner = user.id if owner_id is None else owner_id
        return await self.act(self.telegram.send_contact(self.user(user), phone, owner))

    async def send_photo(self, user: Person, caption: str | None = None) -> list[StoredMessage]:
        return await self.send(user, attachment=Photo(caption))

    async def send_document(self, user: Person, file_name: str = "scan.pdf") -> list[StoredMessage]:
        return await self.send(user, attachment=Document(file_name))

    async def send_sticker(
        self, user: Person, chat_id: int | None = None, *, thread_id: int | None = None
    ) -> list[StoredMessage]:
        """A sticker in the user's private chat, or in a group (inside a forum topic)."""
        sticker = self.telegram.send_sticker(self.user(user), chat=chat_id, thread_id=thread_id)
        return await self.act(sticker)

    def photo(self, caption: str | None = None) -> dict[str, Attachment]:
        """``attachment=`` of a photo, for ``**harness.photo(...)`` in a send."""
        return {"attachment": Photo(caption)}

    def document(
        self, file_name: str = "scan.pdf", caption: str | None = None
    ) -> dict[str, Attachment]:
        return {"attachment": Document(file_name, caption)}

    async def press_keyboard_button(
        self, user: Person, label: str, chat_id: int | None = None
    ) -> list[StoredMessage]:
        """Press a button of the reply keyboard the bot shows in the chat."""
        return await self.act(self.telegram.press_keyboard_button(self.user(user), label, chat_id))

    async def block_bot(self, user: Person) -> list[StoredMessage]:
        """The user blocks the bot: sends to them fail, and a my_chat_member update arrives."""
        return await self.act(self.telegram.block_bot(self.user(user)))

    async def unblock_bot(self, user: Person) -> list[StoredMessage]:
        return await self.act(self.telegram.unblock_bot(self.user(user)))

    async def press(
        self, user: Person, label: str, message: StoredMessage | None = None
    ) -> list[StoredMessage]:
        """Press the inline button whose label contains ``label`` (latest message first)."""
        candidates = [message] if message else reversed(self.messages_in(user.id))
        seen: list[str] = []
        for candidate in candidates:
            if candidate.deleted or not candidate.inline_buttons():
                continue
            for button in candidate.inline_buttons():
                if label in button["text"] and "callback_data" in button:
                    if not candidate.chat.status_of(self.user(user)).is_present:
                        return await self.press_data(user, button["callback_data"], candidate)
                    before = len(self.telegram.world.timeline)
                    await self.telegram.press_button(self.user(user), candidate, button["text"])
                    return await self._feed_queued(before)
            seen.extend(candidate.button_labels())
            if message is None:
                break  # only the latest message with buttons counts, as on screen
        raise ButtonNotFound(f"no button {label!r}; buttons shown: {seen}")

    async def press_data(
        self, user: Person, data: str, message: StoredMessage | None = None
    ) -> list[StoredMessage]:
        """A callback query with arbitrary data (also forged or stale data).

        Without ``message`` the press comes from a message the chat does not hold.
        """
        presser = self.user(user)
        if message is None:
            chat = self.telegram.private_chat(presser)
            message = StoredMessage(
                chat=chat,
                message_id=chat.last_message_id + 1,
                sender=self.telegram.bot_user,
                date=0,
                content_type="text",
                sent_by_bot=True,
                text="…",
            )
        query = CallbackQueryRecord(
            id=self.telegram.world.new_callback_query_id(), user=presser, message=message, data=data
        )
        self.telegram.world.callback_queries[query.id] = query
        payload = {
            "id": query.id,
            "from": presser.to_api(),
            "message": message.to_api(),
            "chat_instance": message.chat.instance,
            "data": data,
        }
        return await self.feed({"callback_query": payload})

    # --- plumbing -----------------------------------------------------------

    async def feed(
        self, payload: dict[str, Any], update_id: int | None = None
    ) -> list[StoredMessage]:
        """A raw update (``update_id`` given: also a duplicate of an earlier one)."""
        before = len(self.telegram.world.timeline)
        update = payload if update_id is None else {"update_id": update_id, **payload}
        await self.telegram.inject_update(update)
        return await self._feed_queued(before)

    async def act(self, action: Awaitable[Any]) -> list[StoredMessage]:
        """Do an action of the fake's driver (a user acts) and feed the updates it queued."""
        before = len(self.telegram.world.timeline)
        await action
        return await self._feed_queued(before)

    async def _feed_queued(self, timeline_mark: int) -> list[StoredMessage]:
        """Hand every queued update to the dispatcher; the bot's messages since the mark."""
        queue = self.telegram.updates
        for raw in queue.undelivered():
            queue.acknowledge(raw)
            update = Update.model_validate(raw, context={"bot": self.bot})
            await self.dispatcher.feed_update(self.bot, update)
            if self.auto_deliver:
                await self.deliver()
        return [
            message
            for message in self.telegram.world.timeline[timeline_mark:]
            if message.sent_by_bot and not message.is_service
        ]

    async def _post(
        self,
        user: Person,
        chat_id: int,
        text: str | None,
        attachment: Attachment | None,
        reply_to: StoredMessage | None = None,
        thread_id: int | None = None,
    ) -> list[StoredMessage]:
        sender = self.user(user)
        telegram = self.telegram
        if isinstance(attachment, Photo):
            action = telegram.send_photo(
                sender, attachment.caption, chat_id, reply_to=reply_to, thread_id=thread_id
            )
        elif isinstance(attachment, Document):
            action = telegram.send_document(
                sender,
                attachment.file_name,
                caption=attachment.caption,
                chat=chat_id,
                reply_to=reply_to,
                thread_id=thread_id,
            )
        elif text is not None and not text.strip():
            # Telegram's apps refuse to send it; the bot must still survive one.
            return await self._post_unchecked(user, chat_id, text, thread_id, reply_to, False)
        else:
            assert text is not None, "a message needs a text or an attachment"
            action = telegram.send_text(
                sender, text, chat_id, reply_to=reply_to, thread_id=thread_id
            )
        return await self.act(action)

    async def _post_unchecked(
        self,
        user: Person,
        chat_id: int,
        text: str | None,
        thread_id: int | None,
        reply_to: StoredMessage | None,
        sender_chat: bool,
        entities: list[dict[str, Any]] | None = None,
    ) -> list[StoredMessage]:
        """A text exactly as given, even one Telegram's apps would not let this person send
        (blank, in a group they are not in), posted in the fake's chat and delivered."""
        assert text is not None, "only texts are sent unchecked"
        sender = self.user(user)
        chat = self.chat(chat_id)
        if sender_chat:
            sender = self.telegram.world.users.get(GROUP_ANONYMOUS_BOT_ID) or (
                self.telegram.world.add_user(
                    GROUP_ANONYMOUS_BOT_ID,
                    first_name="Group",
                    username="GroupAnonymousBot",
                    is_bot=True,
                )
            )
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self.telegram.world.add_message(
            chat,
            sender,
            "text",
            text=text,
            entities=entities or [],
            reply_to=reply_to,
            thread_id=thread_id if thread_id is not None else (reply_to and reply_to.thread_id),
        )
        payload = message.to_api()
        if sender_chat:
            payload["sender_chat"] = chat.to_api()
        return await self.feed({"message": payload})

    # --- the bot's state ------------------------------------------------------

    def _key(self, user: Person, chat_id: int | None = None) -> StorageKey:
        return StorageKey(bot_id=self.bot.id, chat_id=chat_id or user.id, user_id=user.id)

    async def state(self, user: Person, chat_id: int | None = None) -> str | None:
        """The state the user's dialogue waits in (in their private chat by default).

        A dialogue on aiogram_dialog keeps its state in its stack's top
        context, not in aiogram's FSM state; either is what the citizen is in.
        """
        context = await self._dialogue_context(user, chat_id)
        if context:
            return str(context["state"])
        return await self.dispatcher.storage.get_state(self._key(user, chat_id))

    async def data(self, user: Person, chat_id: int | None = None) -> dict[str, Any]:
        """The answers kept so far: the dialogue's data, or aiogram's FSM data."""
        context = await self._dialogue_context(user, chat_id)
        if context:
            return dict(context.get("dialog_data", {}))
        return await self.dispatcher.storage.get_data(self._key(user, chat_id))

    async def _dialogue_context(self, user: Person, chat_id: int | None) -> dict[str, Any]:
        # aiogram_dialog's storage layout: the default stack lists intent ids,
        # the last one is shown; each intent's context is a row of its own.
        key = self._key(user, chat_id)
        storage = self.dispatcher.storage
        stack = await storage.get_data(replace(key, destiny="aiogd:stack:"))
        intents = stack.get("intents") or []
        if not intents:
            return {}
        return await storage.get_data(replace(key, destiny=f"aiogd:context:{intents[-1]}"))


__all__ = [
    "BotHarness",
    "ButtonNotFound",
    "Document",
    "Person",
    "Photo",
    "fake_telegram",
]

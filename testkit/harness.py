"""Drive the real dispatcher in process with real ``Update`` objects.

A :class:`BotHarness` plays Telegram for one dispatcher: it builds updates
as Telegram would (messages, contacts, photos, documents, stickers, button
presses carrying the button's real callback data, messages in groups and
forum topics, replies, edited messages, the user blocking the bot), feeds
them through ``Dispatcher.feed_update`` and returns what the bot sent in reply.

With ``auto_deliver`` (the default) the dispatcher's outbox sender, if it has
one, is drained after every update, as the background sender would do a
moment later; pass ``auto_deliver=False`` to look at the outbox in between.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import InlineKeyboardMarkup, Update

from testkit.session import RecordingSession, SentMessage


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    username: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "ru",
        }
        if self.username:
            data["username"] = self.username
        return data


class ButtonNotFound(LookupError):
    pass


class BotHarness:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        session: RecordingSession,
        first_update_id: int = 1,
        *,
        auto_deliver: bool = True,
    ) -> None:
        """``first_update_id``: Telegram's ids keep growing across restarts of the bot.

        ``auto_deliver``: run the outbox sender after each update, as the running bot would.
        """
        self.dispatcher = dispatcher
        self.bot = bot
        self.session = session
        self.auto_deliver = auto_deliver
        self.user_messages: list[dict[str, Any]] = []
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    async def deliver(self) -> int:
        """Run the outbox sender until nothing is due; the number of rows handled."""
        sender = self.dispatcher.workflow_data.get("outbox_sender")
        return 0 if sender is None else await sender.drain(self.bot)

    async def consent(self, user: Person) -> None:
        """``user`` has agreed to the processing of personal data (the current consent text),
        as «Согласен» on the consent screen records it: dialogues that collect personal
        data then open at once."""
        await self.dispatcher["consent"].give(user.id)

    # --- sending as a user ------------------------------------------------

    async def send(
        self, user: Person, text: str | None = None, **content: Any
    ) -> list[SentMessage]:
        """A private message from ``user``: text, or content fields of a Bot API Message."""
        message = self._message(user, user.id, "private")
        return await self._send(message, text, content)

    async def send_to_group(
        self,
        user: Person,
        chat_id: int,
        text: str | None = None,
        *,
        thread_id: int | None = None,
        reply_to: SentMessage | None = None,
        sender_chat: bool = False,
        **content: Any,
    ) -> list[SentMessage]:
        """A message in a group: inside forum topic ``thread_id`` and/or replying to a message.

        As in Telegram, a topic message that replies to nothing replies to the
        topic's opening service message. ``sender_chat``: sent by an anonymous admin.
        """
        message = self._message(user, chat_id, "supergroup")
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            message["chat"]["is_forum"] = True
        if reply_to is not None:
            message["reply_to_message"] = self._bot_message_json(reply_to)
        elif thread_id is not None:
            group = self.session.groups.get(chat_id)
            name = group.topics.get(thread_id, "topic") if group else "topic"
            message["reply_to_message"] = {
                "message_id": thread_id,
                "date": int(time.time()),
                "chat": message["chat"],
                "forum_topic_created": {"name": name, "icon_color": 7322096},
            }
        if sender_chat:
            message["from"] = {
                "id": 1087968824,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            }
            message["sender_chat"] = message["chat"]
        return await self._send(message, text, content)

    async def reply_to(
        self, user: Person, message: SentMessage, text: str | None = None, **content: Any
    ) -> list[SentMessage]:
        """A private message replying to a message the bot sent the user."""
        payload = self._message(user, user.id, "private")
        payload["reply_to_message"] = self._bot_message_json(message)
        return await self._send(payload, text, content)

    async def edit(
        self, user: Person, original: dict[str, Any], text: str | None = None, **content: Any
    ) -> list[SentMessage]:
        """The user edits a message they sent earlier (see :attr:`user_messages`)."""
        message = {
            key: value
            for key, value in original.items()
            if key not in ("text", "caption", "entities")
        }
        message["edit_date"] = int(time.time())
        if text is not None:
            message["text"] = text
        message.update(content)
        return await self.feed({"edited_message": message})

    def last_message_of(self, user: Person) -> dict[str, Any]:
        return next(item for item in reversed(self.user_messages) if item["from"]["id"] == user.id)

    async def block_bot(self, user: Person) -> list[SentMessage]:
        """The user blocks the bot: sends to them fail, and a my_chat_member update arrives."""
        self.session.block(user.id)
        return await self._my_chat_member(user, "member", "kicked")

    async def unblock_bot(self, user: Person) -> list[SentMessage]:
        self.session.unblock(user.id)
        return await self._my_chat_member(user, "kicked", "member")

    async def _my_chat_member(self, user: Person, old: str, new: str) -> list[SentMessage]:
        bot_user = {"id": self.bot.id, "is_bot": True, "first_name": "Поддержка"}

        def member(status: str) -> dict[str, Any]:
            return {
                "status": status,
                "user": bot_user,
                **({"until_date": 0} if status == "kicked" else {}),
            }

        return await self.feed(
            {
                "my_chat_member": {
                    "chat": self._chat(user.id, "private", user),
                    "from": user.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def photo(self, caption: str | None = None) -> dict[str, Any]:
        """Content fields of a photo message (sizes as Telegram sends them)."""
        number = next(self._file_ids)
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": f"photo{number}-{side}",
                    "file_unique_id": f"uphoto{number}-{side}",
                    "width": side,
                    "height": side,
                }
                for side in (90, 320, 1280)
            ]
        }
        if caption:
            content["caption"] = caption
        return content

    def document(self, file_name: str = "scan.pdf", caption: str | None = None) -> dict[str, Any]:
        number = next(self._file_ids)
        content: dict[str, Any] = {
            "document": {
                "file_id": f"doc{number}",
                "file_unique_id": f"udoc{number}",
                "file_name": file_name,
                "mime_type": "application/pdf",
                "file_size": 10240,
            }
        }
        if caption:
            content["caption"] = caption
        return content

    async def _send(
        self, message: dict[str, Any], text: str | None, content: dict[str, Any]
    ) -> list[SentMessage]:
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(content)
        self.user_messages.append(message)
        return await self.feed({"message": message})

    def _bot_message_json(self, record: SentMessage) -> dict[str, Any]:
        chat_type = "private" if record.chat_id > 0 else "supergroup"
        payload: dict[str, Any] = {
            "message_id": record.message_id,
            "date": int(time.time()),
            "chat": {
                "id": record.chat_id,
                "type": chat_type,
                **({"title": "Операторы"} if record.chat_id < 0 else {"first_name": "-"}),
            },
            "from": {"id": self.bot.id, "is_bot": True, "first_name": "Поддержка"},
        }
        if record.message_thread_id is not None:
            payload["message_thread_id"] = record.message_thread_id
            payload["is_topic_message"] = True
        if record.kind == "text":
            payload["text"] = record.text
        elif record.html:
            payload["caption"] = record.text
        if isinstance(record.reply_markup, InlineKeyboardMarkup):
            # As in Telegram: a replied-to message shows its inline keyboard, not a reply one.
            payload["reply_markup"] = record.reply_markup.model_dump(mode="json", exclude_none=True)
        return payload

    async def send_contact(
        self, user: Person, phone: str, owner_id: int | None = None
    ) -> list[SentMessage]:
        contact = {
            "phone_number": phone,
            "first_name": user.first_name,
            "user_id": user.id if owner_id is None else owner_id,
        }
        return await self.send(user, contact=contact)

    async def send_photo(self, user: Person, caption: str | None = None) -> list[SentMessage]:
        return await self.send(user, **self.photo(caption))

    async def send_document(self, user: Person, file_name: str = "scan.pdf") -> list[SentMessage]:
        return await self.send(user, **self.document(file_name))

    async def send_sticker(self, user: Person) -> list[SentMessage]:
        number = next(self._file_ids)
        return await self.send(
            user,
            sticker={
                "file_id": f"sticker{number}",
                "file_unique_id": f"usticker{number}",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
        )

    async def press(
        self, user: Person, label: str, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Press the inline button whose label contains ``label`` (latest message first)."""
        candidates = [message] if message else reversed(self.session.messages_in(user.id))
        seen: list[str] = []
        for candidate in candidates:
            markup = candidate.reply_markup
            if not isinstance(markup, InlineKeyboardMarkup) or candidate.deleted:
                continue
            for row in markup.inline_keyboard:
                for button in row:
                    if label in button.text and button.callback_data is not None:
                        return await self.press_data(user, button.callback_data, candidate)
            seen.extend(candidate.buttons)
            if message is None:
                break  # only the latest message with buttons counts, as on screen
        raise ButtonNotFound(f"no button {label!r}; buttons shown: {seen}")

    async def press_data(
        self, user: Person, data: str, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """A callback query with arbitrary data (also forged or stale data)."""
        chat_id = message.chat_id if message else user.id
        message_id = message.message_id if message else self.session.next_message_id(chat_id)
        shown: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id, "private" if chat_id > 0 else "supergroup", user),
            "from": {"id": self.bot.id, "is_bot": True, "first_name": "Поддержка"},
            "text": message.text if message else "…",
        }
        if message is not None and message.message_thread_id is not None:
            shown["message_thread_id"] = message.message_thread_id
            shown["is_topic_message"] = True
        query = {
            "id": str(next(self._query_ids)),
            "from": user.as_json(),
            "chat_instance": str(chat_id),
            "data": data,
            "message": shown,
        }
        return await self.feed({"callback_query": query})

    # --- plumbing -----------------------------------------------------------

    async def feed(
        self, payload: dict[str, Any], update_id: int | None = None
    ) -> list[SentMessage]:
        before = len(self.session.sent)
        update = Update.model_validate(
            {"update_id": update_id or next(self._update_ids), **payload},
            context={"bot": self.bot},
        )
        await self.dispatcher.feed_update(self.bot, update)
        if self.auto_deliver:
            await self.deliver()
        return self.session.sent[before:]

    def _message(self, user: Person, chat_id: int, chat_type: str) -> dict[str, Any]:
        return {
            "message_id": self.session.next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, user),
            "from": user.as_json(),
        }

    def _chat(self, chat_id: int, chat_type: str, user: Person) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": user.first_name}
        group = self.session.groups.get(chat_id)
        chat: dict[str, Any] = {
            "id": chat_id,
            "type": chat_type,
            "title": group.title if group else "Операторы",
        }
        if group is not None and group.forum:
            chat["is_forum"] = True
        return chat

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

    def last(self, user: Person) -> SentMessage:
        messages = self.session.messages_in(user.id)
        if not messages:
            raise AssertionError("the bot has sent nothing to this user")
        return messages[-1]

"""Drive the real dispatcher in process with real ``Update`` objects.

A :class:`BotHarness` plays Telegram for one dispatcher: it builds updates
as Telegram would (messages, contacts, photos, documents, stickers, button
presses carrying the button's real callback data), feeds them through
``Dispatcher.feed_update`` and returns what the bot sent in reply.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import InlineKeyboardMarkup, Update

from bot.testing.session import RecordingSession, SentMessage


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    username: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name,
                                "language_code": "ru"}
        if self.username:
            data["username"] = self.username
        return data


class ButtonNotFound(LookupError):
    pass


class BotHarness:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, session: RecordingSession,
                 first_update_id: int = 1) -> None:
        """``first_update_id``: Telegram's ids keep growing across restarts of the bot."""
        self.dispatcher = dispatcher
        self.bot = bot
        self.session = session
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    # --- sending as a user ------------------------------------------------

    async def send(self, user: Person, text: str | None = None, **content: Any) -> list[SentMessage]:
        """A private message from ``user``: text, or content fields of a Bot API Message."""
        message = self._message(user, user.id, "private")
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command)}]
        message.update(content)
        return await self.feed({"message": message})

    async def send_contact(self, user: Person, phone: str,
                           owner_id: int | None = None) -> list[SentMessage]:
        contact = {"phone_number": phone, "first_name": user.first_name,
                   "user_id": user.id if owner_id is None else owner_id}
        return await self.send(user, contact=contact)

    async def send_photo(self, user: Person, caption: str | None = None) -> list[SentMessage]:
        number = next(self._file_ids)
        sizes = [
            {"file_id": f"photo{number}-{side}", "file_unique_id": f"uphoto{number}-{side}",
             "width": side, "height": side}
            for side in (90, 320, 1280)
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return await self.send(user, **content)

    async def send_document(self, user: Person, file_name: str = "scan.pdf") -> list[SentMessage]:
        number = next(self._file_ids)
        return await self.send(user, document={
            "file_id": f"doc{number}", "file_unique_id": f"udoc{number}",
            "file_name": file_name, "mime_type": "application/pdf", "file_size": 10240,
        })

    async def send_sticker(self, user: Person) -> list[SentMessage]:
        number = next(self._file_ids)
        return await self.send(user, sticker={
            "file_id": f"sticker{number}", "file_unique_id": f"usticker{number}",
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False,
        })

    async def press(self, user: Person, label: str,
                    message: SentMessage | None = None) -> list[SentMessage]:
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

    async def press_data(self, user: Person, data: str,
                         message: SentMessage | None = None) -> list[SentMessage]:
        """A callback query with arbitrary data (also forged or stale data)."""
        chat_id = message.chat_id if message else user.id
        message_id = message.message_id if message else self.session.next_message_id(chat_id)
        query = {
            "id": str(next(self._query_ids)),
            "from": user.as_json(),
            "chat_instance": str(chat_id),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(chat_id, "private" if chat_id > 0 else "supergroup", user),
                "from": {"id": self.bot.id, "is_bot": True, "first_name": "Поддержка"},
                "text": message.text if message else "…",
            },
        }
        return await self.feed({"callback_query": query})

    # --- plumbing -----------------------------------------------------------

    async def feed(self, payload: dict[str, Any], update_id: int | None = None) -> list[SentMessage]:
        before = len(self.session.sent)
        update = Update.model_validate(
            {"update_id": update_id or next(self._update_ids), **payload},
            context={"bot": self.bot},
        )
        await self.dispatcher.feed_update(self.bot, update)
        return self.session.sent[before:]

    def _message(self, user: Person, chat_id: int, chat_type: str) -> dict[str, Any]:
        return {
            "message_id": self.session.next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, user),
            "from": user.as_json(),
        }

    @staticmethod
    def _chat(chat_id: int, chat_type: str, user: Person) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": user.first_name}
        return {"id": chat_id, "type": chat_type, "title": "Операторы"}

    def _key(self, user: Person, chat_id: int | None = None) -> StorageKey:
        return StorageKey(bot_id=self.bot.id, chat_id=chat_id or user.id, user_id=user.id)

    async def state(self, user: Person, chat_id: int | None = None) -> str | None:
        """The user's FSM state as stored (in their private chat by default)."""
        return await self.dispatcher.storage.get_state(self._key(user, chat_id))

    async def data(self, user: Person, chat_id: int | None = None) -> dict[str, Any]:
        return await self.dispatcher.storage.get_data(self._key(user, chat_id))

    def last(self, user: Person) -> SentMessage:
        messages = self.session.messages_in(user.id)
        if not messages:
            raise AssertionError("the bot has sent nothing to this user")
        return messages[-1]

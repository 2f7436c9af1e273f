"""A Bot API session that answers in process, the way Telegram would.

Every request is recorded. Results are full Bot API JSON objects passed
through aiogram's own response parsing, so handlers get real ``Message``
objects with ids, dates and markup; errors come back in Telegram's shape and
become aiogram's exceptions. Telegram's limits are enforced: message and
caption length, callback data size, one answer per callback query, no edit
that changes nothing.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.services.text_split import CAPTION_LIMIT, MESSAGE_LIMIT

if TYPE_CHECKING:
    from aiogram import Bot

_TAG = re.compile(r"<[^>]+>")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


def plain_text(html_text: str) -> str:
    """What the user sees of an HTML message: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", html_text))


@dataclass
class SentMessage:
    """A message the bot sent, as it currently stands in the chat."""

    chat_id: int
    message_id: int
    html: str
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
    kind: str = "text"  # text, photo, document
    message_thread_id: int | None = None
    reply_to_message_id: int | None = None
    edits: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str:
        return plain_text(self.html)

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline buttons, row by row, or of the reply keyboard."""
        markup = self.reply_markup
        if isinstance(markup, InlineKeyboardMarkup):
            return [button.text for row in markup.inline_keyboard for button in row]
        if isinstance(markup, ReplyKeyboardMarkup):
            return [button.text for row in markup.keyboard for button in row]
        return []


@dataclass
class InjectedFault:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    times: int


class RecordingSession(BaseSession):
    def __init__(self, bot_username: str = "gosuslugi_support_bot") -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.sent: list[SentMessage] = []
        self.callback_answers: list[AnswerCallbackQuery] = []
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._answered_queries: set[str] = set()
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._faults: list[InjectedFault] = []
        self.bot_username = bot_username

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def messages_in(self, chat_id: int) -> list[SentMessage]:
        return [message for message in self.sent if message.chat_id == chat_id]

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        self._faults.append(InjectedFault(method, error_code, description, retry_after, times))

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
        chunk_size: int = 65536, raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("files are not downloaded in process")
        yield b""  # pragma: no cover

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        status, payload = self._answer(bot, method)
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(payload)
        )
        return response.result  # type: ignore[return-value]

    # --- building answers ------------------------------------------------

    def _answer(self, bot: Bot, method: TelegramMethod[Any]) -> tuple[int, dict[str, Any]]:
        name = type(method).__name__
        fault = self._take_fault(name)
        if fault is not None:
            return _error(fault.error_code, fault.description, fault.retry_after)
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            return handler(bot, method)
        returning = getattr(method, "__returning__", None)
        if returning is bool:
            return _ok(True)
        return _error(404, "Not Found: method not found in the recording session")

    def _take_fault(self, name: str) -> InjectedFault | None:
        for fault in self._faults:
            if fault.method.lower() == name.lower():
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _on_GetMe(self, bot: Bot, method: GetMe) -> tuple[int, dict[str, Any]]:
        return _ok({"id": bot.id, "is_bot": True, "first_name": "Поддержка",
                    "username": self.bot_username})

    def _on_SendMessage(self, bot: Bot, method: SendMessage) -> tuple[int, dict[str, Any]]:
        problem = _text_problem(method.text, MESSAGE_LIMIT) or _markup_problem(method.reply_markup)
        if problem:
            return _error(400, problem)
        return _ok(self._store(bot, method, method.text, "text"))

    def _on_SendPhoto(self, bot: Bot, method: SendPhoto) -> tuple[int, dict[str, Any]]:
        return self._media(bot, method, "photo")

    def _on_SendDocument(self, bot: Bot, method: SendDocument) -> tuple[int, dict[str, Any]]:
        return self._media(bot, method, "document")

    def _media(self, bot: Bot, method: Any, kind: str) -> tuple[int, dict[str, Any]]:
        caption = method.caption or ""
        if len(plain_text(caption)) > CAPTION_LIMIT:
            return _error(400, "Bad Request: message caption is too long")
        problem = _markup_problem(method.reply_markup)
        if problem:
            return _error(400, problem)
        return _ok(self._store(bot, method, caption, kind))

    def _on_SendMediaGroup(self, bot: Bot, method: SendMediaGroup) -> tuple[int, dict[str, Any]]:
        results = []
        for item in method.media:
            results.append(self._store(bot, method, item.caption or "", item.type))
        return _ok(results)

    def _on_CopyMessage(self, bot: Bot, method: CopyMessage) -> tuple[int, dict[str, Any]]:
        chat_id = int(method.chat_id)
        message_id = self.next_message_id(chat_id)
        record = SentMessage(chat_id, message_id, method.caption or "", kind="copy",
                             message_thread_id=method.message_thread_id)
        self.sent.append(record)
        self._messages[(chat_id, message_id)] = record
        return _ok({"message_id": message_id})

    def _on_EditMessageText(self, bot: Bot, method: EditMessageText) -> tuple[int, dict[str, Any]]:
        problem = _text_problem(method.text, MESSAGE_LIMIT) or _markup_problem(method.reply_markup)
        if problem:
            return _error(400, problem)
        return self._edit(bot, method, method.text, method.reply_markup)

    def _on_EditMessageCaption(
        self, bot: Bot, method: EditMessageCaption
    ) -> tuple[int, dict[str, Any]]:
        return self._edit(bot, method, method.caption or "", method.reply_markup)

    def _on_EditMessageReplyMarkup(
        self, bot: Bot, method: EditMessageReplyMarkup
    ) -> tuple[int, dict[str, Any]]:
        record = self._messages.get((int(method.chat_id or 0), method.message_id or 0))
        if record is None:
            return _error(400, "Bad Request: message to edit not found")
        return self._edit(bot, method, record.html, method.reply_markup)

    def _edit(self, bot: Bot, method: Any, new_html: str,
              markup: InlineKeyboardMarkup | None) -> tuple[int, dict[str, Any]]:
        record = self._messages.get((int(method.chat_id or 0), method.message_id or 0))
        if record is None or record.deleted:
            return _error(400, "Bad Request: message to edit not found")
        if plain_text(new_html) == record.text and _same_markup(markup, record.reply_markup):
            return _error(400, NOT_MODIFIED)
        record.edits.append(record.html)
        record.html = new_html
        record.reply_markup = markup
        return _ok(self._message_json(bot, record))

    def _on_DeleteMessage(self, bot: Bot, method: DeleteMessage) -> tuple[int, dict[str, Any]]:
        record = self._messages.get((int(method.chat_id), method.message_id))
        if record is None or record.deleted:
            return _error(400, "Bad Request: message to delete not found")
        record.deleted = True
        return _ok(True)

    def _on_AnswerCallbackQuery(
        self, bot: Bot, method: AnswerCallbackQuery
    ) -> tuple[int, dict[str, Any]]:
        if method.callback_query_id in self._answered_queries:
            return _error(400, QUERY_TOO_OLD)
        if method.text is not None and len(method.text) > 200:
            return _error(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answered_queries.add(method.callback_query_id)
        self.callback_answers.append(method)
        return _ok(True)

    def _store(self, bot: Bot, method: Any, html_text: str, kind: str) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        markup = method.reply_markup if isinstance(
            method.reply_markup, (InlineKeyboardMarkup, ReplyKeyboardMarkup)
        ) else None
        reply_to = None
        if getattr(method, "reply_parameters", None) is not None:
            reply_to = method.reply_parameters.message_id
        record = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            html=html_text,
            reply_markup=markup,
            kind=kind,
            message_thread_id=getattr(method, "message_thread_id", None),
            reply_to_message_id=reply_to,
        )
        self.sent.append(record)
        self._messages[(chat_id, record.message_id)] = record
        return self._message_json(bot, record)

    def _message_json(self, bot: Bot, record: SentMessage) -> dict[str, Any]:
        chat_type = "private" if record.chat_id > 0 else "supergroup"
        payload: dict[str, Any] = {
            "message_id": record.message_id,
            "date": int(time.time()),
            "chat": {"id": record.chat_id, "type": chat_type},
            "from": {"id": bot.id, "is_bot": True, "first_name": "Поддержка",
                     "username": self.bot_username},
        }
        if record.message_thread_id is not None:
            payload["message_thread_id"] = record.message_thread_id
            payload["is_topic_message"] = True
        if record.kind == "text":
            payload["text"] = record.text
        elif record.kind == "photo":
            payload["photo"] = [{"file_id": f"photo-{record.message_id}",
                                 "file_unique_id": f"u-photo-{record.message_id}",
                                 "width": 800, "height": 600}]
            if record.html:
                payload["caption"] = record.text
        elif record.kind == "document":
            payload["document"] = {"file_id": f"doc-{record.message_id}",
                                   "file_unique_id": f"u-doc-{record.message_id}"}
            if record.html:
                payload["caption"] = record.text
        if isinstance(record.reply_markup, InlineKeyboardMarkup):
            payload["reply_markup"] = record.reply_markup.model_dump(exclude_none=True)
        return payload


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _error(code: int, description: str, retry_after: int | None = None) -> tuple[int, dict[str, Any]]:
    payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return code, payload


def _text_problem(text: str | None, limit: int) -> str | None:
    visible = plain_text(text or "")
    if not visible.strip():
        return "Bad Request: message text is empty"
    if len(visible) > limit:
        return "Bad Request: message is too long"
    return None


def _markup_problem(markup: Any) -> str | None:
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return "Bad Request: BUTTON_DATA_INVALID"
    return None


def _same_markup(new: Any, old: Any) -> bool:
    def dump(markup: Any) -> Any:
        return None if markup is None else markup.model_dump(exclude_none=True)

    return dump(new) == dump(old)


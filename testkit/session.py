"""A Bot API session that answers in process, the way Telegram would.

Every request is recorded. Results are full Bot API JSON objects passed
through aiogram's own response parsing, so handlers get real ``Message``
objects with ids, dates and markup; errors come back in Telegram's shape and
become aiogram's exceptions. Telegram's limits are enforced: message and
caption length, callback data size, one answer per callback query, no edit
that changes nothing, no sending into a deleted forum topic, no message to a
user who blocked the bot.

Groups and forum supergroups are registered with :meth:`RecordingSession.add_group`
(members with :meth:`set_member`); topics are created by ``createForumTopic`` and
can be deleted by hand with :meth:`delete_topic`, as an operator would.
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
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import (
    AnswerCallbackQuery,
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    DeleteMessage,
    EditForumTopic,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChat,
    GetChatMember,
    GetMe,
    ReopenForumTopic,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.domain.text_split import CAPTION_LIMIT, MESSAGE_LIMIT

if TYPE_CHECKING:
    from aiogram import Bot

_TAG = re.compile(r"<[^>]+>")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
THREAD_NOT_FOUND = "Bad Request: message thread not found"
BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"
_SENDING_METHODS = ("SendMessage", "SendPhoto", "SendDocument", "SendMediaGroup", "CopyMessage")


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
    network: bool = False
    chat_id: int | None = None  # only requests into this chat; any chat when None


@dataclass
class Group:
    """A group or supergroup the bot is in; a forum has topics."""

    id: int
    title: str
    forum: bool
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    topics: dict[int, str] = field(default_factory=dict)  # thread id -> name
    closed_topics: set[int] = field(default_factory=set)


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
        self.groups: dict[int, Group] = {}
        self.blocked_by: set[int] = set()

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
        chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (into ``chat_id`` only, if given) fail."""
        self._faults.append(
            InjectedFault(method, error_code, description, retry_after, times, chat_id=chat_id)
        )

    def fail_network_next(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` never reach Telegram (connection error)."""
        self._faults.append(
            InjectedFault(method, 0, "Cannot connect to host", None, times, network=True)
        )

    def requests_of(self, method: str) -> list[TelegramMethod[Any]]:
        return [
            request for request in self.requests if type(request).__name__.lower() == method.lower()
        ]

    # --- groups, forums, members, blocking ---------------------------------

    def add_group(self, chat_id: int, title: str = "Операторы", forum: bool = False) -> Group:
        group = Group(chat_id, title, forum)
        self.groups[chat_id] = group
        return group

    def set_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """``status``: creator, administrator, member, restricted, left or kicked."""
        self.groups[chat_id].members[user_id] = status

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An operator deletes a topic by hand: its messages disappear too."""
        del self.groups[chat_id].topics[thread_id]
        for record in self.sent:
            if record.chat_id == chat_id and record.message_thread_id == thread_id:
                record.deleted = True

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """An operator closes a topic by hand: nobody can post in it until it is reopened."""
        self.groups[chat_id].closed_topics.add(thread_id)

    def topics(self, chat_id: int) -> dict[int, str]:
        return dict(self.groups[chat_id].topics)

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every send to their chat is refused."""
        self.blocked_by.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked_by.discard(user_id)

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("files are not downloaded in process")
        yield b""  # pragma: no cover

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        fault = self._take_fault(type(method).__name__, getattr(method, "chat_id", None))
        if fault is not None and fault.network:
            raise TelegramNetworkError(method=method, message=fault.description)
        if fault is not None:
            status, payload = _error(fault.error_code, fault.description, fault.retry_after)
        else:
            status, payload = self._answer(bot, method)
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(payload)
        )
        return response.result  # type: ignore[return-value]

    # --- building answers ------------------------------------------------

    def _answer(self, bot: Bot, method: TelegramMethod[Any]) -> tuple[int, dict[str, Any]]:
        name = type(method).__name__
        problem = self._delivery_problem(method)
        if problem is not None:
            return problem
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            return handler(bot, method)
        returning = getattr(method, "__returning__", None)
        if returning is bool:
            return _ok(True)
        return _error(404, "Not Found: method not found in the recording session")

    def _take_fault(self, name: str, chat_id: object) -> InjectedFault | None:
        for fault in self._faults:
            if fault.method.lower() == name.lower() and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _delivery_problem(self, method: TelegramMethod[Any]) -> tuple[int, dict[str, Any]] | None:
        """Refusals that depend on the chat: a blocked bot, a deleted topic, a lost reply."""
        chat_id = getattr(method, "chat_id", None)
        if not isinstance(chat_id, int):
            return None
        if chat_id in self.blocked_by and type(method).__name__ in _SENDING_METHODS:
            return _error(403, BLOCKED_BY_USER)
        group = self.groups.get(chat_id)
        thread_id = getattr(method, "message_thread_id", None)
        if group is not None and thread_id is not None:
            if not group.forum or thread_id not in group.topics:
                return _error(400, THREAD_NOT_FOUND)
            if thread_id in group.closed_topics and type(method).__name__ in _SENDING_METHODS:
                return _error(400, "Bad Request: TOPIC_CLOSED")
        reply = getattr(method, "reply_parameters", None)
        if reply is not None and not reply.allow_sending_without_reply:
            target = self._messages.get((chat_id, reply.message_id))
            if target is None or target.deleted:
                return _error(400, "Bad Request: message to be replied not found")
        return None

    def _on_GetChat(self, bot: Bot, method: GetChat) -> tuple[int, dict[str, Any]]:
        chat_id = int(method.chat_id)
        group = self.groups.get(chat_id)
        if group is None and chat_id < 0:
            return _error(400, "Bad Request: chat not found")
        chat: dict[str, Any] = {
            "id": chat_id,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if group is None:
            chat.update(type="private", first_name="Пользователь")
        else:
            chat.update(type="supergroup", title=group.title)
            if group.forum:
                chat["is_forum"] = True
        return _ok(chat)

    def _on_GetChatMember(self, bot: Bot, method: GetChatMember) -> tuple[int, dict[str, Any]]:
        group = self.groups.get(int(method.chat_id))
        if group is None:
            return _error(400, "Bad Request: chat not found")
        status = group.members.get(method.user_id, "left")
        user = {"id": method.user_id, "is_bot": False, "first_name": f"user{method.user_id}"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    name: False
                    for name in (
                        "can_be_edited",
                        "is_anonymous",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_promote_members",
                        "can_change_info",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_send_welcome_messages",
                    )
                }
            )
            member.update(can_manage_chat=True, can_delete_messages=True, can_invite_users=True)
        elif status == "restricted":
            member.update(
                {
                    name: False
                    for name in (
                        "can_send_messages",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_react_to_messages",
                        "can_edit_tag",
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_manage_topics",
                    )
                }
            )
            member.update(is_member=True, until_date=0)
        elif status == "kicked":
            member["until_date"] = 0
        return _ok(member)

    def _on_CreateForumTopic(
        self, bot: Bot, method: CreateForumTopic
    ) -> tuple[int, dict[str, Any]]:
        group = self.groups.get(int(method.chat_id))
        if group is None or not group.forum:
            return _error(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(method.name) <= 128:
            return _error(400, "Bad Request: TOPIC_TITLE_EMPTY")
        # A topic's id is the id of the service message that opens it.
        thread_id = self.next_message_id(group.id)
        group.topics[thread_id] = method.name
        return _ok({"message_thread_id": thread_id, "name": method.name, "icon_color": 7322096})

    def _on_EditForumTopic(self, bot: Bot, method: EditForumTopic) -> tuple[int, dict[str, Any]]:
        group = self.groups[int(method.chat_id)]
        if method.name is not None:
            group.topics[method.message_thread_id] = method.name
        return _ok(True)

    def _on_CloseForumTopic(self, bot: Bot, method: CloseForumTopic) -> tuple[int, dict[str, Any]]:
        self.groups[int(method.chat_id)].closed_topics.add(method.message_thread_id)
        return _ok(True)

    def _on_ReopenForumTopic(
        self, bot: Bot, method: ReopenForumTopic
    ) -> tuple[int, dict[str, Any]]:
        self.groups[int(method.chat_id)].closed_topics.discard(method.message_thread_id)
        return _ok(True)

    def _on_GetMe(self, bot: Bot, method: GetMe) -> tuple[int, dict[str, Any]]:
        return _ok(
            {"id": bot.id, "is_bot": True, "first_name": "Поддержка", "username": self.bot_username}
        )

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
        if not 2 <= len(method.media) <= 10:
            return _error(400, "Bad Request: wrong number of media in the album (2-10)")
        kinds = {item.type for item in method.media}
        if "document" in kinds and kinds != {"document"}:
            return _error(400, "Bad Request: documents can't be mixed with other media types")
        for item in method.media:
            if len(plain_text(item.caption or "")) > CAPTION_LIMIT:
                return _error(400, "Bad Request: message caption is too long")
        group_id = f"album-{len(self.sent)}"
        results = []
        for item in method.media:
            record = self._store(bot, method, item.caption or "", item.type)
            record["media_group_id"] = group_id
            results.append(record)
        return _ok(results)

    def _on_CopyMessage(self, bot: Bot, method: CopyMessage) -> tuple[int, dict[str, Any]]:
        chat_id = int(method.chat_id)
        message_id = self.next_message_id(chat_id)
        record = SentMessage(
            chat_id,
            message_id,
            method.caption or "",
            kind="copy",
            message_thread_id=method.message_thread_id,
        )
        self.sent.append(record)
        self._messages[(chat_id, message_id)] = record
        return _ok({"message_id": message_id})

    def _on_EditMessageText(self, bot: Bot, method: EditMessageText) -> tuple[int, dict[str, Any]]:
        problem = _text_problem(method.text, MESSAGE_LIMIT) or _markup_problem(method.reply_markup)
        if problem:
            return _error(400, problem)
        return self._edit(bot, method, method.text or "", method.reply_markup)

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

    def _edit(
        self, bot: Bot, method: Any, new_html: str, markup: InlineKeyboardMarkup | None
    ) -> tuple[int, dict[str, Any]]:
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
        markup = getattr(method, "reply_markup", None)
        if not isinstance(markup, (InlineKeyboardMarkup, ReplyKeyboardMarkup)):
            markup = None
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
        chat: dict[str, Any] = {
            "id": record.chat_id,
            "type": "private" if record.chat_id > 0 else "supergroup",
        }
        group = self.groups.get(record.chat_id)
        if group is not None:
            chat["title"] = group.title
            if group.forum:
                chat["is_forum"] = True
        payload: dict[str, Any] = {
            "message_id": record.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {
                "id": bot.id,
                "is_bot": True,
                "first_name": "Поддержка",
                "username": self.bot_username,
            },
        }
        if record.message_thread_id is not None:
            payload["message_thread_id"] = record.message_thread_id
            payload["is_topic_message"] = True
        if record.reply_to_message_id is not None:
            payload["reply_to_message"] = {
                "message_id": record.reply_to_message_id,
                "date": int(time.time()),
                "chat": chat,
            }
        if record.kind == "text":
            payload["text"] = record.text
        elif record.kind == "photo":
            payload["photo"] = [
                {
                    "file_id": f"photo-{record.message_id}",
                    "file_unique_id": f"u-photo-{record.message_id}",
                    "width": 800,
                    "height": 600,
                }
            ]
            if record.html:
                payload["caption"] = record.text
        elif record.kind == "document":
            payload["document"] = {
                "file_id": f"doc-{record.message_id}",
                "file_unique_id": f"u-doc-{record.message_id}",
            }
            if record.html:
                payload["caption"] = record.text
        if isinstance(record.reply_markup, InlineKeyboardMarkup):
            payload["reply_markup"] = record.reply_markup.model_dump(exclude_none=True)
        return payload


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _error(
    code: int, description: str, retry_after: int | None = None
) -> tuple[int, dict[str, Any]]:
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

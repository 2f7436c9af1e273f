"""The state of the fake Telegram: users, chats, forum topics, messages, files, callback queries.

Objects render themselves as Bot API JSON (``to_api``), which is what both the bot (in method
results and updates) and the tests (reading back what the bot did) look at.
"""

from __future__ import annotations

import base64
import itertools
import mimetypes
import random
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

PHOTO_SIZE_LIMITS = (90, 320, 800, 1280)
DEFAULT_PHOTO_SIZE = (1280, 960)
DEFAULT_TOPIC_ICON_COLOR = 7322096
MEDIA_CONTENT_TYPES = frozenset({"photo", "document", "sticker"})
CAPTIONED_CONTENT_TYPES = frozenset({"photo", "document"})

# Telegram's file_id starts with a type tag; keeping it makes ids look like real ones in logs.
FILE_ID_PREFIXES = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}
FILE_UNIQUE_ID_PREFIXES = {"photo": "AQAD", "document": "AgAD", "sticker": "AgAD"}
FILE_DIRECTORIES = {"photo": "photos", "document": "documents", "sticker": "stickers"}

ADMINISTRATOR_RIGHTS = {
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_send_welcome_messages": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


def now() -> int:
    return int(time.time())


class MemberStatus(StrEnum):
    CREATOR = "creator"
    ADMINISTRATOR = "administrator"
    MEMBER = "member"
    LEFT = "left"
    KICKED = "kicked"

    @property
    def is_admin(self) -> bool:
        return self in {MemberStatus.CREATOR, MemberStatus.ADMINISTRATOR}

    @property
    def is_present(self) -> bool:
        return self not in {MemberStatus.LEFT, MemberStatus.KICKED}


@dataclass(eq=False)
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    phone_number: str | None = None
    has_started_bot: bool = True
    has_blocked_bot: bool = False

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({key: value for key, value in optional.items() if value is not None})
        return user


@dataclass(eq=False)
class ForumTopic:
    thread_id: int
    name: str
    icon_color: int = DEFAULT_TOPIC_ICON_COLOR
    icon_custom_emoji_id: str | None = None
    is_closed: bool = False
    is_deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass(eq=False)
class StoredFile:
    kind: str
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    emoji: str | None = None

    def to_api(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.kind == "photo":
            described.update(width=self.width, height=self.height)
        elif self.kind == "document":
            described.update(file_name=self.file_name, mime_type=self.mime_type)
        elif self.kind == "sticker":
            described.update(
                type="regular",
                width=self.width,
                height=self.height,
                is_animated=False,
                is_video=False,
                emoji=self.emoji,
            )
        return {key: value for key, value in described.items() if value is not None}

    def file_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class MessageVersion:
    """One state of a message's content, kept so tests can read the whole edit history."""

    text: str | None
    entities: list[dict[str, Any]]
    source_text: str | None
    reply_markup: dict[str, Any] | None
    date: int


@dataclass(eq=False)
class StoredMessage:
    chat: FakeChat
    message_id: int
    sender: FakeUser
    date: int
    content_type: str
    sent_by_bot: bool
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    source_text: str | None = None
    reply_markup: dict[str, Any] | None = None
    media: Any = None
    service: dict[str, Any] | None = None
    thread_id: int | None = None
    reply_to: StoredMessage | None = None
    media_group_id: str | None = None
    forward_origin: dict[str, Any] | None = None
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False

    @property
    def caption(self) -> str | None:
        return self.text if self.content_type in CAPTIONED_CONTENT_TYPES else None

    @property
    def html(self) -> str | None:
        """The text exactly as the bot sent it (the raw HTML when parse_mode was HTML)."""
        return self.source_text

    @property
    def is_service(self) -> bool:
        return self.content_type == "service"

    @property
    def edits(self) -> list[MessageVersion]:
        """Every version after the first, oldest first, ending with the current one."""
        return self.versions[1:]

    @property
    def versions(self) -> list[MessageVersion]:
        return [*self.history, self.current_version()]

    def current_version(self) -> MessageVersion:
        return MessageVersion(
            text=self.text,
            entities=list(self.entities),
            source_text=self.source_text,
            reply_markup=self.reply_markup,
            date=self.edit_date or self.date,
        )

    def inline_buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def button_labels(self) -> list[str]:
        return [button["text"] for button in self.inline_buttons()]

    def keyboard_labels(self) -> list[str]:
        """The labels of the reply keyboard sent with the message, row by row."""
        return keyboard_labels(self.reply_markup)

    def to_api(self, with_reply: bool = True) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.thread_id is not None:
            message["message_thread_id"] = self.thread_id
            message["is_topic_message"] = True
        if with_reply:
            reply_to = self.reply_to or self._topic_start()
            if reply_to is not None:
                message["reply_to_message"] = reply_to.to_api(with_reply=False)
        if self.forward_origin:
            message["forward_origin"] = self.forward_origin
        if self.media_group_id:
            message["media_group_id"] = self.media_group_id
        if self.edit_date:
            message["edit_date"] = self.edit_date
        message.update(self._content_api())
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            # Telegram shows only inline keyboards in a Message; reply keyboards are not part of it.
            message["reply_markup"] = self.reply_markup
        return message

    def _topic_start(self) -> StoredMessage | None:
        """In a forum topic Telegram makes every message a reply to the topic's first message."""
        if self.thread_id is None or self.thread_id == self.message_id:
            return None
        return self.chat.messages.get(self.thread_id)

    def _content_api(self) -> dict[str, Any]:
        if self.content_type == "service":
            return dict(self.service or {})
        if self.content_type == "text":
            return self._with_entities({"text": self.text}, "entities")
        if self.content_type == "contact":
            return {"contact": self.media}
        if self.content_type == "photo":
            content: dict[str, Any] = {"photo": [size.to_api() for size in self.media]}
        else:
            content = {self.content_type: self.media.to_api()}
        if self.text:
            content["caption"] = self.text
            self._with_entities(content, "caption_entities")
        return content

    def _with_entities(self, content: dict[str, Any], key: str) -> dict[str, Any]:
        if self.entities:
            content[key] = self.entities
        return content


@dataclass(eq=False)
class FakeChat:
    id: int
    type: str
    instance: str
    title: str | None = None
    username: str | None = None
    user: FakeUser | None = None
    is_forum: bool = False
    members: dict[int, tuple[FakeUser, MemberStatus]] = field(default_factory=dict)
    topics: dict[int, ForumTopic] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_message_id: int = 0
    pinned_message_id: int | None = None
    menu_button: dict[str, Any] | None = None
    chat_actions: list[str] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    driver_mark: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def status_of(self, user: FakeUser) -> MemberStatus:
        if self.is_private:
            is_the_user = self.user is not None and user.id == self.user.id
            return MemberStatus.MEMBER if is_the_user else MemberStatus.LEFT
        return self.members.get(user.id, (user, MemberStatus.LEFT))[1]

    def live_topic(self, thread_id: int) -> ForumTopic | None:
        topic = self.topics.get(thread_id)
        return topic if topic is not None and not topic.is_deleted else None

    def live_message(self, message_id: int | None) -> StoredMessage | None:
        message = self.messages.get(message_id) if message_id is not None else None
        return message if message is not None and not message.deleted else None

    def to_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.is_private and self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
        else:
            chat["title"] = self.title
            if self.username:
                chat["username"] = self.username
            if self.is_forum:
                chat["is_forum"] = True
        return chat

    def full_info_api(self) -> dict[str, Any]:
        info = self.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        )
        pinned = self.live_message(self.pinned_message_id)
        if pinned is not None:
            info["pinned_message"] = pinned.to_api(with_reply=False)
        return info


def keyboard_labels(markup: dict[str, Any] | None) -> list[str]:
    """The labels of a reply keyboard (a button is its label or an object with ``text``)."""
    rows = (markup or {}).get("keyboard", [])
    return [
        button if isinstance(button, str) else str(button["text"]) for row in rows for button in row
    ]


def member_api(user: FakeUser, status: MemberStatus) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status.value, "user": user.to_api()}
    if status is MemberStatus.CREATOR:
        member["is_anonymous"] = False
    elif status is MemberStatus.ADMINISTRATOR:
        member.update(can_be_edited=False, **ADMINISTRATOR_RIGHTS)
    elif status is MemberStatus.KICKED:
        member["until_date"] = 0
    return member


@dataclass
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(eq=False)
class CallbackQueryRecord:
    id: str
    user: FakeUser
    message: StoredMessage
    data: str
    answer: CallbackAnswer | None = None


class World:
    """Registries and identifier allocation; everything deterministic for a given seed."""

    def __init__(self, bot: FakeUser, seed: int) -> None:
        self.bot = bot
        self.random = random.Random(seed)
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.photos: dict[str, list[StoredFile]] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        # Every message of every chat in the order it was posted: chats number their messages
        # apiece, and a test asks what a bot sent anywhere in reply to one update.
        self.timeline: list[StoredMessage] = []
        self._user_ids = itertools.count(5_000_000_001)
        self._group_numbers = itertools.count(1_000_000_001)
        self._file_numbers = itertools.count(1)

    def add_user(self, user_id: int | None = None, **profile: Any) -> FakeUser:
        user = FakeUser(id=user_id if user_id is not None else next(self._user_ids), **profile)
        if user.id in self.users or user.id == self.bot.id:
            raise ValueError(f"user id {user.id} is taken")
        self.users[user.id] = user
        return user

    def private_chat(self, user: FakeUser) -> FakeChat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = FakeChat(id=user.id, type="private", instance=self._chat_instance(), user=user)
            self.chats[chat.id] = chat
        return chat

    def add_group(
        self,
        title: str,
        *,
        supergroup: bool,
        forum: bool,
        username: str | None,
        members: dict[int, tuple[FakeUser, MemberStatus]],
        chat_id: int | None = None,
    ) -> FakeChat:
        if chat_id is None:
            number = next(self._group_numbers)
            chat_id = -(1_000_000_000_000 + number) if supergroup else -number
        if chat_id >= 0 or chat_id in self.chats:
            raise ValueError(f"chat id {chat_id} is taken or not a group's (negative) id")
        chat = FakeChat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            instance=self._chat_instance(),
            title=title,
            username=username,
            is_forum=forum,
            members=members,
        )
        self.chats[chat.id] = chat
        return chat

    def find_chat(self, chat_reference: int | str) -> FakeChat | None:
        if isinstance(chat_reference, str) and chat_reference.startswith("@"):
            wanted = chat_reference[1:].lower()
            return next(
                (
                    chat
                    for chat in self.chats.values()
                    if chat.username and chat.username.lower() == wanted and not chat.is_private
                ),
                None,
            )
        try:
            chat_id = int(chat_reference)
        except ValueError:
            return None
        if chat_id in self.chats:
            return self.chats[chat_id]
        # A user's private chat with the bot exists from the moment Telegram knows the user.
        user = self.users.get(chat_id)
        return self.private_chat(user) if user is not None else None

    def add_message(
        self, chat: FakeChat, sender: FakeUser, content_type: str, **fields: Any
    ) -> StoredMessage:
        chat.last_message_id += 1
        message = StoredMessage(
            chat=chat,
            message_id=chat.last_message_id,
            sender=sender,
            date=now(),
            content_type=content_type,
            sent_by_bot=sender is self.bot,
            **fields,
        )
        chat.messages[message.message_id] = message
        self.timeline.append(message)
        return message

    def open_topic(
        self,
        chat: FakeChat,
        creator: FakeUser,
        name: str,
        icon_color: int,
        icon_custom_emoji_id: str | None = None,
    ) -> ForumTopic:
        """Telegram numbers a topic by the id of the service message that opens it."""
        opening = self.add_message(
            chat,
            creator,
            "service",
            service={"forum_topic_created": {"name": name, "icon_color": icon_color}},
        )
        topic = ForumTopic(opening.message_id, name, icon_color, icon_custom_emoji_id)
        opening.thread_id = topic.thread_id
        chat.topics[topic.thread_id] = topic
        return topic

    @staticmethod
    def delete_topic(chat: FakeChat, topic: ForumTopic) -> None:
        """A deleted topic takes its messages with it."""
        topic.is_deleted = True
        for message in chat.messages.values():
            if message.thread_id == topic.thread_id:
                message.deleted = True

    def store_file(self, kind: str, content: bytes, extension: str, **details: Any) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            kind=kind,
            file_id=FILE_ID_PREFIXES[kind] + self._random_token(54),
            file_unique_id=FILE_UNIQUE_ID_PREFIXES[kind] + self._random_token(12),
            content=content,
            file_path=f"{FILE_DIRECTORIES[kind]}/file_{number}.{extension}",
            **details,
        )
        self.files[stored.file_id] = stored
        return stored

    def store_document(
        self, file_name: str, content: bytes, mime_type: str | None = None
    ) -> StoredFile:
        """Telegram takes the MIME type from the file name, whatever the upload claims."""
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        return self.store_file(
            "document",
            content,
            extension,
            file_name=file_name,
            mime_type=mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
        )

    def store_photo(self, content: bytes, width: int, height: int) -> list[StoredFile]:
        """Telegram keeps a photo in several sizes, each with its own file_id."""
        sizes = []
        for limit in PHOTO_SIZE_LIMITS:
            scale = min(1.0, limit / max(width, height))
            sizes.append(
                self.store_file(
                    "photo",
                    content,
                    "jpg",
                    width=max(1, round(width * scale)),
                    height=max(1, round(height * scale)),
                )
            )
            if scale == 1.0:
                break
        for size in sizes:
            self.photos[size.file_id] = sizes
        return sizes

    def new_callback_query_id(self) -> str:
        return str(self.random.getrandbits(63))

    def new_media_group_id(self) -> str:
        return str(self.random.getrandbits(63))

    def _chat_instance(self) -> str:
        return str(self.random.getrandbits(64) - 2**63)

    def _random_token(self, length: int) -> str:
        raw = self.random.getrandbits(8 * length).to_bytes(length, "big")
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:length]

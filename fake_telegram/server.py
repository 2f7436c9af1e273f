"""``FakeTelegram``: the fake Bot API server and the in-process driver that plays the users.

The server speaks the real Bot API over HTTP, so the bot under test uses aiogram's own
``AiohttpSession`` unchanged. The driver methods act as Telegram users would (send a text, press
a button, block the bot) and queue the updates Telegram would send; the read-back methods show
what the bot did; the wait methods let a test await the bot's reaction instead of sleeping.
"""

from __future__ import annotations

import asyncio
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from .bot_api import BotApi, commands_key
from .calls import ApiCall, ApiCallLog
from .control_api import ControlApiRoutes
from .faults import FaultPlan, GroupFloodLimit, PlannedDelay, PlannedFault
from .formatting import FormattedText, trim_whitespace, with_bot_command_entities
from .http_api import BotApiRoutes
from .limits import (
    DEFAULT_PRIVATE_CHAT_BURST,
    TELEGRAM_MESSAGES_PER_SECOND,
    TELEGRAM_PRIVATE_CHAT_MESSAGES_PER_SECOND,
    NetworkLatency,
    SendLimits,
)
from .notify import ChangeNotifier
from .updates import UpdateQueue
from .webhook import (
    DEFAULT_DELIVERY_TIMEOUT,
    DEFAULT_MAX_RETRY_DELAY,
    DEFAULT_RETRY_DELAY,
    DeliveryAttempt,
    WebhookDelivery,
    WebhookSettings,
)
from .world import (
    DEFAULT_PHOTO_SIZE,
    DEFAULT_TOPIC_ICON_COLOR,
    CallbackAnswer,
    CallbackQueryRecord,
    FakeChat,
    FakeUser,
    ForumTopic,
    MemberStatus,
    StoredMessage,
    World,
    member_api,
    now,
)

DEFAULT_TOKEN = "123456789:AAFakeTokenForTheFakeTelegramServer00"
TOKEN_PATTERN = re.compile(r"(\d+):[A-Za-z0-9_-]+")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DEFAULT_WAIT_TIMEOUT = 5.0
DEFAULT_QUIET_PERIOD = 0.1
SHUTDOWN_TIMEOUT = 1.0
PLACEHOLDER_DOCUMENT = b"%PDF-1.4\n% placeholder document of the fake Telegram server\n"

ChatReference = FakeChat | FakeUser | int
UserReference = FakeUser | int
ThreadReference = ForumTopic | int


def placeholder_png() -> bytes:
    """A valid 1x1 PNG, so that a bot that downloads a user's photo gets a real image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class AlbumPhoto:
    caption: str | None = None
    content: bytes | None = None


@dataclass(frozen=True)
class AlbumDocument:
    file_name: str = "document.pdf"
    caption: str | None = None
    content: bytes = PLACEHOLDER_DOCUMENT


class LocalAiohttpSession(AiohttpSession):
    """aiogram's own session, minus the 250 ms pause on close meant for TLS connections.

    Requests are untouched; a plain-HTTP server on localhost has no TLS to wind down, and the
    pause would add a quarter second to every test that creates a bot.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class ButtonNotFoundError(LookupError):
    """The label is not on the message's current keyboard; the message lists the labels that are."""


class FakeTelegram:
    """The fake server plus the driver; use as ``async with FakeTelegram() as telegram``.

    Arguments mirror what differs between bots on Telegram: the token (the bot's id is its
    numeric prefix), the username, and privacy mode (``reads_all_group_messages``).
    ``reject_bare_ampersand`` makes HTML stricter than Telegram (see ``formatting.parse_html``);
    ``seed`` fixes the generated file ids, callback query ids and chat instances.
    The ``webhook_*`` arguments time the delivery by webhook: the pause before the first retry
    of a failed POST (it doubles with each failure up to ``webhook_max_retry_delay``) and how
    long the bot's server has to answer one; Telegram's own pauses are longer.
    ``latency``: seconds every Bot API call takes there and back (0, the default: none);
    ``set_send_limits`` and ``set_group_flood_limit`` turn on Telegram's limits (see
    ``limits``), all off by default.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "support_test_bot",
        bot_first_name: str = "Support Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        reads_all_group_messages: bool = False,
        reject_bare_ampersand: bool = True,
        seed: int = 0,
        webhook_retry_delay: float = DEFAULT_RETRY_DELAY,
        webhook_max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        webhook_timeout: float = DEFAULT_DELIVERY_TIMEOUT,
        latency: float = 0.0,
    ) -> None:
        token_match = TOKEN_PATTERN.fullmatch(token)
        if token_match is None:
            raise ValueError("a bot token looks like '123456789:AAE...': digits, a colon, a secret")
        self.token = token
        self.host = host
        self.port = port
        self.base_url = ""
        self.reads_all_group_messages = reads_all_group_messages
        self.changes = ChangeNotifier()
        bot_user = FakeUser(
            id=int(token_match.group(1)),
            first_name=bot_first_name,
            username=bot_username,
            is_bot=True,
        )
        self.world = World(bot_user, seed)
        self.updates = UpdateQueue(self.changes)
        self.faults = FaultPlan()
        self.flood_limit = GroupFloodLimit()
        self.send_limits = SendLimits()
        self.latency = NetworkLatency()
        self.latency.set(latency)
        self.call_log = ApiCallLog(self.changes)
        self.webhook = WebhookDelivery(
            self.updates,
            self.changes,
            self.call_log.touch,
            retry_delay=webhook_retry_delay,
            max_retry_delay=webhook_max_retry_delay,
            timeout=webhook_timeout,
            latency=self.latency,
        )
        self.api = BotApi(
            self.world,
            self.updates,
            self.flood_limit,
            self.changes,
            self.webhook,
            reads_all_group_messages=reads_all_group_messages,
            reject_bare_ampersand=reject_bare_ampersand,
            send_limits=self.send_limits,
        )
        self.routes = BotApiRoutes(
            self.token, self.api, self.faults, self.call_log, self.world, self.latency
        )
        self._runner: web.AppRunner | None = None

    # Lifecycle

    async def start(self) -> str:
        """Serve on ``host:port`` (port 0 picks a free one) and return the base URL."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        self.routes.register(app)
        ControlApiRoutes(self).register(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        self.updates.close()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_server(self) -> TelegramAPIServer:
        if not self.base_url:
            raise RuntimeError("start() the fake Telegram server first")
        return TelegramAPIServer.from_base(self.base_url)

    def create_bot(self, **bot_options: Any) -> Bot:
        """A real aiogram ``Bot`` whose requests go to this server."""
        return Bot(self.token, session=LocalAiohttpSession(api=self.api_server), **bot_options)

    @property
    def bot_user(self) -> FakeUser:
        return self.world.bot

    # Setting up the world

    def add_user(
        self,
        first_name: str = "Иван",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        user_id: int | None = None,
        phone_number: str | None = None,
        has_started_bot: bool = True,
    ) -> FakeUser:
        """A Telegram user; ``has_started_bot=False``: the bot can't write to them first (403)."""
        return self.world.add_user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
            has_started_bot=has_started_bot,
        )

    def add_group(
        self,
        title: str,
        *,
        forum: bool = False,
        members: Iterable[FakeUser] = (),
        admins: Iterable[FakeUser] = (),
        owner: FakeUser | None = None,
        bot_status: MemberStatus | str = MemberStatus.ADMINISTRATOR,
        supergroup: bool = True,
        username: str | None = None,
        chat_id: int | None = None,
    ) -> FakeChat:
        """A group with the bot in it (as an admin unless ``bot_status`` says otherwise).

        Forums are supergroups, as in Telegram; a regular group gets a small negative id and a
        supergroup one starting with -100; ``chat_id`` gives it a fixed one instead (a bot's
        configuration names its chats by id).
        """
        if forum and not supergroup:
            raise ValueError("only supergroups can be forums")
        roster: dict[int, tuple[FakeUser, MemberStatus]] = {}
        if owner is not None:
            roster[owner.id] = (owner, MemberStatus.CREATOR)
        roster[self.world.bot.id] = (self.world.bot, MemberStatus(bot_status))
        for admin in admins:
            roster.setdefault(admin.id, (admin, MemberStatus.ADMINISTRATOR))
        for member in members:
            roster.setdefault(member.id, (member, MemberStatus.MEMBER))
        return self.world.add_group(
            title,
            supergroup=supergroup,
            forum=forum,
            username=username,
            members=roster,
            chat_id=chat_id,
        )

    def add_topic(
        self, group: ChatReference, name: str, *, icon_color: int = DEFAULT_TOPIC_ICON_COLOR
    ) -> ForumTopic:
        """A forum topic created by someone other than the bot (no update is queued)."""
        chat = self.chat(group)
        if not chat.is_forum:
            raise ValueError(f"{chat.title!r} is not a forum")
        return self.world.open_topic(chat, self._someone_in(chat), name, icon_color)

    def set_member(
        self,
        group: ChatReference,
        user: UserReference,
        status: MemberStatus | str = MemberStatus.MEMBER,
    ) -> None:
        """Add someone to a group or change their status (``left``/``kicked`` removes them).

        Quietly, as an admin's change that the bot is not told about: no update is queued.
        """
        chat = self.chat(group)
        if chat.is_private:
            raise ValueError("a private chat has no members to set")
        member = self.user(user)
        chat.members[member.id] = (member, MemberStatus(status))
        self.changes.notify()

    def delete_topic(self, group: ChatReference, topic: ThreadReference) -> None:
        """Delete a topic as an admin would; the bot's later sends to it fail."""
        chat = self.chat(group)
        self.world.delete_topic(chat, chat.topics[self._thread_id(topic)])
        self.changes.notify()

    # Looking things up

    def private_chat(self, user: UserReference) -> FakeChat:
        return self.world.private_chat(self.user(user))

    def user(self, user: UserReference) -> FakeUser:
        """The user given by object or id."""
        if isinstance(user, FakeUser):
            return user
        try:
            return self.world.users[user]
        except KeyError:
            raise LookupError(f"no user with id {user}; add_user() first") from None

    def chat(self, chat: ChatReference) -> FakeChat:
        """The chat given by object or id; a user stands for their private chat with the bot."""
        if isinstance(chat, FakeChat):
            return chat
        if isinstance(chat, FakeUser):
            return self.world.private_chat(chat)
        found = self.world.find_chat(chat)
        if found is None:
            raise LookupError(f"no chat with id {chat}")
        return found

    # Acting as users: each queues the update Telegram would send to the bot

    async def send_text(
        self,
        user: UserReference,
        text: str,
        chat: ChatReference | None = None,
        *,
        reply_to: StoredMessage | None = None,
        thread_id: ThreadReference | None = None,
    ) -> StoredMessage:
        """A text message from the user: in their private chat with the bot unless ``chat``."""
        formatted = with_bot_command_entities(trim_whitespace(FormattedText(text)))
        if not formatted.text:
            raise ValueError("Telegram apps don't send empty or blank messages")
        return self._post(
            user,
            chat,
            "text",
            reply_to=reply_to,
            thread_id=thread_id,
            text=formatted.text,
            entities=formatted.entities,
        )

    async def send_command(
        self,
        user: UserReference,
        command: str,
        args: str | None = None,
        chat: ChatReference | None = None,
        *,
        mention_bot: bool = False,
        thread_id: ThreadReference | None = None,
    ) -> StoredMessage:
        """``/command args``; ``mention_bot`` writes ``/command@bot_username`` as group apps do."""
        text = "/" + command.removeprefix("/")
        if mention_bot:
            text += f"@{self.world.bot.username}"
        if args:
            text += f" {args}"
        return await self.send_text(user, text, chat, thread_id=thread_id)

    async def send_contact(
        self,
        user: UserReference,
        phone: str,
        contact_user_id: int | None = None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        chat: ChatReference | None = None,
    ) -> StoredMessage:
        """A shared contact; pass ``contact_user_id=user.id`` for the user's own number."""
        sender = self.user(user)
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": first_name or sender.first_name,
        }
        if last_name:
            contact["last_name"] = last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._post(sender, chat, "contact", media=contact)

    async def send_photo(
        self,
        user: UserReference,
        caption: str | None = None,
        chat: ChatReference | None = None,
        *,
        content: bytes | None = None,
        width: int = DEFAULT_PHOTO_SIZE[0],
        height: int = DEFAULT_PHOTO_SIZE[1],
        reply_to: StoredMessage | None = None,
        thread_id: ThreadReference | None = None,
    ) -> StoredMessage:
        sizes = self.world.store_photo(content or placeholder_png(), width, height)
        return self._post(
            user,
            chat,
            "photo",
            reply_to=reply_to,
            thread_id=thread_id,
            media=sizes,
            **self._caption(caption),
        )

    async def send_document(
        self,
        user: UserReference,
        file_name: str = "document.pdf",
        content: bytes = PLACEHOLDER_DOCUMENT,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatReference | None = None,
        reply_to: StoredMessage | None = None,
        thread_id: ThreadReference | None = None,
    ) -> StoredMessage:
        document = self.world.store_document(file_name, content, mime_type)
        return self._post(
            user,
            chat,
            "document",
            reply_to=reply_to,
            thread_id=thread_id,
            media=document,
            **self._caption(caption),
        )

    async def send_sticker(
        self,
        user: UserReference,
        emoji: str = "👍",
        chat: ChatReference | None = None,
        *,
        thread_id: ThreadReference | None = None,
    ) -> StoredMessage:
        sticker = self.world.store_file(
            "sticker", b"RIFF\x00\x00\x00\x00WEBP", "webp", width=512, height=512, emoji=emoji
        )
        return self._post(user, chat, "sticker", thread_id=thread_id, media=sticker)

    async def send_media_group(
        self,
        user: UserReference,
        items: Sequence[AlbumPhoto | AlbumDocument],
        chat: ChatReference | None = None,
        *,
        thread_id: ThreadReference | None = None,
    ) -> list[StoredMessage]:
        """An album: one message and one update per item, all with the same media_group_id."""
        if not 2 <= len(items) <= 10:
            raise ValueError("an album holds 2 to 10 items")
        if len({type(item) for item in items}) > 1:
            raise ValueError("Telegram doesn't mix documents with photos in one album")
        media_group_id = self.world.new_media_group_id()
        sent = []
        for item in items:
            if isinstance(item, AlbumPhoto):
                content_type = "photo"
                media: Any = self.world.store_photo(
                    item.content or placeholder_png(), *DEFAULT_PHOTO_SIZE
                )
            else:
                content_type = "document"
                media = self.world.store_document(item.file_name, item.content, None)
            sent.append(
                self._post(
                    user,
                    chat,
                    content_type,
                    thread_id=thread_id,
                    media=media,
                    media_group_id=media_group_id,
                    **self._caption(item.caption),
                )
            )
        return sent

    async def edit_text(
        self, user: UserReference, message: StoredMessage, new_text: str
    ) -> StoredMessage:
        """The user edits their own text message: an ``edited_message`` update."""
        author = self.user(user)
        if message.sender is not author or message.content_type != "text":
            raise ValueError("a user can edit only the text messages they sent")
        formatted = with_bot_command_entities(trim_whitespace(FormattedText(new_text)))
        message.history.append(message.current_version())
        message.text = formatted.text
        message.entities = formatted.entities
        message.edit_date = now()
        message.chat.driver_mark = message.chat.last_message_id
        self._deliver_to_bot(message, "edited_message")
        return message

    async def press_button(
        self, user: UserReference, message: StoredMessage, label: str
    ) -> CallbackQueryRecord:
        """Press the inline button with this visible label on the message's current keyboard.

        Sends a ``callback_query`` with the button's real ``callback_data``; the returned record's
        ``answer`` is filled in when the bot answers it.
        """
        presser = self.user(user)
        if message.deleted:
            raise ValueError(f"message {message.message_id} was deleted; there is nothing to press")
        self._check_can_act_in(presser, message.chat)
        button = next(
            (button for button in message.inline_buttons() if button["text"] == label), None
        )
        if button is None:
            labels = ", ".join(repr(text) for text in message.button_labels()) or "none"
            raise ButtonNotFoundError(
                f"no button {label!r} on message {message.message_id} in chat {message.chat.id}; "
                f"its buttons are: {labels}"
            )
        if "callback_data" not in button:
            kind = next((key for key in button if key != "text"), "unknown")
            raise ValueError(
                f"button {label!r} is a {kind} button: pressing it sends the bot nothing"
            )
        query = CallbackQueryRecord(
            id=self.world.new_callback_query_id(),
            user=presser,
            message=message,
            data=button["callback_data"],
        )
        self.world.callback_queries[query.id] = query
        message.chat.driver_mark = message.chat.last_message_id
        self.updates.push(
            {
                "callback_query": {
                    "id": query.id,
                    "from": presser.to_api(),
                    "message": message.to_api(),
                    "chat_instance": message.chat.instance,
                    "data": query.data,
                }
            }
        )
        return query

    async def press_keyboard_button(
        self, user: UserReference, label: str, chat: ChatReference | None = None
    ) -> StoredMessage:
        """Press a button of the reply keyboard the bot shows in the chat.

        A plain button sends its label as text; a ``request_contact`` button shares the user's own
        ``phone_number``; a one-time keyboard hides afterwards.
        """
        presser = self.user(user)
        target = self.chat(chat if chat is not None else presser)
        keyboard = target.reply_keyboard or {}
        buttons = [
            {"text": button} if isinstance(button, str) else button
            for row in keyboard.get("keyboard", [])
            for button in row
        ]
        button = next((button for button in buttons if button["text"] == label), None)
        if button is None:
            labels = ", ".join(repr(button["text"]) for button in buttons) or "none"
            raise ButtonNotFoundError(
                f"no keyboard button {label!r} in chat {target.id}; shown: {labels}"
            )
        if button.get("request_contact") and presser.phone_number is None:
            raise ValueError("give the user a phone_number to share a contact")
        if keyboard.get("one_time_keyboard"):
            target.reply_keyboard = None
        if button.get("request_contact") and presser.phone_number is not None:
            return await self.send_contact(
                presser,
                presser.phone_number,
                presser.id,
                first_name=presser.first_name,
                last_name=presser.last_name,
                chat=target,
            )
        return await self.send_text(presser, label, target)

    async def block_bot(self, user: UserReference) -> None:
        """The user blocks the bot: sends to them fail with 403 and a ``my_chat_member`` arrives."""
        blocker = self.user(user)
        if blocker.has_blocked_bot:
            raise ValueError(f"{blocker.full_name} has already blocked the bot")
        blocker.has_blocked_bot = True
        self._queue_bot_membership_change(blocker, MemberStatus.MEMBER, MemberStatus.KICKED)

    async def unblock_bot(self, user: UserReference) -> None:
        blocker = self.user(user)
        if not blocker.has_blocked_bot:
            raise ValueError(f"{blocker.full_name} has not blocked the bot")
        blocker.has_blocked_bot = False
        self._queue_bot_membership_change(blocker, MemberStatus.KICKED, MemberStatus.MEMBER)

    async def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update dict; without ``update_id`` it gets the next one."""
        return self.updates.push_raw(update)

    async def redeliver_update(self, update_id: int) -> dict[str, Any]:
        """Send an already delivered update again with the same ``update_id`` (a duplicate)."""
        return self.updates.redeliver(update_id)

    # Faults

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> PlannedFault:
        """Answer the next ``times`` calls of ``method`` with an error instead of running it.

        ``method`` is case-insensitive; ``"*"`` matches any method except ``getUpdates``.

        Without a description Telegram's usual one for the status is used; 429 gets
        ``retry_after`` (default 5). ``chat_id`` restricts the fault to calls for that chat.
        """
        return self.faults.add(method, error_code, description, retry_after, times, chat_id)

    def delay_next(
        self,
        method: str,
        seconds: float,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> PlannedDelay:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` before they run.

        The call is as slow as a slow network or a slow Telegram, so a handler that makes it
        is still in flight meanwhile. If the bot disconnects during the delay (it was
        killed), the call never happens, as a request that never reached Telegram.
        ``"*"`` matches any method except ``getUpdates``; ``chat_id`` restricts it to one chat.
        """
        return self.faults.add_delay(method, seconds, times, chat_id)

    def set_group_flood_limit(self, messages_per_minute: int | None = 20) -> None:
        """Emulate Telegram's flood control in groups (None switches it off, the default)."""
        self.flood_limit.messages_per_minute = messages_per_minute

    def set_send_limits(
        self,
        messages_per_second: float | None = TELEGRAM_MESSAGES_PER_SECOND,
        private_chat_messages_per_second: float | None = TELEGRAM_PRIVATE_CHAT_MESSAGES_PER_SECOND,
        private_chat_burst: int = DEFAULT_PRIVATE_CHAT_BURST,
    ) -> None:
        """Emulate Telegram's limits on the bot's messages: per bot and per private chat.

        A message over a limit is answered 429 with ``retry_after`` and not sent; None switches
        a limit off (both are, by default). The group limit is ``set_group_flood_limit``.
        """
        self.send_limits.configure(
            messages_per_second, private_chat_messages_per_second, private_chat_burst
        )

    def set_latency(self, seconds: float) -> None:
        """Answer every Bot API call ``seconds`` after it was made (0: at once, the default).

        Half the time passes before the method runs (its message then appears in the chat),
        half after, as a request's way to Telegram and back.
        """
        self.latency.set(seconds)

    # Reading back what the bot did

    def messages(self, chat: ChatReference) -> list[StoredMessage]:
        """Every message of the chat in order: users' and bot's, service and deleted ones too."""
        return list(self.chat(chat).messages.values())

    def bot_messages(self, chat: ChatReference) -> list[StoredMessage]:
        """The bot's messages in the chat, deleted ones included (see ``deleted``)."""
        return [
            message
            for message in self.messages(chat)
            if message.sent_by_bot and not message.is_service
        ]

    def last_bot_message(self, chat: ChatReference) -> StoredMessage:
        shown = [message for message in self.bot_messages(chat) if not message.deleted]
        if not shown:
            raise LookupError(f"the bot has no messages in chat {self.chat(chat).id}")
        return shown[-1]

    def message(self, chat: ChatReference, message_id: int) -> StoredMessage:
        return self.chat(chat).messages[message_id]

    def chat_actions(self, chat: ChatReference) -> list[str]:
        return list(self.chat(chat).chat_actions)

    @property
    def callback_queries(self) -> list[CallbackQueryRecord]:
        return list(self.world.callback_queries.values())

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return [query.answer for query in self.callback_queries if query.answer is not None]

    @property
    def calls(self) -> list[ApiCall]:
        return list(self.call_log.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.call_log.calls if call.method.lower() == method.lower()]

    @property
    def update_history(self) -> list[dict[str, Any]]:
        """Every update queued for the bot, in order (re-deliveries not repeated)."""
        return list(self.updates.history)

    @property
    def dropped_updates(self) -> list[dict[str, Any]]:
        """Updates never delivered because the bot's ``allowed_updates`` excluded them."""
        return list(self.updates.dropped)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return list(self.api.commands.get(commands_key(scope, language_code), []))

    @property
    def webhook_url(self) -> str:
        """The URL set by ``setWebhook``; empty while the bot polls."""
        return self.webhook.url

    @property
    def webhook_settings(self) -> WebhookSettings | None:
        return self.webhook.settings

    @property
    def webhook_attempts(self) -> list[DeliveryAttempt]:
        """Every POST of an update to the webhook, in the order they started."""
        return list(self.webhook.attempts)

    def webhook_attempts_for(self, update_id: int) -> list[DeliveryAttempt]:
        return [attempt for attempt in self.webhook.attempts if attempt.update_id == update_id]

    def webhook_info(self) -> dict[str, Any]:
        """What ``getWebhookInfo`` answers now."""
        return self.webhook.info(self.updates.unconfirmed_count)

    # Waiting for the bot

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        *,
        description: str = "condition",
    ) -> None:
        """Wait until ``condition()`` holds, re-checking whenever the fake's state changes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{description} did not happen within {timeout} s{self._recent_failures()}"
                )
            await self.changes.wait(remaining)

    async def wait_for_bot_messages(
        self, chat: ChatReference, count: int = 1, timeout: float = DEFAULT_WAIT_TIMEOUT
    ) -> list[StoredMessage]:
        """Wait for ``count`` new bot messages in the chat and return all new ones.

        "New" means sent after the driver's last action in that chat (a message, a button press),
        so the bot's answer can't be missed even if it arrives before this wait starts.
        """
        target = self.chat(chat)
        mark = target.driver_mark

        def new_messages() -> list[StoredMessage]:
            return [
                message
                for message in target.messages.values()
                if message.message_id > mark and message.sent_by_bot and not message.is_service
            ]

        await self.wait_until(
            lambda: len(new_messages()) >= count,
            timeout,
            description=f"{count} new bot message(s) in chat {target.id}",
        )
        return new_messages()

    async def wait_until_quiet(
        self, quiet_period: float = DEFAULT_QUIET_PERIOD, timeout: float = DEFAULT_WAIT_TIMEOUT
    ) -> None:
        """Wait until the bot took every update, has no call in flight and made none for a while."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            idle_for = time.monotonic() - self.call_log.last_activity
            busy = self.call_log.requests_in_flight > 0 or self.updates.unconfirmed_count > 0
            if not busy and idle_for >= quiet_period:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                taken_by = (
                    "its webhook (is it answering?)"
                    if self.webhook.settings is not None
                    else "getUpdates (is the bot polling?)"
                )
                raise TimeoutError(
                    f"the bot did not go quiet within {timeout} s: "
                    f"{self.updates.unconfirmed_count} update(s) not taken by {taken_by}, "
                    f"{self.call_log.requests_in_flight} call(s) in flight"
                )
            # Busy: only a change ends the wait. Idle: so does the end of the quiet period.
            await self.changes.wait(remaining if busy else min(remaining, quiet_period - idle_for))

    # Internals

    def _post(
        self,
        user: UserReference,
        chat: ChatReference | None,
        content_type: str,
        *,
        reply_to: StoredMessage | None = None,
        thread_id: ThreadReference | None = None,
        **content: Any,
    ) -> StoredMessage:
        sender = self.user(user)
        target = self.chat(chat if chat is not None else sender)
        self._check_can_act_in(sender, target)
        if target.is_private:
            sender.has_started_bot = True
        resolved_thread = self._thread_id(thread_id) if thread_id is not None else None
        if resolved_thread is not None and target.live_topic(resolved_thread) is None:
            raise ValueError(
                f"chat {target.id} has no topic {resolved_thread} (never made or deleted)"
            )
        if resolved_thread is None and reply_to is not None:
            resolved_thread = reply_to.thread_id
        message = self.world.add_message(
            target, sender, content_type, reply_to=reply_to, thread_id=resolved_thread, **content
        )
        target.driver_mark = message.message_id
        self._deliver_to_bot(message, "message")
        return message

    def _deliver_to_bot(self, message: StoredMessage, update_type: str) -> None:
        if self._bot_receives(message):
            self.updates.push({update_type: message.to_api()})

    def _bot_receives(self, message: StoredMessage) -> bool:
        """Telegram's privacy mode: a group's bot that isn't an admin sees only what concerns it."""
        chat = message.chat
        if chat.is_private:
            return True
        bot_status = chat.status_of(self.world.bot)
        if not bot_status.is_present:
            return False
        if bot_status.is_admin or self.reads_all_group_messages:
            return True
        text = message.text or ""
        mentions_bot = f"@{self.world.bot.username}".lower() in text.lower()
        replies_to_bot = message.reply_to is not None and message.reply_to.sent_by_bot
        return text.startswith("/") or mentions_bot or replies_to_bot

    def _queue_bot_membership_change(
        self, user: FakeUser, old: MemberStatus, new: MemberStatus
    ) -> None:
        self.updates.push(
            {
                "my_chat_member": {
                    "chat": self.world.private_chat(user).to_api(),
                    "from": user.to_api(),
                    "date": now(),
                    "old_chat_member": member_api(self.world.bot, old),
                    "new_chat_member": member_api(self.world.bot, new),
                }
            }
        )

    def _check_can_act_in(self, user: FakeUser, chat: FakeChat) -> None:
        if chat.is_private:
            if chat.user is not user:
                raise ValueError(f"{user.full_name} is not the user of private chat {chat.id}")
            if user.has_blocked_bot:
                raise ValueError(f"{user.full_name} has blocked the bot; call unblock_bot() first")
        elif not chat.status_of(user).is_present:
            raise ValueError(f"{user.full_name} is not a member of {chat.title!r}")

    def _someone_in(self, chat: FakeChat) -> FakeUser:
        admins = [
            user for user, status in chat.members.values() if status.is_admin and not user.is_bot
        ]
        return admins[0] if admins else self.world.bot

    def _caption(self, caption: str | None) -> dict[str, Any]:
        if not caption:
            return {}
        formatted = with_bot_command_entities(trim_whitespace(FormattedText(caption)))
        return {"text": formatted.text, "entities": formatted.entities}

    @staticmethod
    def _thread_id(thread: ThreadReference) -> int:
        return thread.thread_id if isinstance(thread, ForumTopic) else thread

    def _recent_failures(self) -> str:
        failed = [call for call in self.call_log.calls[-20:] if call.status not in (None, 200)]
        if not failed:
            return ""
        listed = "; ".join(f"{call.method} -> {call.status} {call.description}" for call in failed)
        return f". Recent failed API calls: {listed}"

"""The Bot API methods: each reads the request's parameters and returns the result's JSON.

Handlers raise ``TelegramApiError`` for every rule Telegram enforces; checks run in the order
Telegram runs them where it matters to the answer (the chat before the text, for example).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import methods as aiogram_methods

from . import errors
from .faults import GroupFloodLimit
from .formatting import FormattedText, format_text
from .limits import SendLimits
from .markup import validate_reply_markup
from .notify import ChangeNotifier
from .params import RequestParams, UploadedFile
from .updates import UpdateQueue
from .webhook import (
    WebhookDelivery,
    WebhookSettings,
    check_secret_token,
    check_webhook_url,
    clamp_max_connections,
)
from .world import (
    CAPTIONED_CONTENT_TYPES,
    DEFAULT_PHOTO_SIZE,
    DEFAULT_TOPIC_ICON_COLOR,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    ForumTopic,
    MemberStatus,
    StoredFile,
    StoredMessage,
    World,
    member_api,
    now,
)

Handler = Callable[[RequestParams], Awaitable[Any]]

MESSAGE_TEXT_MAX_LENGTH = 4096
CAPTION_MAX_LENGTH = 1024
ALBUM_MAX_ITEMS = 10
TOPIC_NAME_MAX_LENGTH = 128
BOT_COMMANDS_MAX = 100
BOT_COMMAND_PATTERN = re.compile(r"[a-z0-9_]{1,32}")
BOT_COMMAND_DESCRIPTION_MAX_LENGTH = 256
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
DEFAULT_MENU_BUTTON = {"type": "default"}

# Every method of the real Bot API, so that one this fake lacks is reported as such (5xx) and
# not as a typo (404), which would send a developer looking for the wrong mistake.
REAL_METHOD_NAMES = frozenset(
    method.__api_method__.lower()
    for method in vars(aiogram_methods).values()
    if inspect.isclass(method)
    and issubclass(method, aiogram_methods.TelegramMethod)
    and isinstance(getattr(method, "__api_method__", None), str)
)


class BotApi:
    def __init__(
        self,
        world: World,
        updates: UpdateQueue,
        flood_limit: GroupFloodLimit,
        changes: ChangeNotifier,
        webhook: WebhookDelivery,
        *,
        reads_all_group_messages: bool,
        reject_bare_ampersand: bool,
        send_limits: SendLimits | None = None,
    ) -> None:
        self.world = world
        self.send_limits = send_limits or SendLimits()
        self.updates = updates
        self.flood_limit = flood_limit
        self.changes = changes
        self.reads_all_group_messages = reads_all_group_messages
        self.reject_bare_ampersand = reject_bare_ampersand
        self.webhook = webhook
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.default_menu_button: dict[str, Any] = DEFAULT_MENU_BUTTON
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self.get_me,
                "getUpdates": self.get_updates,
                "setWebhook": self.set_webhook,
                "deleteWebhook": self.delete_webhook,
                "getWebhookInfo": self.get_webhook_info,
                "sendMessage": self.send_message,
                "sendPhoto": self.send_photo,
                "sendDocument": self.send_document,
                "sendMediaGroup": self.send_media_group,
                "copyMessage": self.copy_message,
                "forwardMessage": self.forward_message,
                "editMessageText": self.edit_message_text,
                "editMessageCaption": self.edit_message_caption,
                "editMessageReplyMarkup": self.edit_message_reply_markup,
                "deleteMessage": self.delete_message,
                "answerCallbackQuery": self.answer_callback_query,
                "sendChatAction": self.send_chat_action,
                "pinChatMessage": self.pin_chat_message,
                "unpinChatMessage": self.unpin_chat_message,
                "getChat": self.get_chat,
                "getChatMember": self.get_chat_member,
                "getChatAdministrators": self.get_chat_administrators,
                "createForumTopic": self.create_forum_topic,
                "editForumTopic": self.edit_forum_topic,
                "closeForumTopic": self.close_forum_topic,
                "reopenForumTopic": self.reopen_forum_topic,
                "deleteForumTopic": self.delete_forum_topic,
                "setMyCommands": self.set_my_commands,
                "getMyCommands": self.get_my_commands,
                "deleteMyCommands": self.delete_my_commands,
                "setChatMenuButton": self.set_chat_menu_button,
                "getChatMenuButton": self.get_chat_menu_button,
                "getFile": self.get_file,
                "close": self.close,
                "logOut": self.log_out,
            }.items()
        }

    def canonical_name(self, method: str) -> str:
        """Telegram matches method names case-insensitively; logs show the documented spelling."""
        known = self._handlers.get(method.lower())
        return known[0] if known else method

    def handler_for(self, method: str) -> Handler:
        known = self._handlers.get(method.lower())
        if known is not None:
            return known[1]
        if method.lower() in REAL_METHOD_NAMES:
            raise errors.not_implemented_by_fake(f"the method {method}")
        raise errors.method_not_found()

    # Bot and updates

    async def get_me(self, params: RequestParams) -> dict[str, Any]:
        return {
            **self.world.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.reads_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: RequestParams) -> list[dict[str, Any]]:
        if self.webhook.settings is not None:
            raise errors.webhook_conflict()
        allowed_updates = params.json("allowed_updates")
        if allowed_updates is not None:
            self.updates.set_allowed_types(allowed_updates)
        return await self.updates.get_updates(
            params.integer("offset"), params.integer("limit"), params.integer("timeout")
        )

    async def set_webhook(self, params: RequestParams) -> bool:
        url = params.string("url") or ""
        if not url:
            return await self.delete_webhook(params)
        check_webhook_url(url)
        secret_token = params.string("secret_token")
        if secret_token is not None:
            check_secret_token(secret_token)
        allowed_updates = params.json("allowed_updates")
        if allowed_updates is not None:
            self.updates.set_allowed_types(allowed_updates)
        elif self.webhook.settings is not None:
            allowed_updates = self.webhook.settings.allowed_updates
        if params.boolean("drop_pending_updates"):
            self.updates.drop_pending()
        self.webhook.configure(
            WebhookSettings(
                url=url,
                secret_token=secret_token,
                max_connections=clamp_max_connections(params.integer("max_connections")),
                allowed_updates=allowed_updates,
            )
        )
        return True

    async def delete_webhook(self, params: RequestParams) -> bool:
        if params.boolean("drop_pending_updates"):
            self.updates.drop_pending()
        self.webhook.configure(None)
        return True

    async def get_webhook_info(self, params: RequestParams) -> dict[str, Any]:
        return self.webhook.info(self.updates.unconfirmed_count)

    # Sending messages

    async def send_message(self, params: RequestParams) -> dict[str, Any]:
        chat = self._writable_chat(params)
        formatted = self._message_text(params)
        message = self._store_bot_message(
            chat,
            params,
            "text",
            text=formatted.text,
            entities=formatted.entities,
            source_text=formatted.source,
        )
        return message.to_api()

    async def send_photo(self, params: RequestParams) -> dict[str, Any]:
        chat = self._writable_chat(params)
        caption = self._caption(
            params.string("caption"), params.string("parse_mode"), params.json("caption_entities")
        )
        photo = self._photo(params.file("photo"), "photo")
        return self._store_captioned(chat, params, "photo", photo, caption).to_api()

    async def send_document(self, params: RequestParams) -> dict[str, Any]:
        chat = self._writable_chat(params)
        caption = self._caption(
            params.string("caption"), params.string("parse_mode"), params.json("caption_entities")
        )
        document = self._document(params.file("document"), "document")
        return self._store_captioned(chat, params, "document", document, caption).to_api()

    async def send_media_group(self, params: RequestParams) -> list[dict[str, Any]]:
        chat = self._writable_chat(params)
        items = params.json("media", "media")
        if not items:
            raise errors.bad_request(errors.NO_MESSAGES_TO_SEND)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise errors.bad_request("can't parse media JSON object")
        if not all("type" in item and "media" in item for item in items):
            raise errors.bad_request("can't parse InputMedia: media not found")
        if len(items) > ALBUM_MAX_ITEMS:
            raise errors.bad_request(errors.TOO_MANY_ALBUM_MESSAGES)
        kinds = {item["type"] for item in items}
        if unsupported := kinds - {"photo", "document"}:
            raise errors.not_implemented_by_fake(
                f"albums with {', '.join(sorted(map(str, unsupported)))}"
            )
        if kinds == {"photo", "document"}:
            raise errors.bad_request(errors.DOCUMENT_MIXED_IN_ALBUM)
        prepared = []
        for item in items:
            reference = str(item["media"])
            media_file = (
                params.attachment(reference) if reference.startswith("attach://") else reference
            )
            caption = self._caption(
                item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
            )
            media = (
                self._photo(media_file, "photo")
                if item["type"] == "photo"
                else self._document(media_file, "document")
            )
            prepared.append((item["type"], media, caption))
        media_group_id = self.world.new_media_group_id() if len(prepared) > 1 else None
        reply_to = self._reply_target(chat, params)
        thread_id = self._thread_for(chat, params, reply_to)
        self._count_towards_flood_limit(chat, len(prepared))
        sent = []
        for content_type, media, caption in prepared:
            message = self.world.add_message(
                chat,
                self.world.bot,
                content_type,
                media=media,
                text=caption.text if caption else None,
                entities=caption.entities if caption else [],
                source_text=caption.source if caption else None,
                reply_to=reply_to,
                thread_id=thread_id,
                media_group_id=media_group_id,
            )
            sent.append(message.to_api())
        self.changes.notify()
        return sent

    async def copy_message(self, params: RequestParams) -> dict[str, Any]:
        chat = self._writable_chat(params)
        source = self._source_message(params, errors.MESSAGE_TO_COPY_NOT_FOUND)
        if source.is_service:
            raise errors.bad_request(errors.MESSAGE_CANT_BE_COPIED)
        text, entities, source_text = source.text, source.entities, source.source_text
        if source.content_type in CAPTIONED_CONTENT_TYPES and params.has("caption"):
            caption = self._caption(
                params.string("caption"),
                params.string("parse_mode"),
                params.json("caption_entities"),
            )
            text, entities = (caption.text, caption.entities) if caption else (None, [])
            source_text = caption.source if caption else None
        copy = self._store_bot_message(
            chat,
            params,
            source.content_type,
            text=text,
            entities=list(entities),
            source_text=source_text,
            media=source.media,
        )
        return {"message_id": copy.message_id}

    async def forward_message(self, params: RequestParams) -> dict[str, Any]:
        chat = self._writable_chat(params)
        source = self._source_message(params, errors.MESSAGE_TO_FORWARD_NOT_FOUND)
        if source.is_service:
            raise errors.bad_request("message can't be forwarded")
        origin = source.forward_origin or {
            "type": "user",
            "sender_user": source.sender.to_api(),
            "date": source.date,
        }
        forwarded = self._store_bot_message(
            chat,
            params,
            source.content_type,
            text=source.text,
            entities=list(source.entities),
            source_text=source.source_text,
            media=source.media,
            forward_origin=origin,
            allow_markup=False,
        )
        return forwarded.to_api()

    # Editing and deleting

    async def edit_message_text(self, params: RequestParams) -> dict[str, Any]:
        message = self._message_to_edit(params)
        if message.content_type != "text":
            raise errors.bad_request(errors.NO_TEXT_TO_EDIT)
        formatted = self._message_text(params)
        markup = self._reply_markup(params)
        self._apply_edit(message, formatted.text, formatted.entities, formatted.source, markup)
        return message.to_api()

    async def edit_message_caption(self, params: RequestParams) -> dict[str, Any]:
        message = self._message_to_edit(params)
        if message.content_type not in CAPTIONED_CONTENT_TYPES:
            raise errors.bad_request(errors.NO_CAPTION_TO_EDIT)
        caption = self._caption(
            params.string("caption"), params.string("parse_mode"), params.json("caption_entities")
        )
        markup = self._reply_markup(params)
        self._apply_edit(
            message,
            caption.text if caption else None,
            caption.entities if caption else [],
            caption.source if caption else None,
            markup,
        )
        return message.to_api()

    async def edit_message_reply_markup(self, params: RequestParams) -> dict[str, Any]:
        message = self._message_to_edit(params)
        markup = self._reply_markup(params)
        self._apply_edit(message, message.text, message.entities, message.source_text, markup)
        return message.to_api()

    async def delete_message(self, params: RequestParams) -> bool:
        chat = self._existing_chat(params)
        message = chat.live_message(params.integer("message_id"))
        if message is None:
            raise errors.bad_request(errors.MESSAGE_TO_DELETE_NOT_FOUND)
        if not message.sent_by_bot and not chat.is_private and not self._bot_is_admin(chat):
            raise errors.bad_request(errors.MESSAGE_CANT_BE_DELETED)
        message.deleted = True
        self.changes.notify()
        return True

    # Callback queries and chat actions

    async def answer_callback_query(self, params: RequestParams) -> bool:
        query_id = params.string("callback_query_id") or ""
        query = self.world.callback_queries.get(query_id)
        if query is None or query.answer is not None:
            raise errors.bad_request(errors.QUERY_TOO_OLD)
        query.answer = CallbackAnswer(
            query_id=query_id,
            text=params.string("text"),
            show_alert=params.boolean("show_alert"),
            url=params.string("url"),
            cache_time=params.integer("cache_time") or 0,
        )
        self.changes.notify()
        return True

    async def send_chat_action(self, params: RequestParams) -> bool:
        chat = self._writable_chat(params)
        action = params.string("action")
        if action not in CHAT_ACTIONS:
            raise errors.bad_request(errors.WRONG_CHAT_ACTION)
        if params.has("message_thread_id"):
            self._thread_for(chat, params, None)
        chat.chat_actions.append(action)
        self.changes.notify()
        return True

    async def pin_chat_message(self, params: RequestParams) -> bool:
        chat = self._existing_chat(params)
        message = chat.live_message(params.integer("message_id"))
        if message is None:
            raise errors.bad_request(errors.MESSAGE_TO_PIN_NOT_FOUND)
        if not chat.is_private and not self._bot_is_admin(chat):
            raise errors.bad_request(errors.NOT_ENOUGH_RIGHTS_TO_PIN)
        chat.pinned_message_id = message.message_id
        self.world.add_message(
            chat,
            self.world.bot,
            "service",
            service={"pinned_message": message.to_api(with_reply=False)},
            thread_id=message.thread_id,
        )
        self.changes.notify()
        return True

    async def unpin_chat_message(self, params: RequestParams) -> bool:
        chat = self._existing_chat(params)
        if not chat.is_private and not self._bot_is_admin(chat):
            raise errors.bad_request(errors.NOT_ENOUGH_RIGHTS_TO_PIN)
        message_id = params.integer("message_id")
        if message_id is not None and message_id != chat.pinned_message_id:
            raise errors.bad_request("message to unpin not found")
        chat.pinned_message_id = None
        self.changes.notify()
        return True

    # Chats and members

    async def get_chat(self, params: RequestParams) -> dict[str, Any]:
        return self._existing_chat(params).full_info_api()

    async def get_chat_member(self, params: RequestParams) -> dict[str, Any]:
        chat = self._existing_chat(params)
        user = self._user(params.integer("user_id"))
        status = chat.status_of(user)
        if chat.is_private and user is self.world.bot:
            blocked = chat.user is not None and chat.user.has_blocked_bot
            status = MemberStatus.KICKED if blocked else MemberStatus.MEMBER
        return member_api(user, status)

    async def get_chat_administrators(self, params: RequestParams) -> list[dict[str, Any]]:
        chat = self._existing_chat(params)
        if chat.is_private:
            raise errors.bad_request(errors.NO_ADMINISTRATORS_IN_PRIVATE_CHAT)
        return [
            member_api(user, status) for user, status in chat.members.values() if status.is_admin
        ]

    # Forum topics

    async def create_forum_topic(self, params: RequestParams) -> dict[str, Any]:
        chat = self._forum(params)
        name = params.string("name") or ""
        if not 1 <= len(name) <= TOPIC_NAME_MAX_LENGTH:
            raise errors.bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_INVALID")
        topic = self.world.open_topic(
            chat,
            self.world.bot,
            name,
            params.integer("icon_color") or DEFAULT_TOPIC_ICON_COLOR,
            params.string("icon_custom_emoji_id"),
        )
        self.changes.notify()
        return topic.to_api()

    async def edit_forum_topic(self, params: RequestParams) -> bool:
        chat, topic = self._topic(params)
        name = params.string("name")
        emoji = params.string("icon_custom_emoji_id")
        if (name is None or name == topic.name) and (
            emoji is None or emoji == topic.icon_custom_emoji_id
        ):
            raise errors.bad_request(errors.TOPIC_NOT_MODIFIED)
        edited = {}
        if name is not None:
            topic.name = edited["name"] = name
        if emoji is not None:
            topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] = emoji
        self._topic_service_message(chat, topic, {"forum_topic_edited": edited})
        return True

    async def close_forum_topic(self, params: RequestParams) -> bool:
        chat, topic = self._topic(params)
        if topic.is_closed:
            raise errors.bad_request(errors.TOPIC_NOT_MODIFIED)
        topic.is_closed = True
        self._topic_service_message(chat, topic, {"forum_topic_closed": {}})
        return True

    async def reopen_forum_topic(self, params: RequestParams) -> bool:
        chat, topic = self._topic(params)
        if not topic.is_closed:
            raise errors.bad_request(errors.TOPIC_NOT_MODIFIED)
        topic.is_closed = False
        self._topic_service_message(chat, topic, {"forum_topic_reopened": {}})
        return True

    async def delete_forum_topic(self, params: RequestParams) -> bool:
        chat, topic = self._topic(params)
        self.world.delete_topic(chat, topic)
        self.changes.notify()
        return True

    # Commands and menu button

    async def set_my_commands(self, params: RequestParams) -> bool:
        commands = params.json("commands", "commands")
        if not isinstance(commands, list):
            raise errors.bad_request('field "commands" must be of type Array')
        if len(commands) > BOT_COMMANDS_MAX:
            raise errors.bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise errors.bad_request("can't parse BotCommand: expected an Object")
            if not BOT_COMMAND_PATTERN.fullmatch(str(command.get("command", ""))):
                raise errors.bad_request(errors.BOT_COMMAND_INVALID)
            description = str(command.get("description", ""))
            if not 1 <= len(description) <= BOT_COMMAND_DESCRIPTION_MAX_LENGTH:
                raise errors.bad_request(errors.BOT_COMMAND_DESCRIPTION_INVALID)
        stored = [
            {"command": command["command"], "description": command["description"]}
            for command in commands
        ]
        self.commands[self._commands_key(params)] = stored
        self.changes.notify()
        return True

    async def get_my_commands(self, params: RequestParams) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(params), [])

    async def delete_my_commands(self, params: RequestParams) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def set_chat_menu_button(self, params: RequestParams) -> bool:
        button = params.json("menu_button", "menu button") or DEFAULT_MENU_BUTTON
        if params.has("chat_id"):
            self._existing_chat(params).menu_button = button
        else:
            self.default_menu_button = button
        return True

    async def get_chat_menu_button(self, params: RequestParams) -> dict[str, Any]:
        if params.has("chat_id"):
            return self._existing_chat(params).menu_button or self.default_menu_button
        return self.default_menu_button

    # Files and session

    async def get_file(self, params: RequestParams) -> dict[str, Any]:
        stored = self.world.files.get(params.string("file_id") or "")
        if stored is None:
            raise errors.bad_request(errors.INVALID_FILE_ID)
        return stored.file_api()

    async def close(self, params: RequestParams) -> bool:
        return True

    async def log_out(self, params: RequestParams) -> bool:
        return True

    # Shared checks

    def _existing_chat(self, params: RequestParams) -> FakeChat:
        reference = params.raw("chat_id")
        if reference is None:
            raise errors.bad_request(errors.CHAT_ID_EMPTY)
        chat = self.world.find_chat(reference)
        if chat is None:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        return chat

    def _writable_chat(self, params: RequestParams) -> FakeChat:
        chat = self._existing_chat(params)
        if chat.is_private and chat.user is not None:
            if chat.user.has_blocked_bot:
                raise errors.forbidden(errors.BOT_BLOCKED)
            if not chat.user.has_started_bot:
                raise errors.forbidden(errors.BOT_CANT_INITIATE)
        elif not chat.is_private and not chat.status_of(self.world.bot).is_present:
            raise errors.forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _bot_is_admin(self, chat: FakeChat) -> bool:
        return chat.status_of(self.world.bot).is_admin

    def _user(self, user_id: int | None) -> FakeUser:
        if user_id == self.world.bot.id:
            return self.world.bot
        user = self.world.users.get(user_id) if user_id is not None else None
        if user is None:
            raise errors.bad_request(errors.USER_NOT_FOUND)
        return user

    def _message_text(self, params: RequestParams) -> FormattedText:
        raw = params.string("text")
        if raw is None:
            raise errors.bad_request(errors.MESSAGE_TEXT_EMPTY)
        formatted = format_text(
            raw,
            params.string("parse_mode"),
            params.json("entities"),
            reject_bare_ampersand=self.reject_bare_ampersand,
        )
        if not formatted.text:
            raise errors.bad_request(errors.TEXT_MUST_BE_NON_EMPTY)
        if len(formatted.text) > MESSAGE_TEXT_MAX_LENGTH:
            raise errors.bad_request(errors.MESSAGE_TOO_LONG)
        return formatted

    def _caption(
        self, raw: str | None, parse_mode: str | None, entities: Any
    ) -> FormattedText | None:
        if not raw:
            return None
        formatted = format_text(
            raw, parse_mode, entities, reject_bare_ampersand=self.reject_bare_ampersand
        )
        if len(formatted.text) > CAPTION_MAX_LENGTH:
            raise errors.bad_request(errors.CAPTION_TOO_LONG)
        return formatted if formatted.text else None

    def _reply_markup(self, params: RequestParams) -> dict[str, Any] | None:
        return validate_reply_markup(params.json("reply_markup", "reply keyboard markup"))

    def _reply_target(self, chat: FakeChat, params: RequestParams) -> StoredMessage | None:
        reply_parameters = params.json("reply_parameters", "reply parameters")
        if reply_parameters is not None:
            if not isinstance(reply_parameters, dict) or "message_id" not in reply_parameters:
                raise errors.bad_request('can\'t find field "message_id"')
            message_id = reply_parameters["message_id"]
            allow_without_reply = bool(reply_parameters.get("allow_sending_without_reply"))
            if self.world.find_chat(reply_parameters.get("chat_id", chat.id)) is not chat:
                raise errors.not_implemented_by_fake("replies to messages of other chats")
        else:
            message_id = params.integer("reply_to_message_id")
            allow_without_reply = params.boolean("allow_sending_without_reply")
        if message_id is None:
            return None
        target = chat.live_message(message_id)
        if target is None and not allow_without_reply:
            raise errors.bad_request(errors.MESSAGE_TO_REPLY_NOT_FOUND)
        return target

    def _thread_for(
        self, chat: FakeChat, params: RequestParams, reply_to: StoredMessage | None
    ) -> int | None:
        thread_id = params.integer("message_thread_id")
        if thread_id is None:
            # A reply goes where the replied-to message is, as in Telegram's apps.
            return reply_to.thread_id if reply_to is not None else None
        topic = chat.live_topic(thread_id) if chat.is_forum else None
        if topic is None:
            raise errors.bad_request(errors.THREAD_NOT_FOUND)
        if topic.is_closed and not self._bot_is_admin(chat):
            raise errors.bad_request(errors.TOPIC_CLOSED)
        return thread_id

    def _count_towards_flood_limit(self, chat: FakeChat, messages: int = 1) -> None:
        # Every limit is checked before any counts, so a refused call costs no budget.
        self.send_limits.check(chat.id, chat.is_private, messages)
        if not chat.is_private:
            self.flood_limit.check_and_count(chat.id, messages)
        self.send_limits.count(chat.id, chat.is_private, messages)

    def _store_captioned(
        self,
        chat: FakeChat,
        params: RequestParams,
        content_type: str,
        media: Any,
        caption: FormattedText | None,
    ) -> StoredMessage:
        return self._store_bot_message(
            chat,
            params,
            content_type,
            media=media,
            text=caption.text if caption else None,
            entities=caption.entities if caption else [],
            source_text=caption.source if caption else None,
        )

    def _store_bot_message(
        self,
        chat: FakeChat,
        params: RequestParams,
        content_type: str,
        *,
        allow_markup: bool = True,
        **content: Any,
    ) -> StoredMessage:
        markup = self._reply_markup(params) if allow_markup else None
        reply_to = self._reply_target(chat, params)
        thread_id = self._thread_for(chat, params, reply_to)
        self._count_towards_flood_limit(chat)
        message = self.world.add_message(
            chat,
            self.world.bot,
            content_type,
            reply_markup=markup,
            reply_to=reply_to,
            thread_id=thread_id,
            **content,
        )
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and "remove_keyboard" in markup:
            chat.reply_keyboard = None
        self.changes.notify()
        return message

    def _source_message(self, params: RequestParams, not_found: str) -> StoredMessage:
        reference = params.raw("from_chat_id")
        if reference is None:
            raise errors.bad_request('parameter "from_chat_id" is required')
        source_chat = self.world.find_chat(reference)
        if source_chat is None:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        source = source_chat.live_message(params.integer("message_id"))
        if source is None:
            raise errors.bad_request(not_found)
        return source

    def _message_to_edit(self, params: RequestParams) -> StoredMessage:
        if params.has("inline_message_id"):
            raise errors.not_implemented_by_fake("inline messages")
        chat = self._existing_chat(params)
        message = chat.live_message(params.integer("message_id"))
        if message is None:
            raise errors.bad_request(errors.MESSAGE_TO_EDIT_NOT_FOUND)
        if not message.sent_by_bot or message.is_service:
            raise errors.bad_request(errors.MESSAGE_CANT_BE_EDITED)
        return message

    def _apply_edit(
        self,
        message: StoredMessage,
        text: str | None,
        entities: list[dict[str, Any]],
        source_text: str | None,
        markup: dict[str, Any] | None,
    ) -> None:
        """Replace the content; an edit without an inline keyboard removes the old one."""
        current = message.reply_markup
        if markup is None and current is not None and "inline_keyboard" not in current:
            # A reply keyboard sent with the message is not part of it: edits leave it alone.
            markup = current
        if (text, entities, markup) == (message.text, message.entities, current):
            raise errors.bad_request(errors.MESSAGE_NOT_MODIFIED)
        message.history.append(message.current_version())
        message.text = text
        message.entities = entities
        message.source_text = source_text
        message.reply_markup = markup
        message.edit_date = now()
        self.changes.notify()

    def _photo(self, value: UploadedFile | str | None, name: str) -> list[StoredFile]:
        if value is None:
            raise errors.bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return self.world.store_photo(value.content, *DEFAULT_PHOTO_SIZE)
        if _is_url(value):
            return self.world.store_photo(b"", *DEFAULT_PHOTO_SIZE)
        sizes = self.world.photos.get(value)
        if sizes is None:
            raise errors.bad_request(
                errors.FILE_TYPE_MISMATCH
                if value in self.world.files
                else errors.WRONG_FILE_IDENTIFIER
            )
        return sizes

    def _document(self, value: UploadedFile | str | None, name: str) -> StoredFile:
        if value is None:
            raise errors.bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return self.world.store_document(value.filename, value.content)
        if _is_url(value):
            return self.world.store_document(value.rstrip("/").rsplit("/", 1)[-1] or "file", b"")
        stored = self.world.files.get(value)
        if stored is None:
            raise errors.bad_request(errors.WRONG_FILE_IDENTIFIER)
        if stored.kind != "document":
            raise errors.bad_request(errors.FILE_TYPE_MISMATCH)
        return stored

    def _forum(self, params: RequestParams) -> FakeChat:
        chat = self._existing_chat(params)
        if not chat.is_forum:
            raise errors.bad_request(errors.CHAT_NOT_FORUM)
        if not self._bot_is_admin(chat):
            raise errors.bad_request(errors.NOT_ENOUGH_RIGHTS_FOR_TOPICS)
        return chat

    def _topic(self, params: RequestParams) -> tuple[FakeChat, ForumTopic]:
        chat = self._forum(params)
        topic = chat.live_topic(params.integer("message_thread_id") or 0)
        if topic is None:
            raise errors.bad_request(errors.THREAD_NOT_FOUND)
        return chat, topic

    def _topic_service_message(
        self, chat: FakeChat, topic: ForumTopic, service: dict[str, Any]
    ) -> None:
        self.world.add_message(
            chat, self.world.bot, "service", service=service, thread_id=topic.thread_id
        )
        self.changes.notify()

    def _commands_key(self, params: RequestParams) -> tuple[str, str]:
        return commands_key(
            params.json("scope", "bot command scope"), params.string("language_code")
        )


def commands_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    """Telegram keeps a separate command list per scope and language, with no fallback."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))

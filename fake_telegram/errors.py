"""Bot API error answers, with the descriptions the real Telegram server uses.

The descriptions matter: bots (and aiogram's exception classes) branch on the HTTP status and on
the description text, so a fake that words an error differently tests the wrong branch.
"""

from __future__ import annotations

from typing import Any


class TelegramApiError(Exception):
    """An error answer of the Bot API, rendered in Telegram's JSON shape."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def response_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> TelegramApiError:
    return TelegramApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> TelegramApiError:
    return TelegramApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def unauthorized() -> TelegramApiError:
    return TelegramApiError(401, "Unauthorized")


def method_not_found() -> TelegramApiError:
    return TelegramApiError(404, "Not Found: method not found")


def not_implemented_by_fake(what: str) -> TelegramApiError:
    """A real Bot API feature this fake does not emulate.

    Answered with a 5xx status so that it can never be mistaken for a Telegram rule the bot broke.
    """
    return TelegramApiError(
        501, f"Not Implemented: the fake Telegram server does not support {what}"
    )


def polling_conflict() -> TelegramApiError:
    return TelegramApiError(
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )


def webhook_conflict() -> TelegramApiError:
    return TelegramApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )


def default_description(error_code: int, retry_after: int | None) -> str:
    """The description Telegram most often pairs with a status, for injected faults."""
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after}"
    descriptions = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: polling_conflict().description,
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return descriptions.get(error_code, "Internal Server Error")


MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_CANT_BE_EDITED = "message can't be edited"
MESSAGE_TO_DELETE_NOT_FOUND = "message to delete not found"
MESSAGE_CANT_BE_DELETED = "message can't be deleted"
MESSAGE_TO_COPY_NOT_FOUND = "message to copy not found"
MESSAGE_CANT_BE_COPIED = "message can't be copied"
MESSAGE_TO_FORWARD_NOT_FOUND = "message to forward not found"
MESSAGE_TO_REPLY_NOT_FOUND = "message to be replied not found"
MESSAGE_TO_PIN_NOT_FOUND = "message to pin not found"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "there is no caption in the message to edit"
MESSAGE_TEXT_EMPTY = "message text is empty"
TEXT_MUST_BE_NON_EMPTY = "text must be non-empty"
MESSAGE_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
UNSUPPORTED_PARSE_MODE = "unsupported parse_mode"
CHAT_ID_EMPTY = "chat_id is empty"
CHAT_NOT_FOUND = "chat not found"
USER_NOT_FOUND = "user not found"
THREAD_NOT_FOUND = "message thread not found"
TOPIC_CLOSED = "TOPIC_CLOSED"
TOPIC_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"
CHAT_NOT_FORUM = "the chat is not a forum"
NOT_ENOUGH_RIGHTS_FOR_TOPICS = "not enough rights to create a topic"
NOT_ENOUGH_RIGHTS_TO_PIN = "not enough rights to manage pinned messages in the chat"
NO_ADMINISTRATORS_IN_PRIVATE_CHAT = "there are no administrators in the private chat"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
TEXT_BUTTONS_UNALLOWED = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WRONG_CHAT_ACTION = "wrong parameter action in request"
INVALID_FILE_ID = "invalid file_id"
WRONG_FILE_IDENTIFIER = "wrong file identifier/HTTP URL specified"
FILE_TYPE_MISMATCH = "type of file mismatch"
NO_MESSAGES_TO_SEND = "there are no messages to send"
TOO_MANY_ALBUM_MESSAGES = "too many messages to send as an album"
DOCUMENT_MIXED_IN_ALBUM = "document can't be mixed with other media types"
BOT_COMMAND_INVALID = "BOT_COMMAND_INVALID"
BOT_COMMAND_DESCRIPTION_INVALID = "BOT_COMMAND_DESCRIPTION_INVALID"
BOT_BLOCKED = "bot was blocked by the user"
BOT_CANT_INITIATE = "bot can't initiate conversation with a user"

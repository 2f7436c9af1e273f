"""Validation of ``reply_markup`` the way Telegram validates it, with Telegram's error texts."""

from __future__ import annotations

import re
from typing import Any

from . import errors

INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CALLBACK_DATA_MAX_BYTES = 64
COPY_TEXT_MAX_LENGTH = 256
REPLY_KEYBOARD_FLAGS = ("resize_keyboard", "one_time_keyboard", "is_persistent", "selective")
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "tg", "ton"})
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
HOST_NAME = re.compile(r"^(?:[\w-]+\.)+[\w-]{2,}$|^localhost$|^\d{1,3}(?:\.\d{1,3}){3}$")


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise errors.bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _validate_reply_keyboard(markup)
    elif "remove_keyboard" in markup:
        _require_boolean(markup, "remove_keyboard")
    elif "force_reply" in markup:
        _require_boolean(markup, "force_reply")
    else:
        raise errors.bad_request("can't parse reply keyboard markup JSON object")
    return markup


def url_problem(url: str) -> str | None:
    """Why Telegram refuses a button URL, or None when it accepts it."""
    scheme_match = URL_SCHEME.match(url)
    scheme = scheme_match.group(1).lower() if scheme_match else "http"
    if scheme not in ALLOWED_URL_SCHEMES:
        return "Unsupported URL protocol"
    if scheme in {"tg", "ton"}:
        return None
    rest = url[scheme_match.end() :] if scheme_match else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return None if HOST_NAME.match(host) else "Wrong HTTP URL"


def _validate_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise errors.bad_request('field "inline_keyboard" must be of type Array')
    for button in (button for row in rows for button in row):
        _validate_inline_button(button)


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise errors.bad_request("can't parse inline keyboard button: expected an Object")
    if "text" not in button:
        raise errors.bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    if not isinstance(button["text"], str):
        raise errors.bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    # Telegram treats an empty string as an absent field, so "" callback_data is no action.
    actions = [name for name in INLINE_BUTTON_ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise errors.bad_request(errors.TEXT_BUTTONS_UNALLOWED)
    callback_data = button.get("callback_data")
    if callback_data and len(str(callback_data).encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
        raise errors.bad_request(errors.BUTTON_DATA_INVALID)
    if button.get("url"):
        problem = url_problem(button["url"])
        if problem:
            raise errors.bad_request(
                f"inline keyboard button URL '{button['url']}' is invalid: {problem}"
            )
    web_app_url = (button.get("web_app") or {}).get("url")
    if web_app_url is not None and not str(web_app_url).startswith("https://"):
        raise errors.bad_request(
            f"inline keyboard button Web App URL '{web_app_url}' is invalid: "
            "Only HTTPS links are allowed"
        )
    if "copy_text" in actions:
        copied = (button["copy_text"] or {}).get("text") or ""
        if not 1 <= len(copied) <= COPY_TEXT_MAX_LENGTH:
            raise errors.bad_request("BUTTON_COPY_TEXT_INVALID")
    if "pay" in actions or "callback_game" in actions:
        # Valid only on invoices and games, which this bot does not send.
        raise errors.bad_request("BUTTON_TYPE_INVALID")


def _validate_reply_keyboard(markup: dict[str, Any]) -> None:
    rows = markup["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise errors.bad_request('field "keyboard" must be of type Array')
    for button in (button for row in rows for button in row):
        if isinstance(button, str):
            continue
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise errors.bad_request("can't parse keyboard button: Can't find field \"text\"")
        for flag in ("request_contact", "request_location"):
            if flag in button and not isinstance(button[flag], bool):
                raise errors.bad_request(
                    f'can\'t parse keyboard button: Field "{flag}" must be of type Boolean'
                )
    for flag in REPLY_KEYBOARD_FLAGS:
        if flag in markup:
            _require_boolean(markup, flag)


def _require_boolean(markup: dict[str, Any], name: str) -> None:
    if not isinstance(markup[name], bool):
        raise errors.bad_request(f'field "{name}" must be of type Boolean')

"""Outbox payloads: a Bot API send method and its parameters, without the chat.

The sender adds the chat, the forum topic or the reply to the card when it
delivers, because the topic may have to be (re)created by then. A text too
long for one message is split; a caption too long for a photo follows it as
text. The outbox rows hold a message's kind and values
(:mod:`bot.services.messages`); :mod:`bot.rendering.outbox` turns them into
these payloads when it sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.domain.templating import Safe
from bot.domain.text_split import CAPTION_LIMIT, split_html, visible_length
from bot.services.relay import Content

SEND_METHOD = {"text": "sendMessage", "photo": "sendPhoto", "document": "sendDocument"}


def payload(
    method: str,
    params: dict[str, Any],
    *,
    reply_to: int | None = None,
    reply_to_event: int | None = None,
) -> dict[str, Any]:
    """``reply_to``: a message id in the target chat; ``reply_to_event``: reply to the
    copy an earlier event produced (known only once that event is delivered)."""
    data: dict[str, Any] = {"method": method, "params": params}
    if reply_to is not None:
        data["reply_to"] = reply_to
    if reply_to_event is not None:
        data["reply_to_event"] = reply_to_event
    return data


def markup_json(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return None if markup is None else markup.model_dump(mode="json", exclude_none=True)


def send_payloads(
    content: Content,
    with_text: Callable[[Safe], str],
    bare: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    reply_to_event: int | None = None,
) -> list[dict[str, Any]]:
    """Payloads relaying ``content`` under a header: ``with_text(html)`` or ``bare``.

    The reply goes on the first message, the buttons on the last.
    """
    items: list[tuple[str, dict[str, Any]]] = []
    if content.kind == "text":
        items += [
            ("sendMessage", {"text": piece}) for piece in split_html(with_text(Safe(content.html)))
        ]
    else:
        caption = with_text(Safe(content.html)) if content.html else bare
        media_key = content.kind
        if visible_length(caption) <= CAPTION_LIMIT:
            items.append(
                (SEND_METHOD[content.kind], {media_key: content.file_id, "caption": caption})
            )
        else:
            items.append((SEND_METHOD[content.kind], {media_key: content.file_id, "caption": bare}))
            items += [
                ("sendMessage", {"text": piece})
                for piece in split_html(with_text(Safe(content.html)))
            ]
    if markup is not None:
        items[-1][1]["reply_markup"] = markup_json(markup)
    result = []
    for index, (method, params) in enumerate(items):
        first = index == 0
        result.append(
            payload(
                method,
                params,
                reply_to=reply_to if first else None,
                reply_to_event=reply_to_event if first else None,
            )
        )
    return result


def text_payloads(
    html_text: str, markup: InlineKeyboardMarkup | None = None, reply_to: int | None = None
) -> list[dict[str, Any]]:
    pieces = split_html(html_text)
    result = []
    for index, piece in enumerate(pieces):
        params: dict[str, Any] = {"text": piece}
        if markup is not None and index == len(pieces) - 1:
            params["reply_markup"] = markup_json(markup)
        result.append(payload("sendMessage", params, reply_to=reply_to if index == 0 else None))
    return result


def attachment_payloads(attachments: list[dict[str, str]], caption: str) -> list[dict[str, Any]]:
    """Photos as albums, documents as albums (Telegram does not mix them), up to 10 each.

    ``attachments``: their ``kind`` ("photo" or "document") and ``file_id``."""
    result: list[dict[str, Any]] = []
    for kind in ("photo", "document"):
        items = [item for item in attachments if item["kind"] == kind]
        for start in range(0, len(items), 10):
            chunk = items[start : start + 10]
            if len(chunk) == 1:
                result.append(
                    payload(SEND_METHOD[kind], {kind: chunk[0]["file_id"], "caption": caption})
                )
                continue
            media = [{"type": kind, "media": item["file_id"]} for item in chunk]
            media[0]["caption"] = caption
            result.append(payload("sendMediaGroup", {"media": media}))
    return result

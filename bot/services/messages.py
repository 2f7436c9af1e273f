"""What the bot tells citizens and operators, as the outbox keeps it: a kind and its values.

The services decide what is said (``deferred``); the words, the buttons and
the splitting into Telegram messages are chosen when the row is sent, by
:mod:`bot.rendering.outbox` (through the sender's ``OperatorCards``), from
the catalog of that moment. Values are JSON: numbers, strings, moments as
ISO 8601, a relayed message's content as :meth:`Content.as_payload`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class MessageKind(StrEnum):
    # To the citizen.
    TAKEN = "taken"  # number
    CLOSED = "closed"  # number, resolution (or null)
    ANSWER = "answer"  # number, content, status_changed (the first answer: «дан ответ»)
    ANSWER_EDITED = "answer_edited"  # number, content, was_text (an edit row)
    AUTO_CLOSED = "auto_closed"  # number, days, until
    CALL_DONE = "call_done"  # number, result
    CALL_NOT_REACHED = "call_not_reached"  # number, start, phone (E.164)
    # To the operators.
    FROM_CITIZEN = "from_citizen"  # number, content
    CITIZEN_COMMENT = "citizen_comment"  # number, content
    CITIZEN_EDITED = "citizen_edited"  # number, content
    ATTACHMENTS = "attachments"  # number, attachments: [{kind, file_id}]
    REOPENED = "reopened"  # number
    CALL_MOVED = "call_moved"  # number, before, after
    CALL_REBOOKED = "call_rebooked"  # number, start
    CALL_CANCELLED = "call_cancelled"  # number, start
    CARD_MOVED = "card_moved"  # number, desk, name (the card left in the desk it moved from)


MESSAGE = "message"  # the payload key of a row rendered when sent; older rows hold "method"


def deferred(
    kind: MessageKind,
    values: dict[str, Any],
    *,
    reply_to: int | None = None,
    reply_to_event: int | None = None,
) -> dict[str, Any]:
    """An outbox payload to render when sent. ``reply_to``: a message id in the target chat;
    ``reply_to_event``: the copy an earlier event produced (known once that is delivered)."""
    data: dict[str, Any] = {MESSAGE: kind.value, "values": values}
    if reply_to is not None:
        data["reply_to"] = reply_to
    if reply_to_event is not None:
        data["reply_to_event"] = reply_to_event
    return data

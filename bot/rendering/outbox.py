"""The outbox's messages rendered when they are sent: what the sender's ``OperatorCards`` does.

A row holds a message's kind and values (:mod:`bot.services.messages`); its
words, buttons and splitting come from :mod:`bot.rendering.citizen` and
:mod:`bot.rendering.operators` at delivery. Rows queued before kinds existed
hold the payload already rendered and are sent as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.rendering import citizen, operators
from bot.rendering.operators import OperatorCardRendering
from bot.services.messages import MESSAGE, MessageKind

Renderer = Callable[[dict[str, Any], ZoneInfo], list[dict[str, Any]]]

RENDERERS: dict[MessageKind, Renderer] = {
    MessageKind.TAKEN: citizen.taken_notice,
    MessageKind.CLOSED: citizen.closed_notice,
    MessageKind.ANSWER: citizen.operator_answer,
    MessageKind.ANSWER_EDITED: citizen.edited_answer_anew,
    MessageKind.AUTO_CLOSED: citizen.auto_closed_notice,
    MessageKind.CALL_DONE: citizen.call_done_notice,
    MessageKind.CALL_NOT_REACHED: citizen.call_not_reached_notice,
    MessageKind.FROM_CITIZEN: operators.citizen_message(MessageKind.FROM_CITIZEN),
    MessageKind.CITIZEN_COMMENT: operators.citizen_message(MessageKind.CITIZEN_COMMENT),
    MessageKind.CITIZEN_EDITED: operators.citizen_edited,
    MessageKind.ATTACHMENTS: operators.attachments,
    MessageKind.REOPENED: operators.reopened,
    MessageKind.CALL_MOVED: operators.call_moved,
    MessageKind.CALL_REBOOKED: operators.call_rebooked,
    MessageKind.CALL_CANCELLED: operators.call_cancelled,
    MessageKind.CARD_MOVED: operators.card_moved,
}


class OutboxRendering(OperatorCardRendering):
    """Cards and topics (as :class:`OperatorCardRendering`) and every other outbox message."""

    def messages(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """The payloads to send for a row, in order: the reply goes on the first."""
        if MESSAGE not in payload:
            return [payload]  # rendered when it was queued
        rendered = RENDERERS[MessageKind(payload[MESSAGE])](payload["values"], self._zone)
        first = rendered[0]
        for key in ("reply_to", "reply_to_event"):
            if payload.get(key) is not None:
                first[key] = payload[key]
        return rendered

    def edit(self, payload: dict[str, Any]) -> dict[str, Any]:
        """An edit row's ``method`` and ``params`` (none when the copy cannot take the new
        content) and its ``fallback``: the payloads to send instead."""
        if MESSAGE not in payload:
            return payload
        edit = citizen.edited_answer(payload["values"])
        result: dict[str, Any] = {"fallback": self.messages(payload)}
        if edit is not None:
            result["method"], result["params"] = edit
        return result

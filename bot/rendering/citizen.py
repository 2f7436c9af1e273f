"""How appeals look to citizens: rendered HTML built from storage models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.models import (
    ERASED_VALUE,
    Appeal,
    AppealMessage,
    AppealStatus,
    CallStatus,
    EventKind,
)
from bot.domain.text_split import CAPTION_LIMIT, MESSAGE_LIMIT, visible_length
from bot.domain.validators import Moment, format_phone
from bot.keyboards import call_booking as call_keyboards
from bot.keyboards import conversation as conversation_keyboards
from bot.rendering.payloads import markup_json, send_payloads, text_payloads
from bot.services.relay import Content
from bot.texts import Safe, common, join_lines, plain, render
from bot.texts import call_booking as call_texts
from bot.texts import conversation as conversation_texts
from bot.texts import my_appeals as my_texts
from bot.texts import recovery as recovery_texts


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def call_when(start: datetime, zone: ZoneInfo) -> str:
    """``24.11.2026 (вт) в 10:00``, local time."""
    local = start.astimezone(zone)
    weekday = conversation_texts.WEEKDAYS_SHORT[local.weekday()]
    return f"{local:%d.%m.%Y} ({weekday}) в {local:%H:%M}"


def day_label(day: date, today: date) -> str:
    """``Сегодня, 23.11``, ``Завтра, 24.11``, ``ср, 25.11`` (plain text, for buttons)."""
    shown = f"{day:%d.%m}"
    if day == today:
        return call_texts.BUTTON_TODAY.format(date=shown)
    if day == today + timedelta(days=1):
        return call_texts.BUTTON_TOMORROW.format(date=shown)
    return call_texts.BUTTON_DAY.format(
        weekday=conversation_texts.WEEKDAYS_SHORT[day.weekday()], date=shown
    )


def day_in_sentence(day: date, today: date) -> str:
    """``сегодня, 23.11``, ``завтра, 24.11``, ``25.11 (ср)``: after «на» mid-sentence."""
    shown = f"{day:%d.%m}"
    if day == today:
        return call_texts.DAY_TODAY.format(date=shown)
    if day == today + timedelta(days=1):
        return call_texts.DAY_TOMORROW.format(date=shown)
    return call_texts.DAY_OTHER.format(
        date=shown, weekday=conversation_texts.WEEKDAYS_SHORT[day.weekday()]
    )


def zone_name(zone: ZoneInfo) -> str:
    """``по московскому времени``, or the zone's key."""
    return conversation_texts.ZONE_NAMES.get(zone.key, zone.key)


def call_lines(appeal: Appeal, zone: ZoneInfo) -> list[str]:
    """The call of a callback appeal, as the citizen sees it."""
    call = appeal.call
    if call is None:
        return []
    status = (
        call_texts.CALL_CLOSED_STATUS
        if appeal.call_abandoned
        else call_texts.CALL_STATUS_NAMES[call.status]
    )
    lines = [
        render(
            call_texts.CALL_LINE,
            when=call_when(call.start, zone),
            zone=zone_name(zone),
            status=status,
        )
    ]
    if call.result:
        lines.append(render(call_texts.CALL_RESULT_LINE, result=call.result))
    return lines


def _moments(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    return ", ".join(Moment.from_iso(item).display() for item in items)


# How a stored field value is shown; the default is the value as text.
_FIELD_DISPLAY: dict[str, Callable[[Any], str]] = {
    "occurred_at": _moments,
    "attempts": _moments,
    "caller_phone": format_phone,
    "callback_phone": format_phone,
    "contact": lambda value: format_phone(value) if str(value).startswith("+") else str(value),
    "cause": lambda value: recovery_texts.CAUSE_NAMES.get(value, str(value)),
}


def field_value(name: str, value: Any) -> str:
    if value is None:
        return common.FIELD_NOT_GIVEN_AS.get(name, common.FIELD_NOT_GIVEN)
    if value == ERASED_VALUE:
        return value
    return _FIELD_DISPLAY.get(name, str)(value)


def field_lines(fields: dict[str, Any], template: str = my_texts.DETAILS_FIELD) -> list[str]:
    return [
        render(template, name=common.FIELD_NAMES.get(name, name), value=field_value(name, value))
        for name, value in fields.items()
    ]


def appeal_details(appeal: Appeal, history: list[AppealMessage], zone: ZoneInfo) -> str:
    lines = field_lines(appeal.fields) + call_lines(appeal, zone)
    if appeal.attachments:
        lines.append(render(my_texts.DETAILS_ATTACHMENTS, count=len(appeal.attachments)))
    if appeal.resolution:  # the operator's result of a closed appeal
        lines.append(render(my_texts.DETAILS_RESULT, resolution=appeal.resolution))
    text = render(
        my_texts.DETAILS,
        number=appeal.number,
        type=common.APPEAL_TYPE_NAMES[appeal.type],
        status=common.STATUS_NAMES[appeal.status],
        created=local_time(appeal.created_at, zone),
        fields=join_lines(lines),
    )
    if history:
        entries = [
            render(
                my_texts.HISTORY_ITEM,
                when=local_time(item.created_at, zone),
                author=my_texts.AUTHOR_NAMES[item.author],
                text=item.text,
            )
            for item in history
        ]
        text += my_texts.HISTORY_HEADER + "\n" + join_lines(entries)
    return text


def appeal_list_item(appeal: Appeal, zone: ZoneInfo) -> str:
    item = render(
        my_texts.LIST_ITEM,
        number=appeal.number,
        type=common.APPEAL_TYPE_NAMES[appeal.type],
        status=common.STATUS_NAMES[appeal.status],
        date=appeal.created_at.astimezone(zone).strftime("%d.%m.%Y"),
    )
    call = appeal.call
    if appeal.is_open and call is not None and call.status == CallStatus.SCHEDULED:
        item += render(call_texts.LIST_CALL, when=call_when(call.start, zone))
    return item


def appeal_filed(appeal: Appeal, off_hours_note: str | None = None) -> str:
    """The receipt; outside working hours, also when an operator will answer."""
    text = render(
        common.APPEAL_FILED,
        number=appeal.number,
        type=common.APPEAL_TYPE_NAMES[appeal.type],
    )
    return text if off_hours_note is None else f"{text}\n\n{off_hours_note}"


# --- outbox messages to the citizen, rendered when sent (bot.services.messages) -----------

Payloads = list[dict[str, Any]]


def taken_notice(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    number = values["number"]
    return text_payloads(
        render(conversation_texts.TAKEN, number=number), conversation_keyboards.reply_button(number)
    )


def closed_notice(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    number, resolution = values["number"], values.get("resolution")
    lines = [render(conversation_texts.CLOSED, number=number)]
    if resolution:
        lines.append(render(conversation_texts.CLOSED_RESOLUTION, resolution=resolution))
    lines += ["", conversation_texts.ASK_RATING]
    return text_payloads("\n".join(lines), conversation_keyboards.rating(number))


def operator_answer(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    """The operator's message relayed; the first answer also says the new status."""
    number = values["number"]
    status_line = ""
    if values.get("status_changed"):
        status_line = "\n\n" + render(
            conversation_texts.STATUS_LINE, status=common.STATUS_NAMES[AppealStatus.ANSWERED]
        )
    return send_payloads(
        Content.from_payload(values["content"]),
        lambda html: render(conversation_texts.ANSWER, number=number, text=html) + status_line,
        render(conversation_texts.ANSWER_NO_TEXT, number=number) + status_line,
        markup=conversation_keyboards.reply_button(number),
    )


def edited_answer(values: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The edit of the citizen's copy of an answer (method, parameters); None when the new
    content cannot replace the copy's (text for a caption or back, or too long for it)."""
    number = values["number"]
    content = Content.from_payload(values["content"])
    was_text = bool(values.get("was_text", True))
    new_text = render(conversation_texts.ANSWER, number=number, text=Safe(content.html))
    limit = MESSAGE_LIMIT if was_text else CAPTION_LIMIT
    if was_text != (content.kind == "text") or visible_length(new_text) > limit:
        return None
    markup = markup_json(conversation_keyboards.reply_button(number))
    if was_text:
        return "editMessageText", {"text": new_text, "reply_markup": markup}
    return "editMessageCaption", {"caption": new_text, "reply_markup": markup}


def edited_answer_anew(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    """The edited answer sent as a new message, when the copy cannot be edited."""
    number = values["number"]
    return send_payloads(
        Content.from_payload(values["content"]),
        lambda html: render(conversation_texts.ANSWER_EDITED, number=number, text=html),
        render(conversation_texts.ANSWER_NO_TEXT, number=number),
        markup=conversation_keyboards.reply_button(number),
    )


def auto_closed_notice(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    number = values["number"]
    until = datetime.fromisoformat(values["until"]).astimezone(zone)
    return text_payloads(
        render(
            conversation_texts.AUTO_CLOSED,
            number=number,
            days=values["days"],
            until=f"{until:%d.%m.%Y}",
        ),
        conversation_keyboards.reopen(number),
    )


def call_done_notice(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    number = values["number"]
    return text_payloads(
        render(call_texts.NOTICE_DONE, number=number, result=values["result"]),
        call_keyboards.done_notice(number),
    )


def call_not_reached_notice(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    number = values["number"]
    return text_payloads(
        render(
            call_texts.NOTICE_NOT_REACHED,
            number=number,
            when=call_when(datetime.fromisoformat(values["start"]), zone),
            phone=format_phone(values["phone"]),
        ),
        call_keyboards.not_reached_notice(number),
    )


_CALL_HISTORY = {
    EventKind.CALL_SCHEDULED: call_texts.HISTORY_SCHEDULED,
    EventKind.CALL_MOVED: call_texts.HISTORY_MOVED,
    EventKind.CALL_CANCELLED: call_texts.HISTORY_CANCELLED,
    EventKind.CALL_CONFIRMED: call_texts.HISTORY_CONFIRMED,
    EventKind.CALL_DONE: call_texts.HISTORY_DONE,
    EventKind.CALL_NOT_REACHED: call_texts.HISTORY_NOT_REACHED,
}


class CallWordingRendering:
    """:class:`bot.services.call_booking.CallWording`: the call's time and history lines."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone

    def when(self, start: datetime) -> str:
        return call_when(start, self._zone)

    def history(self, kind: EventKind, *, when: str = "", result: str = "") -> str:
        return plain(_CALL_HISTORY[kind], when=when, result=result)

    def cancelled_resolution(self) -> str:
        return call_texts.RESOLUTION_CANCELLED

"""How appeals look to citizens: rendered HTML built from storage models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.models import ERASED_VALUE, Appeal, AppealMessage, CallStatus
from bot.domain.validators import Moment, format_phone
from bot.texts import call_booking as call_texts
from bot.texts import common, join_lines, render
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

"""How appeals look to operators (cards, lists, statistics) and working-hours notes.

Rendered HTML built from storage models; every value passes through
:func:`bot.texts.render`, which escapes it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup

from bot.domain.deadlines import AppealDeadlines, Deadline, DeadlineKind, DeadlineState
from bot.domain.masking import (
    has_personal_data,
    mask_contact,
    mask_name,
    mask_personal_data,
    mask_phone,
    mask_snils,
)
from bot.domain.models import (
    ERASED_VALUE,
    Appeal,
    AppealEvent,
    AppealStatus,
    CallStatus,
    CitizenFlags,
    DeskStats,
    EventKind,
    MessageAuthor,
    OperatorShift,
    ReplyTemplate,
)
from bot.domain.slots import SlotPolicy, is_overdue
from bot.domain.text_split import MESSAGE_LIMIT, visible_length
from bot.domain.working_hours import WorkingHours
from bot.keyboards.operators import card as card_keyboard
from bot.rendering.citizen import call_when, field_value, local_time
from bot.rendering.payloads import attachment_payloads, send_payloads, text_payloads
from bot.services.messages import MessageKind
from bot.services.relay import Content
from bot.texts import Safe, join_lines, plain, render
from bot.texts import call_booking as call_texts
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts
from bot.texts import operators as t

# Fields holding personal data: shown masked on cards, in full only on "Показать данные".
MASKED_FIELDS: dict[str, Callable[[str], str]] = {
    "full_name": mask_name,
    "snils": mask_snils,
    "contact": mask_contact,
    "caller_phone": mask_phone,
    "callback_phone": mask_phone,
}
# Fields the bot filled in or checked (dates, a portal application number, a chosen
# cause): shown as they are. Every other field is free text, where a citizen may have
# typed a phone, a passport or a card number: masked wherever it is found.
STRUCTURED_FIELDS = frozenset({"occurred_at", "attempts", "application_number", "cause"})
# Events whose text is what the citizen wrote to the operators.
_CITIZEN_TEXTS = frozenset({EventKind.CITIZEN_MESSAGE, EventKind.CITIZEN_EDIT})
_CARD_BUDGET = MESSAGE_LIMIT - 96  # room left for Telegram's own counting quirks
_MIN_FIELD = 200


def shown_field(name: str, value: object) -> str:
    """A field as operators see it: personal data masked, an erased value as «удалено»."""
    if value is None or value == ERASED_VALUE:
        return field_value(name, value)
    if name in MASKED_FIELDS and value:
        return MASKED_FIELDS[name](str(value))
    shown = field_value(name, value)
    return shown if name in STRUCTURED_FIELDS else mask_personal_data(shown)


def hidden_data(appeal: Appeal, events: Sequence[AppealEvent] = ()) -> list[tuple[str, str]]:
    """What the card and the relayed messages mask, in full: (label, value) pairs."""
    found = []
    for name, value in appeal.fields.items():
        if value == ERASED_VALUE or not value:
            continue
        full = field_value(name, value)
        if name in MASKED_FIELDS or (name not in STRUCTURED_FIELDS and has_personal_data(full)):
            found.append((common_texts.FIELD_NAMES.get(name, name), full))
    extras = [
        (t.REVEAL_RESOLUTION, appeal.resolution),
        (t.REVEAL_RATING_COMMENT, appeal.rating_comment),
        (t.REVEAL_CALL_RESULT, appeal.call.result if appeal.call else None),
    ]
    extras += [(t.REVEAL_MESSAGE, event.text) for event in events if event.kind in _CITIZEN_TEXTS]
    found += [(label, text) for label, text in extras if text and has_personal_data(text)]
    return found


def has_hidden_data(appeal: Appeal, events: Sequence[AppealEvent] = ()) -> bool:
    return bool(hidden_data(appeal, events))


class OperatorCardRendering:
    """The card (text and buttons) and the topic's name, for the outbox sender."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone

    def topic_title(self, appeal: Appeal) -> str:
        return topic_title(appeal)

    def card(
        self,
        appeal: Appeal,
        flags: CitizenFlags,
        events: Sequence[AppealEvent],
        *,
        forum: bool,
        deadlines: AppealDeadlines | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        text = card_text(appeal, flags, self._zone, forum=forum, deadlines=deadlines)
        return text, card_keyboard(appeal, has_hidden_data=has_hidden_data(appeal, events))


def card_text(
    appeal: Appeal,
    flags: CitizenFlags,
    zone: ZoneInfo,
    *,
    forum: bool,
    deadlines: AppealDeadlines | None = None,
) -> str:
    """The card: one message, so that it can be edited; long fields are shortened to fit.

    ``deadlines``: the appeal's deadlines at the moment of rendering, with time left."""
    values = {name: shown_field(name, value) for name, value in appeal.fields.items()}
    extra = deadline_lines(deadlines, zone) if deadlines is not None else []
    text = _card(appeal, flags, zone, values, forum, extra)
    while visible_length(text) > _CARD_BUDGET:
        longest = max(values, key=lambda name: len(values[name]))
        if len(values[longest]) <= _MIN_FIELD:
            break
        excess = visible_length(text) - _CARD_BUDGET
        values[longest] = values[longest][: max(_MIN_FIELD, len(values[longest]) - excess - 1)]
        values[longest] += "…"
        text = _card(appeal, flags, zone, values, forum, extra)
    return text


def _card(
    appeal: Appeal,
    flags: CitizenFlags,
    zone: ZoneInfo,
    values: dict[str, str],
    forum: bool,
    extra: list[str],
) -> str:
    lines = [
        render(t.CARD_TITLE, icon=t.STATUS_ICONS[appeal.status], number=appeal.number),
        render(t.CARD_TYPE, type=common_texts.APPEAL_TYPE_NAMES[appeal.type]),
        render(t.CARD_STATUS, status=common_texts.STATUS_NAMES[appeal.status]),
        render(t.CARD_FILED, created=local_time(appeal.created_at, zone)),
    ]
    if appeal.assignee_name:
        lines.append(render(t.CARD_ASSIGNEE, name=appeal.assignee_name))
    if appeal.desk:
        lines.append(render(t.CARD_DESK, desk=appeal.desk))
    lines += extra
    lines.append("")
    lines += [
        render(t.CARD_FIELD, name=common_texts.FIELD_NAMES.get(name, name), value=value)
        for name, value in values.items()
    ]
    if appeal.attachments:
        lines.append(render(t.CARD_ATTACHMENTS, count=len(appeal.attachments)))
    lines += _call_lines(appeal, zone)
    footer = []
    if appeal.erasure is not None:
        footer.append(t.CARD_ERASED[appeal.erasure])
    if appeal.resolution:
        footer.append(render(t.CARD_RESOLUTION, resolution=mask_personal_data(appeal.resolution)))
    if appeal.rating:
        footer.append(
            render(
                t.CARD_RATING,
                stars="★" * appeal.rating + "☆" * (5 - appeal.rating),
                score=appeal.rating,
            )
        )
        if appeal.rating_comment:
            footer.append(
                render(t.CARD_RATING_COMMENT, comment=mask_personal_data(appeal.rating_comment))
            )
    if flags.banned:
        footer.append(t.CARD_BANNED)
    if flags.bot_blocked:
        footer.append(t.CARD_BOT_BLOCKED)
    if appeal.is_open:
        footer.append(render(t.CARD_HINT, where=Safe(t.CARD_HINT_TOPIC if forum else "")))
    if footer:
        lines += ["", *footer]
    return "\n".join(lines)


def _call_lines(appeal: Appeal, zone: ZoneInfo) -> list[str]:
    call = appeal.call
    if call is None:
        return []
    status = (
        call_texts.CARD_CLOSED_STATUS
        if appeal.call_abandoned
        else call_texts.CARD_STATUS_NAMES[call.status]
    )
    lines = [
        render(
            call_texts.CARD_CALL,
            when=call_when(call.start, zone),
            end=f"{call.end.astimezone(zone):%H:%M}",
            status=status,
        )
    ]
    if call.result:
        lines.append(render(call_texts.CARD_CALL_RESULT, result=mask_personal_data(call.result)))
    if call.confirmed_at is not None:
        lines.append(call_texts.CARD_CALL_CONFIRMED)
    return lines


def due_text(deadline: Deadline, zone: ZoneInfo) -> str:
    """The first response to the minute; the legal term as its last day."""
    if deadline.kind == DeadlineKind.LEGAL:
        last_day = (deadline.due - timedelta(minutes=1)).astimezone(zone)
        return t.DEADLINE_LAST_DAY.format(date=f"{last_day:%d.%m.%Y}")
    return f"{deadline.due.astimezone(zone):%d.%m.%Y %H:%M}"


def deadline_lines(view: AppealDeadlines, zone: ZoneInfo) -> list[str]:
    """Each deadline of a card with the time left, «⚠️» under 20%, breaches and escalation."""
    lines = []
    for deadline in view.deadlines:
        name = t.DEADLINE_NAMES[deadline.kind]
        due = due_text(deadline, zone)
        working = deadline.kind == DeadlineKind.FIRST_RESPONSE
        if deadline.state == DeadlineState.RUNNING:
            template = t.DEADLINE_RUNNING_WORKING if working else t.DEADLINE_RUNNING
            lines.append(render(template, name=name, due=due, left=format_duration(deadline.left)))
        elif deadline.state == DeadlineState.AT_RISK:
            template = t.DEADLINE_AT_RISK_WORKING if working else t.DEADLINE_AT_RISK
            lines.append(render(template, name=name, due=due, left=format_duration(deadline.left)))
        elif deadline.state == DeadlineState.BREACHED:
            lines.append(
                render(
                    t.DEADLINE_BREACHED,
                    name=name,
                    due=due,
                    overdue=format_duration(deadline.overdue),
                )
            )
        elif deadline.state == DeadlineState.MET:
            lines.append(render(t.DEADLINE_MET, name=name))
        else:
            lines.append(
                render(t.DEADLINE_MET_LATE, name=name, overdue=format_duration(deadline.overdue))
            )
        escalated = view.escalated(deadline.kind)
        if escalated is not None:
            template = (
                t.DEADLINE_ESCALATED if view.supervisors_told else t.DEADLINE_ESCALATED_NOWHERE
            )
            lines.append(render(template, when=local_time(escalated, zone)))
    return lines


def escalation_text(appeal: Appeal, deadline: Deadline, zone: ZoneInfo) -> str:
    """For the supervisors' chat: no personal data, only the appeal's number and state."""
    return render(
        t.ESCALATION,
        number=appeal.number,
        deadline=t.DEADLINE_NAMES[deadline.kind],
        due=due_text(deadline, zone),
        overdue=format_duration(deadline.overdue),
        type=common_texts.APPEAL_TYPE_NAMES[appeal.type],
        status=common_texts.STATUS_NAMES[appeal.status],
        assignee=appeal.assignee_name or t.ESCALATION_NO_ASSIGNEE,
        created=local_time(appeal.created_at, zone),
    )


def overdue_list(found: Sequence[AppealDeadlines], zone: ZoneInfo) -> str:
    """``/overdue``: breached deadlines first, then those at risk; any length (split later)."""
    if not found:
        return t.OVERDUE_EMPTY
    breached = [item for item in found if item.breached]
    at_risk = [item for item in found if not item.breached]
    lines = [render(t.OVERDUE_HEADER, breached=len(breached), at_risk=len(at_risk))]
    for title, items in (
        (t.OVERDUE_SECTION_BREACHED, breached),
        (t.OVERDUE_SECTION_AT_RISK, at_risk),
    ):
        if not items:
            continue
        lines.append(title)
        for item in items:
            appeal = item.appeal
            lines.append(
                render(
                    t.OVERDUE_ITEM,
                    number=appeal.number,
                    type=common_texts.APPEAL_TYPE_NAMES[appeal.type],
                    status=common_texts.STATUS_NAMES[appeal.status],
                )
            )
            for deadline in item.deadlines:
                name, due = t.DEADLINE_NAMES[deadline.kind], due_text(deadline, zone)
                if deadline.state == DeadlineState.BREACHED:
                    escalated = t.OVERDUE_ESCALATED if item.escalated(deadline.kind) else ""
                    lines.append(
                        render(
                            t.OVERDUE_ITEM_BREACHED,
                            deadline=name,
                            due=due,
                            overdue=format_duration(deadline.overdue),
                            escalated=escalated,
                        )
                    )
                elif deadline.state == DeadlineState.AT_RISK:
                    lines.append(
                        render(
                            t.OVERDUE_ITEM_AT_RISK,
                            deadline=name,
                            due=due,
                            left=format_duration(deadline.left),
                        )
                    )
    return join_lines(lines)


def overdue_call(appeal: Appeal, now: datetime, policy: SlotPolicy) -> bool:
    """A scheduled call of an open appeal, not marked an hour after its start."""
    call = appeal.call
    return (
        appeal.is_open
        and call is not None
        and call.status == CallStatus.SCHEDULED
        and is_overdue(call.start, now, policy)
    )


def topic_title(appeal: Appeal) -> str:
    """Plain text (topic names are not HTML), at most 128 characters."""
    title = plain(
        t.TOPIC_TITLE, number=appeal.number, type=common_texts.APPEAL_TYPE_NAMES[appeal.type]
    )
    return title[:128]


def reveal_text(appeal: Appeal, events: Sequence[AppealEvent] = ()) -> str:
    """Personal data in full, plain text (for an alert or a private message)."""
    lines = [
        plain(t.REVEAL_LINE, name=name, value=value) for name, value in hidden_data(appeal, events)
    ]
    return plain(t.REVEAL, number=appeal.number, lines="\n".join(lines))


def format_duration(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return t.DURATION_DAYS.format(days=days, hours=hours)
    if hours:
        return t.DURATION_HOURS.format(hours=hours, minutes=minutes)
    if minutes:
        return t.DURATION_MINUTES.format(minutes=minutes)
    return t.DURATION_NOW


def open_list(appeals: list[Appeal], now: datetime, policy: SlotPolicy, limit: int = 50) -> str:
    """Open appeals, oldest first; calls not marked an hour after their time are flagged."""
    if not appeals:
        return t.OPEN_EMPTY
    overdue = {
        appeal.number: f"{appeal.call.start.astimezone(policy.zone):%d.%m %H:%M}"
        for appeal in appeals
        if appeal.call is not None and overdue_call(appeal, now, policy)
    }
    lines = []
    if overdue:
        parts = [
            render(call_texts.OPEN_OVERDUE_PART, number=number, time=at)
            for number, at in overdue.items()
        ]
        lines.append(render(call_texts.OPEN_OVERDUE_HEADER, items=Safe(", ".join(parts))))
    lines.append(render(t.OPEN_HEADER, count=len(appeals)))
    for appeal in appeals[:limit]:
        item = render(
            t.OPEN_ITEM,
            number=appeal.number,
            type=common_texts.APPEAL_TYPE_NAMES[appeal.type],
            status=common_texts.STATUS_NAMES[appeal.status],
            waited=format_duration(now - appeal.created_at),
        )
        if appeal.number in overdue:
            item += render(call_texts.OPEN_OVERDUE_ITEM, time=overdue[appeal.number])
        lines.append(item)
    if len(appeals) > limit:
        lines.append(render(t.OPEN_MORE, count=len(appeals) - limit))
    return join_lines(lines)


def callbacks_list(appeals: list[Appeal], day: date, now: datetime, policy: SlotPolicy) -> str:
    """``/callbacks``: the day's calls in time order, phones masked, late marks flagged."""
    shown_day = f"{day:%d.%m.%Y}"
    if not appeals:
        return render(call_texts.CALLBACKS_EMPTY, date=shown_day)
    lines = [render(call_texts.CALLBACKS_HEADER, date=shown_day, count=len(appeals))]
    for appeal in appeals:
        call = appeal.call
        assert call is not None
        phone = appeal.fields.get("callback_phone")
        if appeal.call_abandoned:
            status = call_texts.CALLBACKS_CLOSED
        elif overdue_call(appeal, now, policy):
            status = call_texts.CALLBACKS_OVERDUE
        else:
            status = call_texts.LIST_STATUS_NAMES[call.status]
        lines.append(
            render(
                call_texts.CALLBACKS_ITEM,
                time=f"{call.start.astimezone(policy.zone):%H:%M}",
                number=appeal.number,
                phone=shown_field("callback_phone", phone),
                status=status,
            )
        )
    lines += ["", call_texts.CALLBACKS_HINT]
    return join_lines(lines)


def shift_text(
    name: str, on: bool, capacity: int, on_shift: Sequence[OperatorShift], load: Mapping[int, int]
) -> str:
    """/shift's answer: the operator's shift now (``capacity`` 0: no automatic assignment),
    then who is on shift with their open appeals (``load``, by operator id)."""
    if not on:
        text = render(t.SHIFT_OFF, name=name)
    elif capacity > 0:
        text = render(t.SHIFT_ON, name=name, capacity=capacity)
    else:
        text = render(t.SHIFT_ON_MANUAL, name=name)
    if not on_shift:
        return text + "\n" + t.SHIFT_NOBODY
    items = [
        render(t.SHIFT_ITEM, name=item.name, load=load[item.operator_id], capacity=capacity or "∞")
        for item in on_shift
    ]
    return text + "\n" + render(t.SHIFT_LIST, names=Safe(", ".join(items)))


def stats_text(stats: DeskStats) -> str:
    def parts(items: list[tuple[str, int]]) -> str:
        shown = [t.STATS_PART.format(name=name, count=count) for name, count in items if count]
        return " · ".join(shown) or t.STATS_NONE

    statuses = parts(
        [
            (common_texts.STATUS_NAMES[status], stats.by_status.get(status, 0))
            for status in AppealStatus
        ]
    )
    types = parts(
        [(common_texts.APPEAL_TYPE_NAMES[kind], count) for kind, count in stats.by_type.items()]
    )
    if stats.first_answer_seconds:
        median = render(
            t.STATS_MEDIAN,
            duration=format_duration(
                timedelta(seconds=statistics.median(stats.first_answer_seconds))
            ),
            count=len(stats.first_answer_seconds),
        )
    else:
        median = t.STATS_NO_ANSWERS
    if stats.rating_count and stats.rating_average is not None:
        rating = render(
            t.STATS_RATING,
            average=f"{stats.rating_average:.1f}".replace(".", ","),
            count=stats.rating_count,
        )
    else:
        rating = t.STATS_NO_RATINGS
    return render(
        t.STATS,
        total=sum(stats.by_status.values()),
        statuses=statuses,
        types=types,
        median=median,
        rating=rating,
    )


def templates_list(templates: list[ReplyTemplate]) -> str:
    if not templates:
        return t.TEMPLATES_EMPTY
    lines = [t.TEMPLATES_HEADER]
    lines += [render(t.TEMPLATE_ITEM, title=item.title, text=item.text) for item in templates]
    lines += ["", t.TEMPLATES_HOW]
    return join_lines(lines)


def history_text(
    appeal: Appeal, events: list[AppealEvent], zone: ZoneInfo, snippet: int = 200
) -> str:
    """Every event of the appeal: when, who, what (texts shortened)."""
    lines = [render(t.HISTORY_HEADER, number=appeal.number)]
    for event in events:
        if event.actor.kind == MessageAuthor.OPERATOR:
            who = event.actor.name or str(event.actor.id)
        elif event.actor.kind == MessageAuthor.CITIZEN:
            who = t.ACTOR_CITIZEN
        else:
            who = t.ACTOR_SYSTEM
        what = render("{name}", name=t.EVENT_NAMES.get(event.kind, event.kind))
        if event.status_before and event.status_after:
            what += render(
                t.HISTORY_STATUS,
                before=common_texts.STATUS_NAMES[event.status_before],
                after=common_texts.STATUS_NAMES[event.status_after],
            )
        if event.text:
            masked = mask_personal_data(event.text)
            text = masked if len(masked) <= snippet else masked[:snippet] + "…"
            what += render(t.HISTORY_TEXT, text=text)
        lines.append(
            render(
                t.HISTORY_ITEM, when=local_time(event.created_at, zone), who=who, what=Safe(what)
            )
        )
    return join_lines(lines)


# --- working hours, for citizens -------------------------------------------------


def describe_schedule(schedule: WorkingHours) -> str:
    """``пн–пт 09:00–18:00, сб 10:00–15:00``."""
    if schedule.days is None:
        return ""
    names = conversation_texts.WEEKDAYS_SHORT
    groups: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
    for index, intervals in enumerate(schedule.days):
        if groups and groups[-1][2] == intervals and groups[-1][1] == index - 1:
            groups[-1] = (groups[-1][0], index, intervals)
        else:
            groups.append((index, index, intervals))
    parts = []
    for first, last, intervals in groups:
        if not intervals:
            continue
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        hours = ", ".join(f"{_hhmm(start)}–{_hhmm(end)}" for start, end in intervals)
        parts.append(f"{days} {hours}")
    return "; ".join(parts)


def off_hours_note(schedule: WorkingHours, moment: datetime, zone: ZoneInfo) -> str | None:
    """What to tell a citizen who writes outside working hours; None during them."""
    local = moment.astimezone(zone)
    opening = schedule.next_opening(local)
    if opening is None:
        return None
    at = f"{opening:%H:%M}"
    if opening.date() == local.date():
        when = render(conversation_texts.OPENING_TODAY, time=at)
    elif opening.date() == local.date() + timedelta(days=1):
        when = render(conversation_texts.OPENING_TOMORROW, time=at)
    else:
        when = render(
            conversation_texts.OPENING_LATER,
            time=at,
            date=f"{opening:%d.%m}",
            weekday=conversation_texts.WEEKDAYS_ACCUSATIVE[opening.weekday()],
        )
    return render(
        conversation_texts.OFF_HOURS,
        schedule=describe_schedule(schedule),
        zone=conversation_texts.ZONE_NAMES.get(zone.key, zone.key),
        opening=Safe(when),
    )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- outbox messages to the operators, rendered when sent (bot.services.messages) ---------

Payloads = list[dict[str, Any]]
_RELAY_HEADERS = {
    MessageKind.FROM_CITIZEN: t.FROM_CITIZEN,
    MessageKind.CITIZEN_COMMENT: t.CITIZEN_COMMENT,
}


def citizen_message(kind: MessageKind) -> Callable[[dict[str, Any], ZoneInfo], Payloads]:
    """A citizen's message (or comment) relayed, masked already, under its header."""
    header = _RELAY_HEADERS[kind]

    def rendered(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
        number = values["number"]
        return send_payloads(
            Content.from_payload(values["content"]),
            lambda html: render(header, number=number, text=html),
            render(t.FROM_CITIZEN_NO_TEXT, number=number),
        )

    return rendered


def citizen_edited(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    """The new text of a message the citizen edited (a caption too), under the copy."""
    number = values["number"]
    content = Content.from_payload(values["content"])
    return send_payloads(
        Content("text", html=content.html or "—"),
        lambda html: render(t.CITIZEN_EDITED, number=number, text=html),
        "",
    )


def attachments(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    caption = render(t.ATTACHMENTS_CAPTION, number=values["number"])
    return attachment_payloads(values["attachments"], caption)


def reopened(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    return text_payloads(render(t.REOPENED_NOTICE, number=values["number"]))


def card_moved(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    return text_payloads(
        render(t.CARD_MOVED, number=values["number"], desk=values["desk"], name=values["name"])
    )


def call_moved(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    before, after = (
        call_when(datetime.fromisoformat(values[key]), zone) for key in ("before", "after")
    )
    return text_payloads(
        render(call_texts.TO_OPERATORS_MOVED, number=values["number"], before=before, after=after)
    )


def call_rebooked(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    when = call_when(datetime.fromisoformat(values["start"]), zone)
    return text_payloads(
        render(call_texts.TO_OPERATORS_REBOOKED, number=values["number"], when=when)
    )


def call_cancelled(values: dict[str, Any], zone: ZoneInfo) -> Payloads:
    when = call_when(datetime.fromisoformat(values["start"]), zone)
    return text_payloads(
        render(call_texts.TO_OPERATORS_CANCELLED, number=values["number"], when=when)
    )

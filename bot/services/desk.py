"""The operator desk: what operators and citizens do with appeals.

Every action is one :class:`AppealChange`: the appeal's new state, the events
that record who did what, and the outbox rows that tell the other side, all
committed in one transaction. The background sender delivers the rows; this
service only wakes it up.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.desks import Desk, DeskMap
from bot.domain.models import (
    SYSTEM,
    Actor,
    Appeal,
    AppealChange,
    AppealEvent,
    AppealStatus,
    Audience,
    CitizenFlags,
    DeskStats,
    EventKind,
    MessageAuthor,
    MessageRef,
    NewEvent,
    NewOutboxMessage,
    OutboxKind,
    ReplyTemplate,
)
from bot.domain.templating import render
from bot.domain.working_hours import WorkingHours
from bot.services.events import NO_EVENTS, ServiceEvents
from bot.services.messages import MessageKind, deferred
from bot.services.relay import Content
from bot.storage.repositories import AppealRepository, DeskRepository, TemplateRepository

OPEN_STATUSES = frozenset({AppealStatus.NEW, AppealStatus.IN_PROGRESS, AppealStatus.ANSWERED})
CARD_UPDATE = NewOutboxMessage(Audience.OPERATORS, OutboxKind.CARD_UPDATE)
# What keeps an appeal from being idle: someone wrote or acted on it.
ACTIVITY = frozenset(
    {
        EventKind.FILED,
        EventKind.TAKEN,
        EventKind.CITIZEN_MESSAGE,
        EventKind.OPERATOR_MESSAGE,
        EventKind.CITIZEN_EDIT,
        EventKind.OPERATOR_EDIT,
        EventKind.REOPENED,
    }
)
_RETRIES = 3  # re-reads when another operator changed the appeal at the same moment
# A template sent again to the same appeal this soon is asked about first.
TEMPLATE_REPEAT = timedelta(minutes=1)
# An outbox row's payload "to": the card an appeal had in the desk it was moved from.
PREVIOUS_DESK = "previous_desk"


class OutboxSignal:
    """Wakes the background sender when new rows are committed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()


class ActionOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    CLOSED = "closed"
    ALREADY_TAKEN = "already_taken"
    NOT_NEW = "not_new"
    UNCHANGED = "unchanged"
    REPEATED = "repeated"  # the same template went to this appeal within TEMPLATE_REPEAT


@dataclass(frozen=True, slots=True)
class ActionResult:
    outcome: ActionOutcome
    appeal: Appeal | None = None


class MoveOutcome(StrEnum):
    MOVED = "moved"
    UNKNOWN_DESK = "unknown_desk"
    SAME_DESK = "same_desk"
    CLOSED = "closed"
    NOT_FOUND = "not_found"
    BUSY = "busy"  # changed by others at the same moment, every retry


@dataclass(frozen=True, slots=True)
class MoveResult:
    outcome: MoveOutcome
    appeal: Appeal | None = None
    desk: Desk | None = None  # where it is now (MOVED, SAME_DESK)


class RelayOutcome(StrEnum):
    RELAYED = "relayed"
    NO_OPEN_APPEAL = "no_open_appeal"
    NOT_ADDRESSED = "not_addressed"  # neither named nor a reply: ``choices`` are open
    CLOSED = "closed"
    BANNED = "banned"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class RelayResult:
    outcome: RelayOutcome
    appeal: Appeal | None = None
    choices: list[Appeal] = field(default_factory=list)


class RateOutcome(StrEnum):
    SAVED = "saved"
    NOT_FOUND = "not_found"
    NOT_CLOSED = "not_closed"
    ALREADY_RATED = "already_rated"


def to_citizen(appeal: Appeal, payload: dict[str, Any]) -> NewOutboxMessage:
    return NewOutboxMessage(Audience.CITIZEN, OutboxKind.MESSAGE, payload, chat_id=appeal.chat_id)


def to_operators(payload: dict[str, Any]) -> NewOutboxMessage:
    return NewOutboxMessage(Audience.OPERATORS, OutboxKind.MESSAGE, payload)


def citizen_actor(appeal: Appeal) -> Actor:
    return Actor(MessageAuthor.CITIZEN, appeal.citizen_id)


def filing_change(appeal: Appeal) -> AppealChange:
    """A new appeal: its card for the operators, then its attachments."""
    outbox = [NewOutboxMessage(Audience.OPERATORS, OutboxKind.CARD)]
    if appeal.attachments:
        attachments = [{"kind": item.kind, "file_id": item.file_id} for item in appeal.attachments]
        outbox.append(
            to_operators(
                deferred(
                    MessageKind.ATTACHMENTS, {"number": appeal.number, "attachments": attachments}
                )
            )
        )
    return AppealChange(
        appeal.id,
        events=(NewEvent(EventKind.FILED, citizen_actor(appeal)),),
        outbox=tuple(outbox),
        citizen_blocked_bot=False,  # whoever files an appeal talks to the bot
    )


def blocked_change(appeal: Appeal, blocked: bool, actor: Actor) -> AppealChange:
    return AppealChange(
        appeal.id,
        events=(NewEvent(EventKind.BOT_BLOCKED if blocked else EventKind.BOT_UNBLOCKED, actor),),
        outbox=(CARD_UPDATE,),
        citizen_blocked_bot=blocked,
    )


def citizen_relay_change(
    appeal: Appeal,
    content: Content,
    origin: MessageRef | None,
    kind: MessageKind,
    *,
    reply_to: int | None = None,
    reply_to_event: int | None = None,
    unblock: bool = False,
) -> AppealChange:
    """A citizen's message for the operators, under the header of ``kind``.

    Operators see it masked; the card is updated too when something was masked, so that
    «Показать данные» appears on it.
    """
    shown = content.masked()
    relayed = deferred(
        kind,
        {"number": appeal.number, "content": shown.as_payload()},
        reply_to=reply_to,
        reply_to_event=reply_to_event,
    )
    events = [
        NewEvent(
            EventKind.CITIZEN_MESSAGE,
            citizen_actor(appeal),
            text=content.plain,
            content=content.as_json(),
            origin=origin,
            outbox_index=0,
            history_text=content.history_text,
        )
    ]
    outbox = [to_operators(relayed)]
    if unblock:
        events.append(NewEvent(EventKind.BOT_UNBLOCKED, citizen_actor(appeal)))
    if unblock or shown is not content:
        outbox.append(CARD_UPDATE)
    return AppealChange(
        appeal.id,
        events=tuple(events),
        outbox=tuple(outbox),
        allowed_statuses=OPEN_STATUSES,
        citizen_blocked_bot=False if unblock else None,
    )


class DeskService:
    def __init__(
        self,
        appeals: AppealRepository,
        desk: DeskRepository,
        templates: TemplateRepository,
        clock: Clock,
        signal: OutboxSignal,
        schedule: WorkingHours,
        zone: ZoneInfo,
        events: ServiceEvents = NO_EVENTS,
        reopen_within: timedelta = timedelta(days=7),
        desks: DeskMap | None = None,
    ) -> None:
        """``desks``: the operators' chats by appeal type (DESKS), for /move."""
        self.reopen_within = reopen_within
        self.desks = desks or DeskMap()
        self._appeals = appeals
        self._events = events
        self._desk = desk
        self._templates = templates
        self._clock = clock
        self._signal = signal
        self.schedule = schedule
        self.zone = zone

    def now(self) -> datetime:
        return self._clock.now()

    async def _apply(self, *changes: AppealChange) -> list[Appeal | None]:
        results = await self._desk.apply(changes, self._clock.now())
        applied = zip(results, changes, strict=True)
        if any(result is not None and change.outbox for result, change in applied):
            self._signal.notify()
        return results

    async def find(self, number: str) -> Appeal | None:
        return await self._appeals.get_by_number(number)

    # --- operators ----------------------------------------------------------------

    async def appeal_in_thread(
        self, chat_id: int, thread_id: int | None, reply_to_id: int | None
    ) -> tuple[Appeal, AppealEvent | None] | None:
        """The appeal an operators' chat message is about: by the message it replies to
        (a card or a relayed message), else by the forum topic it is in."""
        if reply_to_id is not None and reply_to_id != thread_id:
            found = await self._desk.find_by_message(MessageRef(chat_id, reply_to_id))
            if found is not None:
                return found
        if thread_id is not None:
            appeal = await self._desk.find_by_topic(chat_id, thread_id)
            if appeal is not None:
                return appeal, None
        return None

    async def take(self, number: str, operator: Actor) -> ActionResult:
        appeal = await self.find(number)
        if appeal is None:
            return ActionResult(ActionOutcome.NOT_FOUND)
        notice = deferred(MessageKind.TAKEN, {"number": number})
        change = AppealChange(
            appeal.id,
            events=(NewEvent(EventKind.TAKEN, operator),),
            outbox=(CARD_UPDATE, to_citizen(appeal, notice)),
            allowed_statuses=frozenset({AppealStatus.NEW}),
            status=AppealStatus.IN_PROGRESS,
            assignee=operator,
            replace_assignee=True,
        )
        [taken] = await self._apply(change)
        if taken is not None:
            return ActionResult(ActionOutcome.DONE, taken)
        current = await self.find(number)
        assert current is not None
        if current.status == AppealStatus.CLOSED:
            return ActionResult(ActionOutcome.CLOSED, current)
        if current.assignee_name and current.status == AppealStatus.IN_PROGRESS:
            return ActionResult(ActionOutcome.ALREADY_TAKEN, current)
        return ActionResult(ActionOutcome.NOT_NEW, current)

    async def close(self, number: str, operator: Actor, resolution: str | None) -> ActionResult:
        appeal = await self.find(number)
        if appeal is None:
            return ActionResult(ActionOutcome.NOT_FOUND)
        notice = deferred(MessageKind.CLOSED, {"number": number, "resolution": resolution})
        change = AppealChange(
            appeal.id,
            events=(NewEvent(EventKind.CLOSED, operator, text=resolution),),
            outbox=(CARD_UPDATE, to_citizen(appeal, notice)),
            allowed_statuses=OPEN_STATUSES,
            status=AppealStatus.CLOSED,
            resolution=resolution,
        )
        [closed] = await self._apply(change)
        if closed is None:
            return ActionResult(ActionOutcome.CLOSED, await self.find(number))
        return ActionResult(ActionOutcome.DONE, closed)

    async def answer(
        self,
        appeal: Appeal,
        operator: Actor,
        content: Content,
        origin: MessageRef | None,
        *,
        reply_to_citizen_message: int | None = None,
        template: str | None = None,
    ) -> ActionResult:
        """The operator's message for the citizen; the appeal becomes «дан ответ»."""
        for _ in range(_RETRIES):
            current = await self._desk.get(appeal.id)
            if current is None:
                return ActionResult(ActionOutcome.NOT_FOUND)
            if not current.is_open:
                return ActionResult(ActionOutcome.CLOSED, current)
            change = self._answer_change(
                current, operator, content, origin, reply_to_citizen_message, template
            )
            [answered] = await self._apply(change)
            if answered is not None:
                if current.first_answered_at is None and answered.first_answered_at is not None:
                    self._events.first_response(answered.first_answered_at - current.created_at)
                return ActionResult(ActionOutcome.DONE, answered)
        return ActionResult(ActionOutcome.UNCHANGED, appeal)

    def _answer_change(
        self,
        appeal: Appeal,
        operator: Actor,
        content: Content,
        origin: MessageRef | None,
        reply_to: int | None,
        template: str | None,
    ) -> AppealChange:
        transition = appeal.status != AppealStatus.ANSWERED
        relayed = deferred(
            MessageKind.ANSWER,
            {
                "number": appeal.number,
                "content": content.as_payload(),
                "status_changed": transition,
            },
            reply_to=reply_to,
        )
        card_changes = transition or appeal.assignee_id is None
        described = content.as_json() | ({"template": template} if template else {})
        return AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.OPERATOR_MESSAGE,
                    operator,
                    text=content.plain,
                    content=described,
                    origin=origin,
                    outbox_index=0,
                    history_text=content.history_text,
                ),
            ),
            outbox=(to_citizen(appeal, relayed), *((CARD_UPDATE,) if card_changes else ())),
            allowed_statuses=frozenset({appeal.status}),
            status=AppealStatus.ANSWERED,
            assignee=operator,
            answered=True,
        )

    async def close_idle(self, idle: timedelta) -> list[Appeal]:
        """Close appeals «дан ответ» where nobody wrote for ``idle``; the citizen is told and
        may reopen within ``reopen_within``. Safe in several processes: the status guard
        lets one close it."""
        now = self.now()
        closed = []
        for appeal in await self._desk.open_appeals():
            if appeal.status != AppealStatus.ANSWERED:
                continue
            events = await self._desk.events(appeal.id)
            last = max(
                (event.created_at for event in events if event.kind in ACTIVITY),
                default=appeal.created_at,
            )
            if now - last < idle:
                continue
            notice = deferred(
                MessageKind.AUTO_CLOSED,
                {
                    "number": appeal.number,
                    "days": idle.days,
                    "until": (now + self.reopen_within).isoformat(),
                },
            )
            [done] = await self._apply(
                AppealChange(
                    appeal.id,
                    events=(NewEvent(EventKind.CLOSED, SYSTEM, content={"idle_days": idle.days}),),
                    outbox=(CARD_UPDATE, to_citizen(appeal, notice)),
                    allowed_statuses=frozenset({AppealStatus.ANSWERED}),
                    status=AppealStatus.CLOSED,
                )
            )
            if done is not None:
                closed.append(done)
        return closed

    def reopen_until(self, appeal: Appeal) -> datetime | None:
        """Until when a closed appeal may be reopened; None if it may not (erased, too old)."""
        if appeal.is_open or appeal.closed_at is None or appeal.erasure is not None:
            return None
        until = appeal.closed_at + self.reopen_within
        return until if self.now() < until else None

    async def reopen(self, number: str, citizen_id: int) -> ActionResult:
        """The citizen reopens their closed appeal: «в работе» again, the operators told."""
        appeal = await self.find(number)
        if appeal is None or appeal.citizen_id != citizen_id:
            return ActionResult(ActionOutcome.NOT_FOUND)
        if appeal.is_open:
            return ActionResult(ActionOutcome.UNCHANGED, appeal)
        if self.reopen_until(appeal) is None:
            return ActionResult(ActionOutcome.CLOSED, appeal)
        notice = deferred(MessageKind.REOPENED, {"number": number})
        [reopened] = await self._apply(
            AppealChange(
                appeal.id,
                events=(NewEvent(EventKind.REOPENED, citizen_actor(appeal)),),
                outbox=(CARD_UPDATE, to_operators(notice)),
                allowed_statuses=frozenset({AppealStatus.CLOSED}),
                status=AppealStatus.IN_PROGRESS,
            )
        )
        if reopened is None:
            return ActionResult(ActionOutcome.UNCHANGED, await self.find(number))
        return ActionResult(ActionOutcome.DONE, reopened)

    async def reassign(self, appeal: Appeal, to: Actor, by: Actor) -> ActionResult:
        """/assign: the appeal goes to operator ``to``; a new one becomes «в работе» and its
        citizen is told so (never who took it)."""
        for _ in range(_RETRIES):
            current = await self._desk.get(appeal.id)
            if current is None:
                return ActionResult(ActionOutcome.NOT_FOUND)
            if not current.is_open:
                return ActionResult(ActionOutcome.CLOSED, current)
            if current.assignee_id == to.id:
                return ActionResult(ActionOutcome.UNCHANGED, current)
            outbox = [CARD_UPDATE]
            status = None
            if current.status == AppealStatus.NEW:
                status = AppealStatus.IN_PROGRESS
                outbox.append(
                    to_citizen(current, deferred(MessageKind.TAKEN, {"number": current.number}))
                )
            [changed] = await self._apply(
                AppealChange(
                    current.id,
                    events=(NewEvent(EventKind.ASSIGNED, by, text=to.name),),
                    outbox=tuple(outbox),
                    allowed_statuses=frozenset({current.status}),
                    status=status,
                    assignee=to,
                    replace_assignee=True,
                )
            )
            if changed is not None:
                return ActionResult(ActionOutcome.DONE, changed)
        return ActionResult(ActionOutcome.NOT_NEW, appeal)

    def desk_of(self, appeal: Appeal) -> Desk | None:
        """The desk that serves the appeal now."""
        return self.desks.of(appeal.type, appeal.desk)

    async def move(self, appeal: Appeal, where: str, operator: Actor) -> MoveResult:
        """/move: the appeal goes to the desk ``where`` names (a desk or an appeal type).

        Its card is posted in that desk's chat (a new topic in a forum), and its card in
        the chat it leaves is edited to say where it went; the history records who moved
        it from where to where."""
        target = self.desks.find(where)
        if target is None:
            return MoveResult(MoveOutcome.UNKNOWN_DESK, appeal)
        for _ in range(_RETRIES):
            current = await self._desk.get(appeal.id)
            if current is None:
                return MoveResult(MoveOutcome.NOT_FOUND)
            if not current.is_open:
                return MoveResult(MoveOutcome.CLOSED, current)
            source = self.desk_of(current)
            if source is not None and source.name == target.name:
                return MoveResult(MoveOutcome.SAME_DESK, current, source)
            outbox = []
            thread = await self._desk.thread(current.id)
            if (
                thread is not None
                and thread.card_message_id is not None
                and thread.chat_id != target.chat_id
            ):
                payload = {
                    "to": PREVIOUS_DESK,
                    "chat_id": thread.chat_id,
                    "message_id": thread.card_message_id,
                    **deferred(
                        MessageKind.CARD_MOVED,
                        {"number": current.number, "desk": target.name, "name": operator.name},
                    ),
                }
                outbox.append(NewOutboxMessage(Audience.OPERATORS, OutboxKind.MESSAGE, payload))
            outbox.append(NewOutboxMessage(Audience.OPERATORS, OutboxKind.CARD))
            moved_from = source.name if source is not None else None
            [moved] = await self._apply(
                AppealChange(
                    current.id,
                    events=(
                        NewEvent(
                            EventKind.MOVED,
                            operator,
                            text=target.name,
                            content={"from": moved_from, "to": target.name},
                        ),
                    ),
                    outbox=tuple(outbox),
                    allowed_statuses=frozenset({current.status}),
                    desk=target.name,
                )
            )
            if moved is not None:
                return MoveResult(MoveOutcome.MOVED, moved, target)
        return MoveResult(MoveOutcome.BUSY, appeal)

    async def template(self, template_id: int) -> ReplyTemplate | None:
        return await self._templates.get(template_id)

    async def answer_with_template(
        self, number: str, template_id: int, operator: Actor, *, again: bool = False
    ) -> tuple[ActionResult, ReplyTemplate | None]:
        """Send a canned answer; refused as REPEATED if the same one went to the appeal
        within TEMPLATE_REPEAT (a second press, a button that moved), unless ``again``."""
        template = await self._templates.get(template_id)
        appeal = await self.find(number)
        if template is None or appeal is None:
            return ActionResult(ActionOutcome.NOT_FOUND, appeal), template
        if not again and await self._template_sent_since(
            appeal, template.title, self.now() - TEMPLATE_REPEAT
        ):
            return ActionResult(ActionOutcome.REPEATED, appeal), template
        content = Content("text", html=render("{text}", text=template.text), plain=template.text)
        result = await self.answer(appeal, operator, content, None, template=template.title)
        return result, template

    async def operator_edit(self, ref: MessageRef, content: Content, operator: Actor) -> bool:
        """An operator edited a message relayed to the citizen: edit the citizen's copy."""
        found = await self._desk.find_by_message(ref)
        if found is None:
            return False
        appeal, event = found
        if event is None or event.kind != EventKind.OPERATOR_MESSAGE or event.origin != ref:
            return False
        # The copy is edited in place when the new text fits it (the renderer decides);
        # otherwise the new text is sent, replying to the copy.
        edit = deferred(
            MessageKind.ANSWER_EDITED,
            {
                "number": appeal.number,
                "content": content.as_payload(),
                "was_text": (event.content or {}).get("kind", "text") == "text",
            },
            reply_to_event=event.id,
        ) | {"event_id": event.id}
        outbox = [NewOutboxMessage(Audience.CITIZEN, OutboxKind.EDIT, edit, chat_id=appeal.chat_id)]
        change = AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.OPERATOR_EDIT,
                    operator,
                    text=content.plain,
                    content=content.as_json(),
                    origin=ref,
                ),
            ),
            outbox=tuple(outbox),
        )
        await self._apply(change)
        return True

    async def set_ban(self, appeal: Appeal, operator: Actor, banned: bool) -> ActionResult:
        flags = await self._desk.flags(appeal.citizen_id)
        if flags.banned == banned:
            return ActionResult(ActionOutcome.UNCHANGED, appeal)
        others = [
            item
            for item in await self._desk.open_for_citizen(appeal.citizen_id)
            if item.id != appeal.id
        ]
        change = AppealChange(
            appeal.id,
            events=(NewEvent(EventKind.BANNED if banned else EventKind.UNBANNED, operator),),
            outbox=(CARD_UPDATE,),
            citizen_banned=banned,
            banned_by=operator.id,
        )
        [changed] = await self._apply(
            change, *(AppealChange(item.id, outbox=(CARD_UPDATE,)) for item in others)
        )
        return ActionResult(ActionOutcome.DONE, changed)

    async def reveal(self, number: str, operator: Actor) -> Appeal | None:
        """The appeal with its personal data; who looked is recorded."""
        appeal = await self.find(number)
        if appeal is not None:
            await self._apply(
                AppealChange(appeal.id, events=(NewEvent(EventKind.DATA_REVEALED, operator),))
            )
        return appeal

    async def card_shown(self, appeal: Appeal, ref: MessageRef, operator: Actor) -> None:
        """A card shown again by /appeal: replies to it reach the citizen too."""
        await self._apply(
            AppealChange(appeal.id, events=(NewEvent(EventKind.CARD_SHOWN, operator, copy=ref),))
        )

    async def open_appeals(self) -> list[Appeal]:
        return await self._desk.open_appeals()

    async def open_appeals_of(self, citizen_id: int) -> list[Appeal]:
        return await self._desk.open_for_citizen(citizen_id)

    async def stats(self) -> DeskStats:
        return await self._desk.stats()

    async def _template_sent_since(self, appeal: Appeal, title: str, since: datetime) -> bool:
        return any(
            event.kind == EventKind.OPERATOR_MESSAGE
            and event.created_at >= since
            and (event.content or {}).get("template") == title
            for event in await self._desk.events(appeal.id)
        )

    async def events(self, appeal: Appeal) -> list[AppealEvent]:
        return await self._desk.events(appeal.id)

    async def flags_of(self, appeal: Appeal) -> CitizenFlags:
        return await self._desk.flags(appeal.citizen_id)

    # --- canned answers -----------------------------------------------------------

    async def templates(self) -> list[ReplyTemplate]:
        return await self._templates.all()

    async def add_template(self, title: str, text: str, operator: Actor) -> ReplyTemplate | None:
        return await self._templates.add(title, text, operator.id, self._clock.now())

    async def delete_template(self, title: str) -> bool:
        return await self._templates.delete(title)

    # --- citizens -----------------------------------------------------------------

    def next_opening(self) -> datetime | None:
        return self.schedule.next_opening(self._clock.now().astimezone(self.zone))

    async def relay_from_citizen(
        self,
        citizen_id: int,
        content: Content,
        origin: MessageRef,
        *,
        number: str | None = None,
        reply_to: MessageRef | None = None,
    ) -> RelayResult:
        """A citizen's message for the operators of one of their open appeals.

        The appeal is the one named (the citizen chose it by a button), else
        the one whose message the citizen replied to. A message addressed to
        neither is not relayed, even with one appeal open: it may be a new
        question, and the citizen is asked (``choices``: their open appeals).
        """
        flags = await self._desk.flags(citizen_id)
        if flags.banned:
            return RelayResult(RelayOutcome.BANNED)
        appeal, replied = await self._target(citizen_id, number, reply_to)
        if isinstance(appeal, RelayResult):
            return appeal
        if not appeal.is_open:
            return RelayResult(RelayOutcome.CLOSED, appeal)
        reply_in_chat, reply_event = None, None
        if replied is not None and replied.kind == EventKind.OPERATOR_MESSAGE and replied.origin:
            reply_in_chat = replied.origin.message_id
        elif replied is not None and replied.kind == EventKind.CITIZEN_MESSAGE:
            reply_event = replied.id
        change = citizen_relay_change(
            appeal,
            content,
            origin,
            MessageKind.FROM_CITIZEN,
            reply_to=reply_in_chat,
            reply_to_event=reply_event,
            unblock=flags.bot_blocked,
        )
        [relayed] = await self._apply(change)
        if relayed is None:
            return RelayResult(RelayOutcome.CLOSED, appeal)
        return RelayResult(RelayOutcome.RELAYED, relayed)

    async def _target(
        self, citizen_id: int, number: str | None, reply_to: MessageRef | None
    ) -> tuple[Appeal | RelayResult, AppealEvent | None]:
        if number is not None:
            appeal = await self.find(number)
            if appeal is None or appeal.citizen_id != citizen_id:
                return RelayResult(RelayOutcome.NOT_FOUND), None
            return appeal, None
        if reply_to is not None:
            found = await self._desk.find_by_message(reply_to)
            if found is not None and found[0].citizen_id == citizen_id:
                return found
        open_appeals = await self._desk.open_for_citizen(citizen_id)
        if not open_appeals:
            return RelayResult(RelayOutcome.NO_OPEN_APPEAL), None
        return RelayResult(RelayOutcome.NOT_ADDRESSED, choices=open_appeals), None

    async def citizen_edit(self, ref: MessageRef, content: Content) -> bool:
        """A citizen edited a relayed message: the operators get the new text under the copy."""
        found = await self._desk.find_by_message(ref)
        if found is None:
            return False
        appeal, event = found
        if event is None or event.kind != EventKind.CITIZEN_MESSAGE or event.origin != ref:
            return False
        shown = content.masked()
        notice = deferred(
            MessageKind.CITIZEN_EDITED,
            {"number": appeal.number, "content": shown.as_payload()},
            reply_to_event=event.id,
        )
        await self._apply(
            AppealChange(
                appeal.id,
                events=(
                    NewEvent(
                        EventKind.CITIZEN_EDIT,
                        citizen_actor(appeal),
                        text=content.plain,
                        content=content.as_json(),
                        origin=ref,
                        outbox_index=0,
                    ),
                ),
                outbox=(to_operators(notice), *((CARD_UPDATE,) if shown is not content else ())),
            )
        )
        return True

    async def rate(self, number: str, citizen_id: int, score: int) -> RateOutcome:
        appeal = await self.find(number)
        if appeal is None or appeal.citizen_id != citizen_id or not 1 <= score <= 5:
            return RateOutcome.NOT_FOUND
        if appeal.is_open:
            return RateOutcome.NOT_CLOSED
        [rated] = await self._apply(
            AppealChange(
                appeal.id,
                events=(NewEvent(EventKind.RATED, citizen_actor(appeal), text=str(score)),),
                outbox=(CARD_UPDATE,),
                rating=score,
            )
        )
        return RateOutcome.SAVED if rated is not None else RateOutcome.ALREADY_RATED

    async def rate_comment(self, number: str, citizen_id: int, comment: str) -> RateOutcome:
        appeal = await self.find(number)
        if appeal is None or appeal.citizen_id != citizen_id:
            return RateOutcome.NOT_FOUND
        [commented] = await self._apply(
            AppealChange(
                appeal.id,
                events=(NewEvent(EventKind.RATING_COMMENT, citizen_actor(appeal), text=comment),),
                outbox=(CARD_UPDATE,),
                rating_comment=comment,
            )
        )
        return RateOutcome.SAVED if commented is not None else RateOutcome.ALREADY_RATED

    async def set_bot_blocked(self, citizen_id: int, blocked: bool) -> None:
        """The citizen blocked (or unblocked) the bot: their open cards say so."""
        if (await self._desk.flags(citizen_id)).bot_blocked == blocked:
            return
        appeals = await self._desk.open_for_citizen(citizen_id)
        actor = Actor(MessageAuthor.CITIZEN, citizen_id)
        await self._apply(*(blocked_change(appeal, blocked, actor) for appeal in appeals))

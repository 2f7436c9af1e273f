"""Callback requests: booking a call as an appeal, moving, cancelling, marking, confirming.

A callback request is an appeal of type ``callback`` whose call sits in a
slot (see :mod:`bot.domain.slots`). Booking files the appeal, its
call and its card in one transaction, refused if the slot filled up in the
meantime. Every later step is one :class:`AppealChange` with a
:class:`CallChange`: the call, the appeal, the events and the notices for the
other side are committed together, and the change's guards (the call's status
and slot, the slot's capacity) make concurrent presses safe.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.domain.clock import Clock
from bot.domain.models import (
    Actor,
    Appeal,
    AppealChange,
    AppealStatus,
    AppealType,
    CallChange,
    CallStatus,
    EventKind,
    NewAppeal,
    NewEvent,
    ScheduledCall,
    SlotClaim,
    UpdateRef,
)
from bot.domain.slots import (
    SlotPolicy,
    SlotProblem,
    booking_window,
    can_change,
    free_slots,
    local_today,
    offered_days,
    slot_end,
    slot_problem,
)
from bot.services.desk import (
    CARD_UPDATE,
    OPEN_STATUSES,
    OutboxSignal,
    citizen_actor,
    filing_change,
    to_citizen,
    to_operators,
)
from bot.services.events import NO_EVENTS, ServiceEvents
from bot.services.messages import MessageKind, deferred
from bot.storage.repositories import AppealRepository, CallBookingRepository, DeskRepository

PHONE_FIELD = "callback_phone"
DESCRIPTION_FIELD = "description"
CHANGEABLE = frozenset({CallStatus.SCHEDULED, CallStatus.NOT_REACHED})


class CallOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such appeal, not the citizen's, or not a callback
    SLOT_FULL = "slot_full"
    SLOT_GONE = "slot_gone"  # past, too soon, or not a slot of an offered day
    TOO_LATE = "too_late"  # less than an hour before the call
    NOT_CHANGEABLE = "not_changeable"  # the call is done or cancelled, or the appeal closed
    ALREADY = "already"  # booked already (booking) / confirmed already (confirming)
    NOT_DONE = "not_done"  # confirming a call nobody marked as done


class CallWording(Protocol):
    """How a call's time and its lines in the citizen's history read; they are kept with the
    appeal when it changes: :class:`bot.rendering.citizen.CallWordingRendering`."""

    def when(self, start: datetime) -> str: ...

    def history(self, kind: EventKind, *, when: str = "", result: str = "") -> str: ...

    def cancelled_resolution(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CallResult:
    outcome: CallOutcome
    appeal: Appeal | None = None
    closed_now: bool = False  # confirming closed the appeal (the citizen is asked to rate)


class CallBookingService:
    def __init__(
        self,
        appeals: AppealRepository,
        calls: CallBookingRepository,
        desk: DeskRepository,
        clock: Clock,
        signal: OutboxSignal,
        policy: SlotPolicy,
        wording: CallWording,
        events: ServiceEvents = NO_EVENTS,
    ) -> None:
        self._appeals = appeals
        self._events = events
        self._calls = calls
        self._desk = desk
        self._clock = clock
        self._signal = signal
        self.policy = policy
        self._wording = wording

    def now(self) -> datetime:
        return self._clock.now()

    def today(self) -> date:
        return local_today(self.now(), self.policy)

    def when(self, start: datetime) -> str:
        return self._wording.when(start)

    # --- choosing a slot ------------------------------------------------------------

    async def _booked(self) -> list[tuple[datetime, datetime]]:
        return await self._calls.booked(*booking_window(self.now(), self.policy))

    async def offered_days(self) -> list[date]:
        return offered_days(self.now(), self.policy, await self._booked())

    async def free_slots(self, day: date) -> list[datetime]:
        return free_slots(day, self.now(), self.policy, await self._booked())

    def _claim(self, start: datetime) -> SlotClaim:
        return SlotClaim(start, slot_end(start, self.policy), self.policy.capacity)

    async def slot_refusal(self, start: datetime) -> CallOutcome | None:
        """Why ``start`` cannot be booked now (taken, past, not offered); None if it can."""
        problem = slot_problem(start, self.now(), self.policy, await self._booked())
        if problem is None:
            return None
        return CallOutcome.SLOT_FULL if problem == SlotProblem.FULL else CallOutcome.SLOT_GONE

    # --- the citizen ------------------------------------------------------------------

    async def active_call(self, citizen_id: int) -> Appeal | None:
        """The citizen's open callback appeal whose call is still to happen, if any."""
        for appeal in await self._desk.open_for_citizen(citizen_id):
            if appeal.call is not None and appeal.call.status in CHANGEABLE:
                return appeal
        return None

    async def book(
        self,
        citizen_id: int,
        chat_id: int,
        phone: str,
        description: str,
        start: datetime,
        filed_by: UpdateRef | None = None,
    ) -> CallResult:
        """File the callback appeal with its call at ``start``, if the slot is still free.

        ``filed_by``: the update of the citizen's press. One that booked a call already
        (handled again: its process died before the citizen was told) gives that booking
        as done, nothing new filed (see ``AppealService.file``).
        """
        if filed_by is not None:
            filed = await self._appeals.filed_by(filed_by)
            if filed is not None:
                return CallResult(CallOutcome.DONE, filed)
        existing = await self.active_call(citizen_id)
        if existing is not None:
            return CallResult(CallOutcome.ALREADY, existing)
        refusal = await self.slot_refusal(start)
        if refusal is not None:
            return CallResult(refusal)
        new = NewAppeal(
            citizen_id,
            chat_id,
            AppealType.CALLBACK,
            {PHONE_FIELD: phone, DESCRIPTION_FIELD: description},
            filed_by=filed_by,
        )
        when = self.when(start)

        def follow_up(appeal: Appeal) -> AppealChange:
            filing = filing_change(appeal)
            scheduled = NewEvent(
                EventKind.CALL_SCHEDULED,
                citizen_actor(appeal),
                text=when,
                history_text=self._wording.history(EventKind.CALL_SCHEDULED, when=when),
            )
            return replace(filing, events=(*filing.events, scheduled))

        appeal = await self._calls.book(new, self._claim(start), self.now(), follow_up)
        if appeal is None:
            return CallResult(CallOutcome.SLOT_FULL)
        self._signal.notify()
        self._events.appeal_filed(appeal.type.value)
        return CallResult(CallOutcome.DONE, appeal)

    async def _own_call(self, number: str, citizen_id: int) -> Appeal | None:
        appeal = await self._appeals.get_by_number(number)
        if appeal is None or appeal.citizen_id != citizen_id or appeal.call is None:
            return None
        return appeal

    def can_still_change(self, call: ScheduledCall) -> bool:
        """Whether moving and cancelling would work now: their buttons are shown only then."""
        if call.status == CallStatus.NOT_REACHED:
            return True
        return call.status == CallStatus.SCHEDULED and can_change(
            call.start, self.now(), self.policy
        )

    async def check_change(self, number: str, citizen_id: int) -> CallResult:
        """Whether the citizen may move or cancel the call now (the one-hour rule)."""
        appeal = await self._own_call(number, citizen_id)
        if appeal is None:
            return CallResult(CallOutcome.NOT_FOUND)
        call = appeal.call
        assert call is not None
        if not appeal.is_open or call.status not in CHANGEABLE:
            return CallResult(CallOutcome.NOT_CHANGEABLE, appeal)
        if call.status == CallStatus.SCHEDULED and not can_change(
            call.start, self.now(), self.policy
        ):
            return CallResult(CallOutcome.TOO_LATE, appeal)
        return CallResult(CallOutcome.DONE, appeal)

    async def move(self, number: str, citizen_id: int, start: datetime) -> CallResult:
        """Move the call (or book a new time after a missed one); capacity re-checked."""
        checked = await self.check_change(number, citizen_id)
        if checked.outcome != CallOutcome.DONE:
            return checked
        appeal = checked.appeal
        assert appeal is not None and appeal.call is not None
        refusal = await self.slot_refusal(start)
        if refusal is not None:
            return CallResult(refusal, appeal)
        after = self.when(start)
        notice = (
            deferred(
                MessageKind.CALL_MOVED,
                {
                    "number": number,
                    "before": appeal.call.start.isoformat(),
                    "after": start.isoformat(),
                },
            )
            if appeal.call.status == CallStatus.SCHEDULED
            else deferred(MessageKind.CALL_REBOOKED, {"number": number, "start": start.isoformat()})
        )
        change = AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.CALL_MOVED,
                    citizen_actor(appeal),
                    text=after,
                    history_text=self._wording.history(EventKind.CALL_MOVED, when=after),
                ),
            ),
            outbox=(CARD_UPDATE, to_operators(notice)),
            allowed_statuses=OPEN_STATUSES,
            call=CallChange(
                status=CallStatus.SCHEDULED,
                claim=self._claim(start),
                allowed_statuses=CHANGEABLE,
                expected_start=appeal.call.start,
            ),
        )
        [moved] = await self._apply(change)
        if moved is None:
            return await self._refused(number, citizen_id, start)
        return CallResult(CallOutcome.DONE, moved)

    async def _refused(self, number: str, citizen_id: int, start: datetime) -> CallResult:
        """Why a change was refused at commit time: the slot filled up, or the call changed."""
        checked = await self.check_change(number, citizen_id)
        if checked.outcome != CallOutcome.DONE:
            return checked
        return CallResult(await self.slot_refusal(start) or CallOutcome.SLOT_FULL, checked.appeal)

    async def cancel(self, number: str, citizen_id: int) -> CallResult:
        """Cancel the call: the slot is freed and the appeal closed."""
        checked = await self.check_change(number, citizen_id)
        if checked.outcome != CallOutcome.DONE:
            return checked
        appeal = checked.appeal
        assert appeal is not None and appeal.call is not None
        when = self.when(appeal.call.start)
        change = AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.CALL_CANCELLED,
                    citizen_actor(appeal),
                    text=when,
                    history_text=self._wording.history(EventKind.CALL_CANCELLED),
                ),
            ),
            outbox=(
                CARD_UPDATE,
                to_operators(
                    deferred(
                        MessageKind.CALL_CANCELLED,
                        {"number": number, "start": appeal.call.start.isoformat()},
                    )
                ),
            ),
            allowed_statuses=OPEN_STATUSES,
            status=AppealStatus.CLOSED,
            resolution=self._wording.cancelled_resolution(),
            call=CallChange(
                status=CallStatus.CANCELLED,
                allowed_statuses=CHANGEABLE,
                expected_start=appeal.call.start,
            ),
        )
        [cancelled] = await self._apply(change)
        if cancelled is None:
            return await self.check_change(number, citizen_id)
        return CallResult(CallOutcome.DONE, cancelled)

    async def confirm(self, number: str, citizen_id: int) -> CallResult:
        """The citizen confirms the call took place; an open appeal is closed by it."""
        appeal = await self._own_call(number, citizen_id)
        if appeal is None:
            return CallResult(CallOutcome.NOT_FOUND)
        call = appeal.call
        assert call is not None
        if call.status != CallStatus.DONE:
            return CallResult(CallOutcome.NOT_DONE, appeal)
        if call.confirmed_at is not None:
            return CallResult(CallOutcome.ALREADY, appeal)
        closing = appeal.is_open
        change = AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.CALL_CONFIRMED,
                    citizen_actor(appeal),
                    history_text=self._wording.history(EventKind.CALL_CONFIRMED),
                ),
            ),
            outbox=(CARD_UPDATE,),
            status=AppealStatus.CLOSED if closing else None,
            call=CallChange(confirmed=True, allowed_statuses=frozenset({CallStatus.DONE})),
        )
        [confirmed] = await self._apply(change)
        if confirmed is None:
            return CallResult(CallOutcome.ALREADY, await self._appeals.get_by_number(number))
        return CallResult(CallOutcome.DONE, confirmed, closed_now=closing)

    # --- operators ----------------------------------------------------------------------

    async def scheduled(self, number: str) -> CallResult:
        """Whether the call of appeal ``number`` is still waiting to be marked."""
        appeal = await self._appeals.get_by_number(number)
        if appeal is None or appeal.call is None:
            return CallResult(CallOutcome.NOT_FOUND, appeal)
        if not appeal.is_open or appeal.call.status != CallStatus.SCHEDULED:
            return CallResult(CallOutcome.NOT_CHANGEABLE, appeal)
        return CallResult(CallOutcome.DONE, appeal)

    def has_begun(self, call: ScheduledCall) -> bool:
        """Whether the call's slot has started: marking it earlier is asked about first."""
        return self.now() >= call.start

    async def mark_done(self, number: str, operator: Actor, result: str) -> CallResult:
        """«Позвонил»: the call took place; the citizen gets the result and may confirm it."""
        checked = await self.scheduled(number)
        if checked.outcome != CallOutcome.DONE:
            return checked
        appeal = checked.appeal
        assert appeal is not None
        notice = deferred(MessageKind.CALL_DONE, {"number": number, "result": result})
        change = AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.CALL_DONE,
                    operator,
                    text=result,
                    history_text=self._wording.history(EventKind.CALL_DONE, result=result),
                ),
            ),
            outbox=(CARD_UPDATE, to_citizen(appeal, notice)),
            allowed_statuses=OPEN_STATUSES,
            status=AppealStatus.ANSWERED,
            assignee=operator,
            answered=True,
            call=CallChange(
                status=CallStatus.DONE,
                result=result,
                marked_by=operator.id,
                allowed_statuses=frozenset({CallStatus.SCHEDULED}),
            ),
        )
        [marked] = await self._apply(change)
        if marked is None:
            return CallResult(CallOutcome.NOT_CHANGEABLE, await self._appeals.get_by_number(number))
        return CallResult(CallOutcome.DONE, marked)

    async def mark_not_reached(self, number: str, operator: Actor) -> CallResult:
        """«Не дозвонился»: the citizen is told and offered a new slot."""
        checked = await self.scheduled(number)
        if checked.outcome != CallOutcome.DONE:
            return checked
        appeal = checked.appeal
        assert appeal is not None and appeal.call is not None
        when = self.when(appeal.call.start)
        phone = appeal.fields.get(PHONE_FIELD, "")
        notice = deferred(
            MessageKind.CALL_NOT_REACHED,
            {"number": number, "start": appeal.call.start.isoformat(), "phone": phone},
        )
        change = AppealChange(
            appeal.id,
            events=(
                NewEvent(
                    EventKind.CALL_NOT_REACHED,
                    operator,
                    text=when,
                    history_text=self._wording.history(EventKind.CALL_NOT_REACHED, when=when),
                ),
            ),
            outbox=(CARD_UPDATE, to_citizen(appeal, notice)),
            allowed_statuses=OPEN_STATUSES,
            call=CallChange(
                status=CallStatus.NOT_REACHED,
                marked_by=operator.id,
                allowed_statuses=frozenset({CallStatus.SCHEDULED}),
            ),
        )
        [marked] = await self._apply(change)
        if marked is None:
            return CallResult(CallOutcome.NOT_CHANGEABLE, await self._appeals.get_by_number(number))
        return CallResult(CallOutcome.DONE, marked)

    async def calls_of_day(self, day: date) -> list[Appeal]:
        """Callback appeals whose call (not cancelled) is on local ``day``, in time order."""
        zone = self.policy.zone
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        return await self._calls.calls_between(start, start + timedelta(days=1))

    async def _apply(self, change: AppealChange) -> list[Appeal | None]:
        results = await self._desk.apply([change], self.now())
        if results[0] is not None:
            self._signal.notify()
        return results

"""The small interfaces services depend on.

Implemented on SQLite (:mod:`bot.storage.sqlite`) and on PostgreSQL
(:mod:`bot.storage.postgres`); handlers and services do not see which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.dashboard import AppealSearch, AuditEntry
from bot.domain.deadlines import DeadlineKind, DeadlineMark, DeadlineState
from bot.domain.models import (
    Actor,
    Appeal,
    AppealChange,
    AppealEvent,
    AppealMessage,
    AppealThread,
    Citizen,
    CitizenFlags,
    DeskStats,
    MessageAuthor,
    MessageRef,
    NewAppeal,
    NewEvent,
    OperatorShift,
    OutboxItem,
    PhoneHistoryEntry,
    ReplyTemplate,
    SlotClaim,
    UpdateRef,
    VerificationCode,
)


class CitizenRepository(Protocol):
    async def get(self, user_id: int) -> Citizen | None: ...

    async def ensure(self, user_id: int, chat_id: int, now: datetime) -> Citizen: ...

    async def change_phone(
        self, user_id: int, chat_id: int, phone: str, now: datetime
    ) -> str | None:
        """Make ``phone`` the verified number; keep the old one in history and return it."""

    async def phone_history(self, user_id: int) -> list[PhoneHistoryEntry]: ...


class ConsentRepository(Protocol):
    async def has(self, user_id: int, version: str) -> bool:
        """Whether the citizen agreed to this version of the consent text."""

    async def give(self, user_id: int, version: str, now: datetime) -> None: ...


class CodeRepository(Protocol):
    async def issue(
        self,
        user_id: int,
        phone: str,
        code_hash: str,
        salt: str,
        now: datetime,
        expires_at: datetime,
    ) -> VerificationCode:
        """Store a new active code; earlier active codes of the user are superseded."""

    async def latest(self, user_id: int, phone: str) -> VerificationCode | None: ...

    async def last_issued_for_phone(self, phone: str) -> VerificationCode | None: ...

    async def count_issued_since(self, phone: str, since: datetime) -> int: ...

    async def record_failure(self, code_id: int, exhausted: bool) -> None: ...

    async def mark_used(self, code_id: int) -> None: ...


class AppealRepository(Protocol):
    async def create(
        self,
        appeal: NewAppeal,
        now: datetime,
        follow_up: Callable[[Appeal], AppealChange] | None = None,
    ) -> Appeal:
        """Store the appeal with the next number of ``now``'s year.

        ``follow_up`` builds, from the stored appeal, a change (events, outbox
        rows) committed in the same transaction. An appeal ``filed_by`` an update
        that filed one already is not stored again: that appeal is returned, as stored
        (no follow-up), also when another process filed it from the update a moment ago.
        """

    async def filed_by(self, update: UpdateRef) -> Appeal | None:
        """The appeal filed from ``update``, if one was."""

    async def get_by_number(self, number: str) -> Appeal | None: ...

    async def list_for_citizen(self, citizen_id: int, limit: int, offset: int) -> list[Appeal]:
        """Newest first."""

    async def count_for_citizen(self, citizen_id: int) -> int: ...

    async def add_message(
        self,
        appeal_id: int,
        author: MessageAuthor,
        author_id: int | None,
        text: str,
        now: datetime,
    ) -> AppealMessage: ...

    async def messages(self, appeal_id: int) -> list[AppealMessage]:
        """Oldest first."""


class CallBookingRepository(Protocol):
    """Booked calls. Moving, cancelling and marking a call are ``AppealChange.call``."""

    async def book(
        self,
        appeal: NewAppeal,
        claim: SlotClaim,
        now: datetime,
        follow_up: Callable[[Appeal], AppealChange] | None = None,
    ) -> Appeal | None:
        """File the appeal with its call in the claimed slot, in one transaction;
        None (and nothing stored) when the slot is full. Filed by an update that filed one
        already: that appeal, as ``AppealRepository.create`` returns it."""

    async def booked(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The slots of scheduled calls of open appeals overlapping [start, end)."""

    async def calls_between(self, start: datetime, end: datetime) -> list[Appeal]:
        """Appeals whose call (not cancelled) starts in [start, end), in time order."""


class DeskRepository(Protocol):
    """The operator desk's view of appeals: atomic changes, threads, events, flags."""

    async def apply(self, changes: Sequence[AppealChange], now: datetime) -> list[Appeal | None]:
        """Apply all changes in one transaction; a change whose guard fails gives None."""

    async def get(self, appeal_id: int) -> Appeal | None: ...

    async def thread(self, appeal_id: int) -> AppealThread | None: ...

    async def save_thread(
        self, thread: AppealThread, now: datetime, events: Sequence[NewEvent] = ()
    ) -> None: ...

    async def find_by_topic(self, chat_id: int, topic_id: int) -> Appeal | None: ...

    async def find_by_message(self, ref: MessageRef) -> tuple[Appeal, AppealEvent | None] | None:
        """The appeal and the first event whose original or relayed copy is ``ref``; or the
        appeal of another delivered copy (a later part of an album or of a long text), with
        no event."""

    async def event(self, event_id: int) -> AppealEvent | None: ...

    async def events(self, appeal_id: int) -> list[AppealEvent]:
        """Oldest first."""

    async def open_appeals(self) -> list[Appeal]:
        """Oldest first."""

    async def open_for_citizen(self, citizen_id: int) -> list[Appeal]:
        """Oldest first."""

    async def flags(self, user_id: int) -> CitizenFlags: ...

    async def stats(self) -> DeskStats: ...


class DeadlineRepository(Protocol):
    """Marks of appeals' deadlines (at risk, breached), each left once."""

    async def marks(self, appeal_ids: Sequence[int]) -> list[DeadlineMark]: ...

    async def mark(
        self,
        appeal_id: int,
        deadline: DeadlineKind,
        mark: DeadlineState,
        now: datetime,
        change: AppealChange | None = None,
    ) -> bool:
        """Leave the mark and apply ``change`` in one transaction, unless the mark is
        already there (another process left it): then nothing happens and False."""


class DashboardRepository(Protocol):
    """What the supervisors' dashboard reads, its one-time links and its audit log."""

    async def search(self, criteria: AppealSearch, limit: int) -> list[Appeal]:
        """Appeals matching every given criterion, the newest first, at most ``limit``."""

    async def first_responses(self, since: datetime) -> list[tuple[datetime, datetime]]:
        """(created, first answered) of appeals first answered at or after ``since``."""

    async def ratings(self, since: datetime) -> list[tuple[datetime, int]]:
        """(rated at, score) of ratings given at or after ``since``."""

    async def use_link(self, nonce: str, user_id: int, now: datetime) -> bool:
        """Record a sign-in link as used; False when it was used before."""

    async def record(self, entry: AuditEntry) -> None: ...

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        """The newest entries first."""


class ShiftRepository(Protocol):
    """Operators on and off shift, and when each was last given an appeal."""

    async def set_on_shift(
        self, operator: Actor, on_shift: bool, now: datetime, desk_chat_id: int | None = None
    ) -> None:
        """``desk_chat_id``: the desk chat /shift was sent in (None: every desk)."""

    async def on_shift(self) -> list[OperatorShift]:
        """Operators on shift, the longest without a new appeal first."""

    async def assigned(self, operator_id: int, now: datetime) -> None: ...

    async def known(self) -> list[OperatorShift]:
        """Every operator who ever used /shift, on shift or not."""


class TemplateRepository(Protocol):
    async def add(
        self, title: str, text: str, created_by: int | None, now: datetime
    ) -> ReplyTemplate | None:
        """None when a template of that title (case-insensitive) exists."""

    async def delete(self, title: str) -> bool: ...

    async def all(self) -> list[ReplyTemplate]: ...

    async def get(self, template_id: int) -> ReplyTemplate | None: ...


class OutboxRepository(Protocol):
    async def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """The first pending row of each lane, if its time has come; oldest first."""

    async def claim(
        self, claimer: str, now: datetime, limit: int, lease: timedelta
    ) -> list[OutboxItem]:
        """Lease due rows to ``claimer`` until ``now + lease``, oldest first: the first pending
        row of each lane, unless another claim's lease on it is running. Of senders in
        several processes, exactly one gets a row; a lane's next row waits for the one
        before it. Delivering, postponing or failing a row ends its lease."""

    async def release(self, claimer: str) -> int:
        """End every lease of ``claimer`` (a sender stopping cleanly); return how many."""

    async def next_due(self) -> datetime | None:
        """When the earliest pending row may be tried, or None if none is pending."""

    async def mark_delivered(
        self,
        item_id: int,
        now: datetime,
        message_id: int | None,
        copy: MessageRef | None = None,
        more_message_ids: Sequence[int] = (),
    ) -> bool:
        """Mark a pending row delivered, fill in its event's copy; False if not pending.

        ``copy`` (the first message) and ``more_message_ids`` (the rest of an album, in the
        same chat) are recorded as copies of the appeal: a reply to any of them finds it."""

    async def postpone(self, item_id: int, not_before: datetime, error: str) -> None: ...

    async def mark_failed(self, item_id: int, now: datetime, error: str) -> None: ...

    async def pending(self) -> list[OutboxItem]:
        """Every pending row, in id order."""

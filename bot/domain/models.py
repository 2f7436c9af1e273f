"""Plain data the repositories take and return; no SQL, no aiogram."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# What an erased personal value becomes (/forget, retention); shown as is.
ERASED_VALUE = "удалено"


class AppealStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


class AppealType(StrEnum):
    TECHNICAL = "technical"
    SERVICE_QUESTION = "service_question"
    COMPLAINT = "complaint"
    CONSULTATION = "consultation"
    ACCESS_RECOVERY = "access_recovery"
    CALLBACK = "callback"


class ErasureReason(StrEnum):
    """Why an appeal's personal data was erased."""

    REQUEST = "request"  # the citizen's /forget
    RETENTION = "retention"  # RETENTION_DAYS after closing


class CodeStatus(StrEnum):
    ACTIVE = "active"
    USED = "used"
    EXHAUSTED = "exhausted"
    SUPERSEDED = "superseded"


class MessageAuthor(StrEnum):
    CITIZEN = "citizen"
    OPERATOR = "operator"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Citizen:
    user_id: int
    chat_id: int
    phone: str | None
    phone_verified_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PhoneHistoryEntry:
    phone: str
    verified_at: datetime | None
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationCode:
    id: int
    user_id: int
    phone: str
    code_hash: str
    salt: str
    created_at: datetime
    expires_at: datetime
    failed_attempts: int
    status: CodeStatus


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # "photo" or "document"
    file_id: str
    file_unique_id: str
    file_name: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateRef:
    """What a filing is made once for: a Telegram update (the bot it came to and its id,
    update ids being the bot's own), or a dialogue (:func:`dialogue_filing`, a negative id)."""

    bot_id: int
    update_id: int


def dialogue_filing(bot_id: int, chat_id: int, dialogue_id: str) -> UpdateRef:
    """A dialogue's filing: every «Отправить» of one dialogue files one appeal.

    The same press handled again (its process died after the filing) and a new press made
    meanwhile (the dialogue still open after the death) name the same filing. The id is a
    64-bit digest of the chat and the dialogue, negative: never a Telegram update's id.
    """
    digest = hashlib.blake2b(f"{chat_id}:{dialogue_id}".encode(), digest_size=8).digest()
    return UpdateRef(bot_id, -(int.from_bytes(digest, "big") >> 2) - 1)


@dataclass(frozen=True, slots=True)
class NewAppeal:
    citizen_id: int
    chat_id: int
    type: AppealType
    fields: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)
    # The update whose handling files it. Updates are handled at least once (a process
    # that dies mid-update leaves it to another): filing again from the same update gives
    # the appeal filed the first time.
    filed_by: UpdateRef | None = None


class CallStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    NOT_REACHED = "not_reached"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ScheduledCall:
    """The call of a callback appeal: its slot (UTC) and what came of it."""

    start: datetime
    end: datetime
    status: CallStatus
    result: str | None = None
    marked_by: int | None = None
    marked_at: datetime | None = None
    confirmed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SlotClaim:
    """A call wants the slot [start, end), which holds at most ``capacity`` scheduled calls."""

    start: datetime
    end: datetime
    capacity: int


@dataclass(frozen=True, slots=True)
class Appeal:
    id: int
    number: str
    citizen_id: int
    chat_id: int
    type: AppealType
    status: AppealStatus
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    attachments: list[Attachment] = field(default_factory=list)
    assignee_id: int | None = None
    assignee_name: str | None = None
    first_answered_at: datetime | None = None
    resolution: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    call: ScheduledCall | None = None  # appeals of type callback only
    erasure: ErasureReason | None = None
    desk: str | None = None  # the desk it was moved to (/move); None: its type's desk

    @property
    def is_open(self) -> bool:
        return self.status != AppealStatus.CLOSED

    @property
    def call_abandoned(self) -> bool:
        """A call still to happen (scheduled or missed) of an appeal closed meanwhile."""
        return (
            not self.is_open
            and self.call is not None
            and self.call.status in (CallStatus.SCHEDULED, CallStatus.NOT_REACHED)
        )


@dataclass(frozen=True, slots=True)
class AppealMessage:
    id: int
    appeal_id: int
    author: MessageAuthor
    author_id: int | None
    text: str
    created_at: datetime


# --- operator desk ---------------------------------------------------------


class EventKind(StrEnum):
    FILED = "filed"
    TAKEN = "taken"
    CLOSED = "closed"
    CITIZEN_MESSAGE = "citizen_message"
    OPERATOR_MESSAGE = "operator_message"
    CITIZEN_EDIT = "citizen_edit"
    OPERATOR_EDIT = "operator_edit"
    RATED = "rated"
    RATING_COMMENT = "rating_comment"
    BANNED = "banned"
    UNBANNED = "unbanned"
    BOT_BLOCKED = "bot_blocked"
    BOT_UNBLOCKED = "bot_unblocked"
    CARD_POSTED = "card_posted"
    CARD_SHOWN = "card_shown"
    TOPIC_CREATED = "topic_created"
    TOPIC_LOST = "topic_lost"
    DATA_REVEALED = "data_revealed"
    DELIVERY_FAILED = "delivery_failed"
    CALL_SCHEDULED = "call_scheduled"
    CALL_MOVED = "call_moved"
    CALL_CANCELLED = "call_cancelled"
    CALL_DONE = "call_done"
    CALL_NOT_REACHED = "call_not_reached"
    CALL_CONFIRMED = "call_confirmed"
    RELAY_DROPPED_ERASED = "relay_dropped_erased"  # a pending send held erased data
    DEADLINE_BREACHED = "deadline_breached"  # text: which deadline; escalated once
    REOPENED = "reopened"  # the citizen reopened a closed appeal
    ASSIGNED = "assigned"  # /assign: text is the new assignee's name
    MOVED = "moved"  # /move: text is the new desk's name, content has "from" and "to"


class Audience(StrEnum):
    OPERATORS = "operators"
    CITIZEN = "citizen"


class OutboxKind(StrEnum):
    CARD = "card"  # make sure the appeal has its topic and card
    CARD_UPDATE = "card_update"  # show the appeal's current state on its card
    MESSAGE = "message"  # a send* method into the thread or to the citizen
    EDIT = "edit"  # edit a relayed copy
    DELETE = "delete"  # delete a copy of erased data in the operators' chat


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a citizen, an operator (with a display name) or the bot."""

    kind: MessageAuthor
    id: int | None = None
    name: str | None = None


SYSTEM = Actor(MessageAuthor.SYSTEM)


@dataclass(frozen=True, slots=True)
class MessageRef:
    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: EventKind
    actor: Actor
    text: str | None = None
    content: dict[str, Any] | None = None
    origin: MessageRef | None = None
    copy: MessageRef | None = None
    # Index into AppealChange.outbox of the row that delivers the copy: its
    # delivery fills in ``copy``.
    outbox_index: int | None = None
    # Also shown to the citizen in the appeal's history (appeal_messages).
    history_text: str | None = None


@dataclass(frozen=True, slots=True)
class AppealEvent:
    id: int
    appeal_id: int
    kind: EventKind
    actor: Actor
    status_before: AppealStatus | None
    status_after: AppealStatus | None
    text: str | None
    content: dict[str, Any] | None
    origin: MessageRef | None
    copy: MessageRef | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewOutboxMessage:
    audience: Audience
    kind: OutboxKind
    payload: dict[str, Any] = field(default_factory=dict)
    chat_id: int | None = None  # the citizen's chat; operators' chat when None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    appeal_id: int
    audience: Audience
    chat_id: int | None
    kind: OutboxKind
    payload: dict[str, Any]
    attempts: int
    not_before: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CallChange:
    """What happens to an appeal's call; its guards refuse the whole change."""

    status: CallStatus | None = None
    claim: SlotClaim | None = None  # move the call there, if the slot has room
    result: str | None = None
    marked_by: int | None = None  # the operator who marked the call
    confirmed: bool = False  # the citizen confirmed it; only once
    allowed_statuses: frozenset[CallStatus] | None = None
    expected_start: datetime | None = None  # the slot the decision was made on


@dataclass(frozen=True, slots=True)
class AppealChange:
    """One atomic step of an appeal: state, events and the sends they cause.

    Guards make concurrent presses safe: a change whose guard fails is refused
    as a whole. ``status`` is recorded on the first event as before/after.
    """

    appeal_id: int
    events: tuple[NewEvent, ...] = ()
    outbox: tuple[NewOutboxMessage, ...] = ()
    allowed_statuses: frozenset[AppealStatus] | None = None
    status: AppealStatus | None = None
    assignee: Actor | None = None
    replace_assignee: bool = False  # otherwise only an unassigned appeal gets one
    resolution: str | None = None
    answered: bool = False  # sets first_answered_at if still empty
    rating: int | None = None  # only if not rated yet
    rating_comment: str | None = None  # only if rated and not commented yet
    citizen_banned: bool | None = None
    citizen_blocked_bot: bool | None = None
    banned_by: int | None = None
    call: CallChange | None = None
    desk: str | None = None  # /move: the desk that serves the appeal from now on


@dataclass(frozen=True, slots=True)
class AppealThread:
    appeal_id: int
    chat_id: int
    topic_id: int | None
    card_message_id: int | None


@dataclass(frozen=True, slots=True)
class OperatorShift:
    operator_id: int
    name: str
    last_assigned_at: datetime | None
    desk_chat_id: int | None = None  # the chat /shift was sent in: that desk's appeals


@dataclass(frozen=True, slots=True)
class CitizenFlags:
    user_id: int
    banned: bool = False
    bot_blocked: bool = False


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    id: int
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class DeskStats:
    by_status: dict[AppealStatus, int]
    by_type: dict[AppealType, int]
    first_answer_seconds: list[float]
    rating_count: int
    rating_average: float | None


@dataclass(frozen=True, slots=True)
class ArchivedAppeal:
    """An appeal from an earlier system, imported with the number it already has."""

    number: str
    citizen_id: int
    chat_id: int
    type: AppealType
    status: AppealStatus
    fields: dict[str, Any]
    created_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    """One erasure, without personal data: which appeals, which fields, when and why."""

    erased_at: datetime
    reason: ErasureReason
    appeals: tuple[str, ...]
    fields: tuple[str, ...]

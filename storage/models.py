"""Plain data the repositories take and return; no SQL, no aiogram."""

from __future__ import annotations

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
class NewAppeal:
    citizen_id: int
    chat_id: int
    type: AppealType
    fields: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)


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

    @property
    def is_open(self) -> bool:
        return self.status != AppealStatus.CLOSED


@dataclass(frozen=True, slots=True)
class AppealMessage:
    id: int
    appeal_id: int
    author: MessageAuthor
    author_id: int | None
    text: str
    created_at: datetime

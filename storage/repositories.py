"""The small interfaces services depend on.

A server database (PostgreSQL) can be added later by implementing these
protocols; handlers and services do not change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from storage.models import (
    Appeal,
    AppealMessage,
    Citizen,
    MessageAuthor,
    NewAppeal,
    PhoneHistoryEntry,
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
    async def create(self, appeal: NewAppeal, now: datetime) -> Appeal:
        """Store the appeal with the next number of ``now``'s year."""

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

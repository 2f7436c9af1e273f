"""Values as the PostgreSQL repositories pass them to asyncpg and read them back."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC, refused if naive: asyncpg would silently take a naive time for
    UTC, and storage keeps UTC-aware times only (as SQLite's ``to_db`` insists)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: storage keeps UTC-aware times only")
    return moment.astimezone(UTC)


def changed_rows(status: str) -> int:
    """The row count of a command's status ("UPDATE 3", "DELETE 0", "INSERT 0 1")."""
    return int(status.rsplit(" ", 1)[-1])

"""Reopening a closed appeal on both backends: open again, and no longer closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.models import (
    Actor,
    AppealChange,
    AppealStatus,
    AppealType,
    EventKind,
    MessageAuthor,
    NewAppeal,
    NewEvent,
)
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CITIZEN = Actor(MessageAuthor.CITIZEN, 1)


async def test_reopening_clears_closed_at_and_a_second_reopen_is_refused(store: Store) -> None:
    appeal = await store.appeals.create(NewAppeal(1, 1, AppealType.TECHNICAL, {}), NOW)
    [closed] = await store.desk.apply(
        [
            AppealChange(
                appeal.id, events=(NewEvent(EventKind.CLOSED, CITIZEN),), status=AppealStatus.CLOSED
            )
        ],
        NOW,
    )
    assert closed is not None and closed.closed_at == NOW

    reopen = AppealChange(
        appeal.id,
        events=(NewEvent(EventKind.REOPENED, CITIZEN),),
        allowed_statuses=frozenset({AppealStatus.CLOSED}),
        status=AppealStatus.IN_PROGRESS,
    )
    later = NOW + timedelta(days=2)
    [reopened, again] = await store.desk.apply([reopen, reopen], later)
    assert reopened is not None and reopened.status == AppealStatus.IN_PROGRESS
    assert reopened.closed_at is None and reopened.is_open
    assert again is None

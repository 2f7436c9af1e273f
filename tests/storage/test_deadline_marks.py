"""Deadline marks on both backends: each left once, with its change, even when raced."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.deadlines import DeadlineKind, DeadlineState
from bot.domain.models import (
    AppealChange,
    AppealType,
    Audience,
    NewAppeal,
    NewOutboxMessage,
    OutboxKind,
)
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.deadlines import PostgresDeadlineRepository
from bot.storage.sqlite.deadlines import SQLiteDeadlineRepository
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BREACHED = DeadlineState.BREACHED


def repository(store: Store) -> SQLiteDeadlineRepository | PostgresDeadlineRepository:
    if isinstance(store.database, PostgresDatabase):
        return PostgresDeadlineRepository(store.database)
    return SQLiteDeadlineRepository(store.database)


def card_update(appeal_id: int) -> AppealChange:
    return AppealChange(
        appeal_id, outbox=(NewOutboxMessage(Audience.OPERATORS, OutboxKind.CARD_UPDATE),)
    )


async def test_a_mark_is_left_once_with_its_change(store: Store) -> None:
    deadlines = repository(store)
    appeal = await store.appeals.create(NewAppeal(1, 1, AppealType.TECHNICAL, {}), NOW)
    assert await deadlines.marks([appeal.id]) == []
    before = await store.value("SELECT COUNT(*) FROM outbox")

    assert await deadlines.mark(
        appeal.id, DeadlineKind.FIRST_RESPONSE, BREACHED, NOW, card_update(appeal.id)
    )
    later = NOW + timedelta(minutes=5)
    assert not await deadlines.mark(
        appeal.id, DeadlineKind.FIRST_RESPONSE, BREACHED, later, card_update(appeal.id)
    )
    assert await deadlines.mark(appeal.id, DeadlineKind.LEGAL, DeadlineState.AT_RISK, later)

    marks = await deadlines.marks([appeal.id])
    assert [(mark.deadline, mark.mark, mark.marked_at) for mark in marks] == [
        (DeadlineKind.FIRST_RESPONSE, BREACHED, NOW),
        (DeadlineKind.LEGAL, DeadlineState.AT_RISK, later),
    ]
    assert await store.value("SELECT COUNT(*) FROM outbox") == before + 1


async def test_racing_checks_leave_one_mark_and_one_change(store: Store) -> None:
    deadlines = repository(store)
    appeals = [
        await store.appeals.create(NewAppeal(1, 1, AppealType.TECHNICAL, {}), NOW) for _ in range(5)
    ]
    before = await store.value("SELECT COUNT(*) FROM outbox")
    results = await asyncio.gather(
        *(
            deadlines.mark(
                appeal.id, DeadlineKind.FIRST_RESPONSE, BREACHED, NOW, card_update(appeal.id)
            )
            for appeal in appeals
            for _ in range(3)
        )
    )
    assert sum(results) == 5
    assert await store.value("SELECT COUNT(*) FROM outbox") == before + 5
    assert len(await deadlines.marks([appeal.id for appeal in appeals])) == 5

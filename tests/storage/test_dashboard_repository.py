"""The dashboard's queries on both backends: searches, daily figures, links used, audit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.dashboard import AppealSearch, AuditAction, AuditEntry
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
from bot.domain.signin import Role
from bot.storage.postgres.dashboard import PostgresDashboardRepository
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.dashboard import SQLiteDashboardRepository
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OPERATOR = Actor(MessageAuthor.OPERATOR, 2001, "Ирина")
CITIZEN = Actor(MessageAuthor.CITIZEN, 1)


def repository(store: Store) -> SQLiteDashboardRepository | PostgresDashboardRepository:
    if isinstance(store.database, PostgresDatabase):
        return PostgresDashboardRepository(store.database)
    return SQLiteDashboardRepository(store.database)


async def test_search_by_number_status_type_and_dates(store: Store) -> None:
    dashboard = repository(store)
    made = []
    for days_ago, kind in [
        (10, AppealType.TECHNICAL),
        (5, AppealType.COMPLAINT),
        (1, AppealType.COMPLAINT),
    ]:
        made.append(
            await store.appeals.create(
                NewAppeal(1, 1, kind, {"topic": "т"}), NOW - timedelta(days=days_ago)
            )
        )
    await store.desk.apply(
        [AppealChange(made[1].id, status=AppealStatus.IN_PROGRESS, assignee=OPERATOR)], NOW
    )

    def numbers(found: list) -> list[str]:
        return [appeal.number for appeal in found]

    everything = await dashboard.search(AppealSearch(), 10)
    assert numbers(everything) == [made[2].number, made[1].number, made[0].number]
    assert numbers(await dashboard.search(AppealSearch(), 2)) == numbers(everything)[:2]
    assert numbers(await dashboard.search(AppealSearch(number="000002"), 10)) == [made[1].number]
    assert numbers(await dashboard.search(AppealSearch(number="2026-"), 10)) == numbers(everything)
    complaints = AppealSearch(type=AppealType.COMPLAINT, status=AppealStatus.IN_PROGRESS)
    found = await dashboard.search(complaints, 10)
    assert numbers(found) == [made[1].number]
    assert found[0].assignee_name == "Ирина"
    window = AppealSearch(
        created_from=NOW - timedelta(days=5), created_before=NOW - timedelta(days=1)
    )
    assert numbers(await dashboard.search(window, 10)) == [made[1].number]
    assert await dashboard.search(AppealSearch(number="%"), 10) == []


async def test_first_responses_and_ratings_since_a_moment(store: Store) -> None:
    dashboard = repository(store)
    old = await store.appeals.create(
        NewAppeal(1, 1, AppealType.CONSULTATION, {}), NOW - timedelta(days=20)
    )
    new = await store.appeals.create(
        NewAppeal(1, 1, AppealType.CONSULTATION, {}), NOW - timedelta(hours=3)
    )
    answer = NewEvent(EventKind.OPERATOR_MESSAGE, OPERATOR, text="ответ")
    await store.desk.apply(
        [AppealChange(old.id, events=(answer,), answered=True)], NOW - timedelta(days=19)
    )
    await store.desk.apply([AppealChange(new.id, events=(answer,), answered=True)], NOW)
    for appeal, score, moment in [(old, 2, NOW - timedelta(days=18)), (new, 5, NOW)]:
        await store.desk.apply(
            [
                AppealChange(
                    appeal.id,
                    events=(NewEvent(EventKind.RATED, CITIZEN, text=str(score)),),
                    rating=score,
                )
            ],
            moment,
        )

    since = NOW - timedelta(days=14)
    assert await dashboard.first_responses(since) == [(new.created_at, NOW)]
    assert await dashboard.ratings(since) == [(NOW, 5)]
    assert len(await dashboard.ratings(NOW - timedelta(days=30))) == 2


async def test_a_link_is_used_once_even_by_two_at_a_time(store: Store) -> None:
    dashboard = repository(store)
    results = await asyncio.gather(*(dashboard.use_link("n-1", 2001, NOW) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert await dashboard.use_link("n-2", 2001, NOW)
    assert await store.value("SELECT COUNT(*) FROM dashboard_links_used") == 2


async def test_the_audit_log_newest_first(store: Store) -> None:
    dashboard = repository(store)
    first = AuditEntry(NOW, 2001, Role.OPERATOR, AuditAction.SIGN_IN)
    second = AuditEntry(
        NOW + timedelta(minutes=1), 3001, Role.SUPERVISOR, AuditAction.EXPORT, "status=new; 3"
    )
    await dashboard.record(first)
    await dashboard.record(second)
    assert await dashboard.audit_log(10) == [second, first]
    assert await dashboard.audit_log(1) == [second]

"""Claims of update ids and the inbox: each id once, on both backends; batched on SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.sqlite import updates
from bot.storage.sqlite.database import Database, Params
from bot.storage.sqlite.updates import SQLiteProcessedUpdates
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BOT = 123456789
UPDATE = "{}"  # the update's JSON, kept with its claim


def count_statements(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    fetchall = database.fetchall

    async def counted(sql: str, params: Params = ()) -> list[sqlite3.Row]:
        seen.append(sql)
        return await fetchall(sql, params)

    monkeypatch.setattr(database, "fetchall", counted)
    return seen


async def test_updates_arriving_together_are_claimed_in_one_statement(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    processed = SQLiteProcessedUpdates(database)
    statements = count_statements(database, monkeypatch)

    claimed = await asyncio.gather(
        *(processed.claim(BOT, n, "run-a", NOW, UPDATE) for n in range(1, 6))
    )

    assert claimed == [True] * 5
    assert len(statements) == 1
    rows = await database.fetchall(
        "SELECT update_id, run_id, status FROM processed_updates ORDER BY update_id"
    )
    assert [tuple(row) for row in rows] == [(n, "run-a", "started") for n in range(1, 6)]


async def test_a_claim_is_committed_when_it_returns(database: Database) -> None:
    assert await SQLiteProcessedUpdates(database).claim(BOT, 7, "run-a", NOW, UPDATE)

    other = sqlite3.connect(database.path)
    try:
        assert other.execute("SELECT run_id FROM processed_updates").fetchall() == [("run-a",)]
    finally:
        other.close()


async def test_the_same_update_claimed_thrice_at_once_is_handled_once(store: Store) -> None:
    claimed = await asyncio.gather(
        *(store.updates.claim(BOT, 9, "run-a", NOW, UPDATE) for _ in range(3))
    )

    assert sorted(claimed) == [False, False, True]


async def test_only_updates_a_dead_run_left_unfinished_are_taken_over(store: Store) -> None:
    processed = store.updates
    await asyncio.gather(*(processed.claim(BOT, n, "dead-run", NOW, UPDATE) for n in (1, 2)))
    await processed.finish(BOT, 2)

    # A dead run renews no lease: once it runs out (on PostgreSQL), another run takes over.
    later = NOW + timedelta(minutes=5)
    claimed = await asyncio.gather(
        processed.claim(BOT, 1, "run-b", later, UPDATE),  # started by a run that died
        processed.claim(BOT, 2, "run-b", later, UPDATE),  # finished
        processed.claim(BOT, 3, "run-b", later, UPDATE),  # new
    )
    again = await processed.claim(BOT, 3, "run-b", later, UPDATE)  # this run has it already

    assert claimed == [True, False, True]
    assert again is False
    assert await store.rows(
        "SELECT update_id, run_id, status FROM processed_updates ORDER BY update_id"
    ) == [(1, "run-b", "started"), (2, "dead-run", "done"), (3, "run-b", "started")]


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
async def test_a_live_runs_updates_stay_its_own_while_it_renews_their_leases(
    store: Store,
) -> None:
    processed = store.updates
    lease = processed.lease
    await processed.claim(BOT, 1, "run-a", NOW, UPDATE)
    assert await processed.claim(BOT, 1, "run-b", NOW + lease / 2, UPDATE) is False
    assert await processed.unfinished(BOT, NOW + lease / 2) == []
    # Run A's heartbeat extends the lease; B still cannot take it where it would have.
    assert await processed.renew("run-a", NOW + lease / 2) == 1
    assert await processed.claim(BOT, 1, "run-b", NOW + lease, UPDATE) is False
    # Run A dies: no more renewals, and once the lease runs out B takes the update over.
    expired = NOW + lease / 2 + lease
    assert await processed.unfinished(BOT, expired) == [(1, UPDATE)]
    assert await processed.claim(BOT, 1, "run-b", expired, UPDATE) is True
    assert await processed.renew("run-a", expired) == 0


async def test_a_big_batch_is_split_into_statements(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(updates, "_CLAIMS_PER_STATEMENT", 2)
    processed = SQLiteProcessedUpdates(database)
    statements = count_statements(database, monkeypatch)

    claimed = await asyncio.gather(
        *(processed.claim(BOT, n, "run-a", NOW, UPDATE) for n in range(5))
    )

    assert claimed == [True] * 5
    assert len(statements) == 3


async def test_a_failed_statement_fails_every_claim_of_its_batch(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    processed = SQLiteProcessedUpdates(database)

    async def broken(sql: str, params: Params = ()) -> list[sqlite3.Row]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(database, "fetchall", broken)
    results = await asyncio.gather(
        *(processed.claim(BOT, n, "run-a", NOW, UPDATE) for n in (1, 2)),
        return_exceptions=True,
    )
    monkeypatch.undo()

    assert [type(result) for result in results] == [sqlite3.OperationalError] * 2
    assert await processed.claim(BOT, 1, "run-a", NOW, UPDATE) is True  # nothing was taken


async def test_the_inbox_keeps_an_update_until_it_is_done(store: Store) -> None:
    processed = store.updates
    await asyncio.gather(
        *(processed.claim(BOT, n, "dead-run", NOW, f'{{"update_id": {n}}}') for n in (12, 11, 13))
    )
    await processed.finish(BOT, 12)

    assert await processed.unfinished(BOT) == [(11, '{"update_id": 11}'), (13, '{"update_id": 13}')]
    assert await processed.unfinished(BOT + 1) == []
    assert await store.rows(
        "SELECT update_id, payload FROM processed_updates WHERE status = 'done'"
    ) == [(12, None)]


async def test_old_ids_are_pruned(store: Store) -> None:
    await store.updates.claim(BOT, 1, "run-a", NOW - timedelta(days=2), UPDATE)
    await store.updates.claim(BOT, 2, "run-a", NOW, UPDATE)

    assert await store.updates.prune(NOW - timedelta(days=1)) == 1
    assert await store.rows("SELECT update_id FROM processed_updates") == [(2,)]

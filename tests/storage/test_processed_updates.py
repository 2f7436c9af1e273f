"""Claims of update ids (storage/sqlite/updates.py): batched, committed, each id once."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.storage.sqlite import updates
from bot.storage.sqlite.database import Database, Params
from bot.storage.sqlite.updates import SQLiteProcessedUpdates

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BOT = 123456789


def count_statements(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    fetchall = database.fetchall

    async def counted(sql: str, params: Params = ()) -> list[sqlite3.Row]:
        seen.append(sql)
        return await fetchall(sql, params)

    monkeypatch.setattr(database, "fetchall", counted)
    return seen


async def test_updates_arriving_together_are_claimed_in_one_statement(
    database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    processed = SQLiteProcessedUpdates(database)
    statements = count_statements(database, monkeypatch)

    claimed = await asyncio.gather(*(processed.claim(BOT, n, "run-a", NOW) for n in range(1, 6)))

    assert claimed == [True] * 5
    assert len(statements) == 1
    rows = await database.fetchall(
        "SELECT update_id, run_id, status FROM processed_updates ORDER BY update_id"
    )
    assert [tuple(row) for row in rows] == [(n, "run-a", "started") for n in range(1, 6)]


async def test_a_claim_is_committed_when_it_returns(database: Database) -> None:
    assert await SQLiteProcessedUpdates(database).claim(BOT, 7, "run-a", NOW)

    other = sqlite3.connect(database.path)
    try:
        assert other.execute("SELECT run_id FROM processed_updates").fetchall() == [("run-a",)]
    finally:
        other.close()


async def test_the_same_update_twice_in_one_batch_is_handled_once(database: Database) -> None:
    processed = SQLiteProcessedUpdates(database)

    claimed = await asyncio.gather(*(processed.claim(BOT, 9, "run-a", NOW) for _ in range(3)))

    assert claimed == [True, False, False]


async def test_only_updates_a_dead_run_left_unfinished_are_taken_over(database: Database) -> None:
    processed = SQLiteProcessedUpdates(database)
    await asyncio.gather(*(processed.claim(BOT, n, "dead-run", NOW) for n in (1, 2)))
    await processed.finish(BOT, 2)

    claimed = await asyncio.gather(
        processed.claim(BOT, 1, "run-b", NOW),  # started by a run that died
        processed.claim(BOT, 2, "run-b", NOW),  # finished
        processed.claim(BOT, 3, "run-b", NOW),  # new
    )
    again = await processed.claim(BOT, 3, "run-b", NOW)  # this run has it already

    assert claimed == [True, False, True]
    assert again is False
    rows = await database.fetchall(
        "SELECT update_id, run_id, status FROM processed_updates ORDER BY update_id"
    )
    assert [tuple(row) for row in rows] == [
        (1, "run-b", "started"), (2, "dead-run", "done"), (3, "run-b", "started"),
    ]


async def test_a_big_batch_is_split_into_statements(
    database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(updates, "_CLAIMS_PER_STATEMENT", 2)
    processed = SQLiteProcessedUpdates(database)
    statements = count_statements(database, monkeypatch)

    claimed = await asyncio.gather(*(processed.claim(BOT, n, "run-a", NOW) for n in range(5)))

    assert claimed == [True] * 5
    assert len(statements) == 3


async def test_a_failed_statement_fails_every_claim_of_its_batch(
    database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    processed = SQLiteProcessedUpdates(database)

    async def broken(sql: str, params: Params = ()) -> list[sqlite3.Row]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(database, "fetchall", broken)
    results = await asyncio.gather(
        *(processed.claim(BOT, n, "run-a", NOW) for n in (1, 2)), return_exceptions=True,
    )
    monkeypatch.undo()

    assert [type(result) for result in results] == [sqlite3.OperationalError] * 2
    assert await processed.claim(BOT, 1, "run-a", NOW) is True  # nothing was taken

"""The public contract of Database that repositories (and the operator desk) rely on."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.sqlite.database import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(tmp_path / "db.sqlite3")
    await db.connect()
    await db.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER)")
    yield db
    await db.close()


def read_elsewhere(path: Path, sql: str) -> list[tuple]:
    """What another process would see: a separate plain connection."""
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


async def test_transaction_is_committed_when_the_block_exits(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO counters VALUES ('a', 1)")
        await tx.execute("UPDATE counters SET value = 2 WHERE name = 'a'")
    assert read_elsewhere(database.path, "SELECT value FROM counters") == [(2,)]


async def test_transaction_is_rolled_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO counters VALUES ('a', 1)")
            raise RuntimeError("handler failed")
    assert await database.fetchall("SELECT * FROM counters") == []
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO counters VALUES ('b', 1)")
    assert [tuple(row) for row in await database.fetchall("SELECT * FROM counters")] == [("b", 1)]


async def test_transactions_do_not_interleave(database: Database) -> None:
    await database.execute("INSERT INTO counters VALUES ('n', 0)")

    async def increment() -> None:
        async with database.transaction() as tx:
            row = await tx.fetchone("SELECT value FROM counters WHERE name = 'n'")
            assert row is not None
            await asyncio.sleep(0)
            await tx.execute("UPDATE counters SET value = ? WHERE name = 'n'", (row[0] + 1,))

    await asyncio.gather(*(increment() for _ in range(50)))
    row = await database.fetchone("SELECT value FROM counters WHERE name = 'n'")
    assert row is not None and row[0] == 50


async def test_execute_commits_and_returns_the_row_id(database: Database) -> None:
    await database.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    first = await database.execute("INSERT INTO notes (text) VALUES (?)", ("one",))
    second = await database.execute("INSERT INTO notes (text) VALUES (:text)", {"text": "two"})
    assert (first, second) == (1, 2)
    assert read_elsewhere(database.path, "SELECT text FROM notes ORDER BY id") == [
        ("one",),
        ("two",),
    ]


async def test_rows_are_addressable_by_name(database: Database) -> None:
    await database.execute("INSERT INTO counters VALUES ('a', 1)")
    row = await database.fetchone("SELECT name, value FROM counters")
    assert row is not None and row["name"] == "a" and row["value"] == 1
    assert await database.fetchone("SELECT * FROM counters WHERE name = 'missing'") is None


async def test_transaction_helpers(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.executemany("INSERT INTO counters VALUES (?, ?)", [("a", 1), ("b", 2)])
        changed = await tx.execute_rowcount("UPDATE counters SET value = value + 1")
        rows = await tx.fetchall("SELECT value FROM counters ORDER BY name")
    assert changed == 2
    assert [row[0] for row in rows] == [2, 3]


async def test_migrations_are_applied_once(database: Database) -> None:
    assert await database.migrate() == []
    row = await database.fetchone("SELECT COUNT(*) FROM schema_migrations")
    assert row is not None and row[0] >= 1


async def test_backup_is_a_consistent_copy(database: Database, tmp_path: Path) -> None:
    await database.execute("INSERT INTO counters VALUES ('a', 1)")
    await database.backup(tmp_path / "copy" / "backup.sqlite3")
    assert read_elsewhere(tmp_path / "copy" / "backup.sqlite3", "SELECT * FROM counters") == [
        ("a", 1)
    ]


async def test_unconnected_database_refuses_work(tmp_path: Path) -> None:
    database = Database(tmp_path / "never.sqlite3")
    with pytest.raises(RuntimeError):
        await database.fetchone("SELECT 1")


async def test_a_failed_commit_is_rolled_back_and_the_database_stays_usable(
    database: Database,
) -> None:
    await database.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
    await database.execute(
        "CREATE TABLE children (parent_id INTEGER"
        " REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(sqlite3.IntegrityError):
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO children VALUES (42)")  # checked at COMMIT
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO parents VALUES (42)")
        await tx.execute("INSERT INTO children VALUES (42)")
    assert await database.fetchall("SELECT parent_id FROM children") != []


async def test_commits_never_checkpoint_a_background_task_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.database.CHECKPOINT_INTERVAL", 0.05)
    db = Database(tmp_path / "db.sqlite3")
    await db.connect()
    try:
        assert (await db.fetchone("PRAGMA wal_autocheckpoint"))[0] == 0
        await db.execute("CREATE TABLE blobs (data BLOB)")
        size_before = db.path.stat().st_size
        for _ in range(64):  # 4 MiB: SQLite alone would checkpoint inside a commit at 1,000 pages
            await db.commit_grouped([("INSERT INTO blobs VALUES (zeroblob(65536))", ())])
        for _ in range(100):
            if db.path.stat().st_size > size_before + 4_000_000:
                break
            await asyncio.sleep(0.02)
        assert db.path.stat().st_size > size_before + 4_000_000  # the log reached the file
    finally:
        await db.close()


async def test_a_lone_grouped_statement_and_a_group_both_commit(database: Database) -> None:
    await database.commit_grouped([("INSERT INTO counters VALUES ('alone', 1)", ())])
    await asyncio.gather(
        *(
            database.commit_grouped([(f"INSERT INTO counters VALUES ('{name}', 1)", ())])
            for name in "abc"
        )
    )
    assert sorted(read_elsewhere(database.path, "SELECT name FROM counters")) == [
        ("a",),
        ("alone",),
        ("b",),
        ("c",),
    ]


def wal_size(database: Database) -> int:
    return database.path.with_name(database.path.name + "-wal").stat().st_size


def hold_a_snapshot(path: Path) -> sqlite3.Connection:
    """Another process in the middle of reading (a backup): the log's pages stay in use."""
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM counters").fetchall()
    return reader


async def test_truncate_log_empties_the_log_once_a_reader_lets_go(database: Database) -> None:
    await database.execute("INSERT INTO counters VALUES ('before', 1)")
    reader = hold_a_snapshot(database.path)
    await database.execute("INSERT INTO counters VALUES ('secret', 2)")
    truncating = asyncio.create_task(database.truncate_log())

    await asyncio.sleep(0.3)  # several attempts, all refused while the snapshot is held
    assert not truncating.done()
    assert await database.fetchone("SELECT value FROM counters WHERE name = 'before'") is not None
    reader.close()

    assert await truncating is True
    assert wal_size(database) == 0
    assert read_elsewhere(database.path, "SELECT value FROM counters ORDER BY value") == [
        (1,),
        (2,),
    ]


async def test_truncate_log_gives_up_after_a_bounded_wait_and_the_checkpoint_goes_on(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("bot.storage.sqlite.database.TRUNCATE_ATTEMPTS", 3)
    monkeypatch.setattr("bot.storage.sqlite.database.CHECKPOINT_INTERVAL", 0.05)
    caplog.set_level(logging.INFO, logger="bot.storage.sqlite.database")
    database = Database(tmp_path / "db.sqlite3")
    await database.connect()
    try:
        await database.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER)")
        reader = hold_a_snapshot(database.path)
        await database.execute("INSERT INTO counters VALUES ('secret', 1)")
        assert await database.truncate_log() is False
        assert "WAL not truncated" in caplog.text
        await database.execute("INSERT INTO counters VALUES ('b', 2)")  # the bot goes on
        reader.close()
        for _ in range(100):
            # The file is empty once SQLite truncated it; the log line comes when the
            # checkpoint returns (with synchronous=FULL, after the fsync that follows).
            if wal_size(database) == 0 and "WAL truncated at last" in caplog.text:
                break
            await asyncio.sleep(0.02)
        assert wal_size(database) == 0  # the background checkpoint truncated it
        assert "WAL truncated at last" in caplog.text
    finally:
        await database.close()


async def test_every_connection_deletes_securely(database: Database) -> None:
    # Debian's SQLite is built with secure_delete on; other builds are not.
    assert (await database.fetchone("PRAGMA secure_delete"))[0] == 1

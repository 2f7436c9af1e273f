"""The FSM storages (SQLite, PostgreSQL) behave like aiogram's storages (their own test
cases), keep state and data apart, keep every part of the key apart, and persist."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.fsm import PostgresStorage
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.fsm import SQLiteStorage
from testkit.postgres import database_in_schema
from tests.storage.conftest import Store

KEY = StorageKey(bot_id=42, chat_id=-1001, user_id=7)


class Form(StatesGroup):
    waiting_for_name = State()


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(tmp_path / "fsm.sqlite3")
    await db.connect()
    yield db
    await db.close()


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def storage(request: pytest.FixtureRequest) -> BaseStorage:
    """Ours, and aiogram's MemoryStorage as the reference the cases must also hold for.

    (Nothing to close: our storages leave the database to its owner.)"""
    if request.param == "sqlite":
        return SQLiteStorage(request.getfixturevalue("database"))
    if request.param == "postgres":
        return PostgresStorage(request.getfixturevalue("postgres_database"))
    return MemoryStorage()


async def rows(database: Database) -> int:
    row = await database.fetchone("SELECT COUNT(*) FROM fsm_sessions")
    assert row is not None
    return int(row[0])


# --- aiogram's own storage cases --------------------------------------------------


async def test_set_state(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    await storage.set_state(KEY, "state")
    assert await storage.get_state(KEY) == "state"
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None


async def test_set_state_takes_a_state_object(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.waiting_for_name)
    assert await storage.get_state(KEY) == "Form:waiting_for_name"


async def test_set_data(storage: BaseStorage) -> None:
    assert await storage.get_data(KEY) == {}
    await storage.set_data(KEY, {"foo": "bar"})
    assert await storage.get_data(KEY) == {"foo": "bar"}
    await storage.set_data(KEY, {})
    assert await storage.get_data(KEY) == {}


async def test_update_data(storage: BaseStorage) -> None:
    assert await storage.get_data(KEY) == {}
    assert await storage.update_data(KEY, {"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {}) == {"foo": "bar"}
    assert await storage.get_data(KEY) == {"foo": "bar"}
    assert await storage.update_data(KEY, {"baz": "spam"}) == {"foo": "bar", "baz": "spam"}
    assert await storage.get_data(KEY) == {"foo": "bar", "baz": "spam"}
    assert await storage.update_data(KEY, {"baz": "test"}) == {"foo": "bar", "baz": "test"}
    assert await storage.get_data(KEY) == {"foo": "bar", "baz": "test"}


async def test_get_value(storage: BaseStorage) -> None:
    assert await storage.get_value(KEY, "hello") is None
    assert await storage.get_value(KEY, "hello", "world") == "world"
    await storage.set_data(KEY, {"hello": "earth"})
    assert await storage.get_value(KEY, "hello") == "earth"
    assert await storage.get_value(KEY, "hello", "world") == "earth"


@pytest.mark.parametrize("data", [[("foo", "bar")], "foo", 42, None])
async def test_data_must_be_a_dict(storage: BaseStorage, data: object) -> None:
    with pytest.raises(DataNotDictLikeError):
        await storage.set_data(KEY, data)  # type: ignore[arg-type]


async def test_returned_data_is_a_copy(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"items": ["a"]})
    data = await storage.get_data(KEY)
    data["items"] = ["changed"]
    data["new"] = 1
    assert await storage.get_data(KEY) == {"items": ["a"]}


# --- state and data are independent; empty rows disappear ----------------------


async def test_empty_data_keeps_the_state(storage: BaseStorage) -> None:
    await storage.set_state(KEY, "state")
    await storage.set_data(KEY, {"foo": "bar"})
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) == "state"


async def test_no_state_keeps_the_data(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"foo": "bar"})
    await storage.set_state(KEY, "state")
    await storage.set_state(KEY, None)
    assert await storage.get_data(KEY) == {"foo": "bar"}


async def session_rows(store: Store) -> int:
    return int(await store.value("SELECT COUNT(*) FROM fsm_sessions"))


async def test_row_is_removed_once_state_and_data_are_empty(store: Store) -> None:
    storage = store.fsm
    await storage.set_state(KEY, "state")
    await storage.set_data(KEY, {"foo": "bar"})
    assert await session_rows(store) == 1
    await storage.set_state(KEY, None)
    assert await session_rows(store) == 1
    await storage.set_data(KEY, {})
    assert await session_rows(store) == 0
    await storage.update_data(KEY, {"foo": "bar"})
    await storage.update_data(KEY, {})
    await storage.set_data(KEY, {})
    assert await session_rows(store) == 0


async def test_reading_a_missing_key_stores_nothing(store: Store) -> None:
    storage = store.fsm
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await storage.update_data(KEY, {}) == {}
    assert await session_rows(store) == 0


# --- every part of the key counts -------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=42, chat_id=-1001, user_id=7, destiny="scene"),
        StorageKey(bot_id=42, chat_id=-1001, user_id=7, thread_id=5),
        StorageKey(bot_id=42, chat_id=-1001, user_id=7, business_connection_id="biz"),
        StorageKey(bot_id=43, chat_id=-1001, user_id=7),
        StorageKey(bot_id=42, chat_id=-1002, user_id=7),
        StorageKey(bot_id=42, chat_id=-1001, user_id=8),
    ],
    ids=["destiny", "thread", "business", "bot", "chat", "user"],
)
async def test_keys_differing_in_one_part_are_kept_apart(
    storage: BaseStorage, other: StorageKey
) -> None:
    await storage.set_state(KEY, "mine")
    await storage.set_data(KEY, {"who": "me"})
    await storage.set_state(other, "theirs")
    await storage.set_data(other, {"who": "them"})
    assert await storage.get_state(KEY) == "mine"
    assert await storage.get_data(KEY) == {"who": "me"}
    assert await storage.get_state(other) == "theirs"
    assert await storage.get_data(other) == {"who": "them"}


# --- persistence ---------------------------------------------------------------------


async def test_postgres_state_and_data_are_shared_by_processes_and_survive_reopening(
    postgres_database: PostgresDatabase,
    postgres_server: str,
    postgres_schema: str,
) -> None:
    other_process = database_in_schema(postgres_server, postgres_schema)
    await other_process.connect()
    try:
        mine, theirs = PostgresStorage(postgres_database), PostgresStorage(other_process)
        await mine.set_state(KEY, Form.waiting_for_name)
        await mine.set_data(KEY, {"name": "Анна"})
        assert await theirs.get_state(KEY) == "Form:waiting_for_name"
        await theirs.update_data(KEY, {"phone": "+79123456789"})
        assert await mine.get_data(KEY) == {"name": "Анна", "phone": "+79123456789"}
    finally:
        await other_process.close()
    await postgres_database.close()
    await postgres_database.connect()
    assert await PostgresStorage(postgres_database).get_data(KEY) == {
        "name": "Анна",
        "phone": "+79123456789",
    }


async def test_postgres_merges_of_one_key_from_two_processes_all_land(
    postgres_database: PostgresDatabase,
    postgres_server: str,
    postgres_schema: str,
) -> None:
    other_process = database_in_schema(postgres_server, postgres_schema)
    await other_process.connect()
    try:
        storages = [PostgresStorage(postgres_database), PostgresStorage(other_process)]
        await asyncio.gather(
            *(storages[n % 2].update_data(KEY, {f"field{n}": n}) for n in range(20))
        )
    finally:
        await other_process.close()
    assert await PostgresStorage(postgres_database).get_data(KEY) == {
        f"field{n}": n for n in range(20)
    }


async def test_state_and_data_survive_reopening_the_database(tmp_path: Path) -> None:
    path = tmp_path / "reopen.sqlite3"
    first = Database(path)
    await first.connect()
    storage = SQLiteStorage(first)
    await storage.set_state(KEY, Form.waiting_for_name)
    await storage.set_data(KEY, {"name": "Анна", "phones": ["+79123456789"], "n": 1.5})
    await storage.close()
    await first.close()

    second = Database(path)
    await second.connect()
    try:
        reopened = SQLiteStorage(second)
        assert await reopened.get_state(KEY) == "Form:waiting_for_name"
        assert await reopened.get_data(KEY) == {
            "name": "Анна",
            "phones": ["+79123456789"],
            "n": 1.5,
        }
    finally:
        await second.close()


async def test_data_is_stored_as_readable_json_in_its_own_order(store: Store) -> None:
    await store.fsm.set_data(KEY, {"name": "Анна", "age": 30})
    assert await store.value("SELECT CAST(data AS TEXT) FROM fsm_sessions") == (
        '{"name":"Анна","age":30}'
    )
    assert list(await store.fsm.get_data(KEY)) == ["name", "age"]


_KILLED_WRITER = """
import asyncio, os, signal, sys
from aiogram.fsm.storage.base import StorageKey
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.fsm import PostgresStorage
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.fsm import SQLiteStorage
from testkit.postgres import database_in_schema
from tests.storage.conftest import Store

async def main():
    database = Database(sys.argv[1])
    await database.connect()
    storage = SQLiteStorage(database)
    keys = [StorageKey(bot_id=42, chat_id=user, user_id=user) for user in range(1, 51)]
    await asyncio.gather(*(storage.set_state(key, f"state-{key.user_id}") for key in keys))
    await storage.set_data(keys[0], {"last": True})
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint: as if the process died

asyncio.run(main())
"""


async def test_a_write_that_returned_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _KILLED_WRITER, str(path), cwd=Path(__file__).parents[2]
    )
    assert await process.wait() == -signal.SIGKILL

    database = Database(path)
    await database.connect()
    try:
        storage = SQLiteStorage(database)
        for user in range(1, 51):
            key = StorageKey(bot_id=42, chat_id=user, user_id=user)
            assert await storage.get_state(key) == f"state-{user}"
        assert await storage.get_data(StorageKey(bot_id=42, chat_id=1, user_id=1)) == {"last": True}
    finally:
        await database.close()


# --- one read per update, group commit -------------------------------------------------


class CountingDatabase:
    """Counts the reads and transactions a storage asks of the database, and keeps the
    statements it commits."""

    def __init__(self, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads = 0
        self.transactions = 0
        self.statements: list[object] = []
        fetchone, transaction = database.fetchone, database.transaction
        commit_grouped = database.commit_grouped

        async def counting_commits(batch: Any) -> None:
            self.statements.extend(batch)
            await commit_grouped(batch)

        async def counting_fetchone(*args: object) -> object:
            self.reads += 1
            return await fetchone(*args)  # type: ignore[arg-type]

        def counting_transaction() -> object:
            self.transactions += 1
            return transaction()

        monkeypatch.setattr(database, "fetchone", counting_fetchone)
        monkeypatch.setattr(database, "transaction", counting_transaction)
        monkeypatch.setattr(database, "commit_grouped", counting_commits)


async def test_an_update_reads_its_row_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database, cache_size=0)
    await storage.set_data(KEY, {"step": 1})
    counting = CountingDatabase(database, monkeypatch)

    async with storage.update_scope(KEY):
        assert await storage.get_state(KEY) is None
        assert await storage.get_data(KEY) == {"step": 1}
        await storage.update_data(KEY, {"step": 2})
        await storage.set_state(KEY, "next")
        assert await storage.get_state(KEY) == "next"
        assert await storage.get_data(KEY) == {"step": 2}

    assert counting.reads == 1
    assert await storage.get_data(KEY) == {"step": 2}
    assert counting.reads == 2  # outside an update every read asks the database


async def test_writes_in_an_update_are_committed_before_they_return(database: Database) -> None:
    storage = SQLiteStorage(database)
    async with storage.update_scope(KEY):
        await storage.get_state(KEY)
        await storage.set_state(KEY, "committed")
        await storage.set_data(KEY, {"a": 1})
        with sqlite3.connect(database.path) as elsewhere:
            assert elsewhere.execute("SELECT state, data FROM fsm_sessions").fetchall() == [
                ("committed", '{"a":1}')
            ]
        await storage.set_state(KEY, None)
        await storage.set_data(KEY, {})
        with sqlite3.connect(database.path) as elsewhere:
            assert elsewhere.execute("SELECT COUNT(*) FROM fsm_sessions").fetchone() == (0,)


async def test_a_write_before_any_read_in_an_update_is_not_lost(database: Database) -> None:
    storage = SQLiteStorage(database)
    await storage.set_data(KEY, {"kept": True})
    async with storage.update_scope(KEY):
        await storage.set_state(KEY, "written first")
        assert await storage.get_state(KEY) == "written first"
        assert await storage.get_data(KEY) == {"kept": True}


async def test_concurrent_writes_share_commits(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    counting = CountingDatabase(database, monkeypatch)
    keys = [StorageKey(bot_id=42, chat_id=user, user_id=user) for user in range(100)]

    await asyncio.gather(*(storage.set_state(key, "waiting") for key in keys))

    assert counting.transactions < 10
    assert await rows(database) == 100


async def test_a_failing_write_does_not_fail_the_others_of_its_group(database: Database) -> None:
    await database.execute("CREATE TABLE guarded (value INTEGER CHECK (value > 0))")
    good = [database.commit_grouped([("INSERT INTO guarded VALUES (?)", (n,))]) for n in (1, 2)]
    bad = database.commit_grouped([("INSERT INTO guarded VALUES (?)", (-1,))])

    outcomes = await asyncio.gather(*good, bad, return_exceptions=True)

    assert outcomes[:2] == [None, None]
    assert isinstance(outcomes[2], sqlite3.IntegrityError)
    assert [row[0] for row in await database.fetchall("SELECT value FROM guarded")] == [1, 2]


async def test_scopes_end_with_their_updates(database: Database) -> None:
    storage = SQLiteStorage(database)
    isolation = storage.event_isolation()
    async with isolation.lock(KEY):
        await storage.set_state(KEY, "inside")
    assert isolation.keys_held == 0
    assert await storage.get_state(KEY) == "inside"


# --- recently used rows in memory ------------------------------------------------


async def save_in_an_update(
    storage: SQLiteStorage, state: str, data: dict[str, Any] | None = None
) -> None:
    """As a dialogue step does: read the row, then write it."""
    async with storage.update_scope(KEY):
        await storage.get_state(KEY)
        if data is not None:
            await storage.set_data(KEY, data)
        await storage.set_state(KEY, state)


async def test_a_dialogues_next_update_reads_nothing_from_the_database(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    counting = CountingDatabase(database, monkeypatch)
    async with storage.update_scope(KEY):
        assert await storage.get_state(KEY) is None
        await storage.update_data(KEY, {"topic": "Оплата"})
        await storage.set_state(KEY, "waiting")
    assert counting.reads == 1

    async with storage.update_scope(KEY):
        assert await storage.get_state(KEY) == "waiting"
        assert await storage.get_data(KEY) == {"topic": "Оплата"}
    assert counting.reads == 1
    assert storage.cached_rows == 1
    # What memory answered is what the database holds.
    assert await SQLiteStorage(database, cache_size=0).get_data(KEY) == {"topic": "Оплата"}


async def test_memory_holds_at_most_cache_size_rows(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database, cache_size=3)
    keys = [StorageKey(bot_id=42, chat_id=user, user_id=user) for user in range(5)]
    for number, key in enumerate(keys):
        await storage.set_data(key, {"n": number})
        await storage.get_data(key)
    assert storage.cached_rows == 3

    counting = CountingDatabase(database, monkeypatch)
    assert await storage.get_data(keys[4]) == {"n": 4}
    assert counting.reads == 0
    assert await storage.get_data(keys[0]) == {"n": 0}  # the least recent one was dropped
    assert counting.reads == 1


async def test_a_failed_write_leaves_memory_with_the_committed_row(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    await save_in_an_update(storage, "committed")

    def failing(statements: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(database, "commit_grouped", failing)
    with pytest.raises(sqlite3.OperationalError):
        await save_in_an_update(storage, "never committed")
    monkeypatch.undo()

    assert await storage.get_state(KEY) == "committed"


async def test_a_column_write_outside_an_update_is_read_back_whole(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    await save_in_an_update(storage, "first", {"kept": True})

    await storage.set_state(KEY, "second")  # no update holds the key: one column written

    assert await storage.get_state(KEY) == "second"
    assert await storage.get_data(KEY) == {"kept": True}


async def test_a_read_overlapping_a_write_is_not_kept(database: Database) -> None:
    storage = SQLiteStorage(database)
    await storage.set_state(KEY, "old")

    # The read reaches the database before the write's group commit does.
    await asyncio.gather(storage.set_state(KEY, "new"), storage.get_state(KEY))

    assert await storage.get_state(KEY) == "new"


# aiogram_dialog keeps each chat's dialogue stack and each dialogue's context under keys of
# their own (other destinies), which no update's scope covers.
STACK = StorageKey(bot_id=42, chat_id=-1001, user_id=7, destiny="aiogd:stack:")


async def test_a_key_outside_the_updates_scope_is_kept_from_its_first_write(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    await storage.set_data(STACK, {"intents": ["a"]})  # never read: the data column written
    counting = CountingDatabase(database, monkeypatch)

    for step in range(3):  # three updates, each reading the stack and saving it changed
        async with storage.update_scope(KEY):
            assert await storage.get_data(STACK) == {"intents": ["a"] * (step + 1)}
            await storage.set_data(STACK, {"intents": ["a"] * (step + 2)})

    assert counting.reads == 0
    assert await SQLiteStorage(database, cache_size=0).get_data(STACK) == {"intents": ["a"] * 4}


async def test_a_data_write_keeps_the_data_and_leaves_the_state_to_be_read(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await SQLiteStorage(database, cache_size=0).set_state(KEY, "waiting")
    storage = SQLiteStorage(database)
    await storage.set_data(KEY, {"topic": "Оплата"})  # this storage has not seen the state
    counting = CountingDatabase(database, monkeypatch)

    assert await storage.get_data(KEY) == {"topic": "Оплата"}
    await storage.set_data(KEY, {"topic": "Оплата"})
    assert (counting.reads, counting.statements) == (0, [])  # memory answered; nothing to save
    assert await storage.get_state(KEY) == "waiting"  # the write left it: read from the row
    assert counting.reads == 1
    assert await storage.get_state(KEY) == "waiting"
    assert await storage.get_data(KEY) == {"topic": "Оплата"}
    assert counting.reads == 1  # the whole row is in memory now


async def test_saving_what_is_committed_writes_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    await save_in_an_update(storage, "waiting", {"topic": "Оплата"})
    assert await storage.get_data(STACK) == {}
    counting = CountingDatabase(database, monkeypatch)

    await save_in_an_update(storage, "waiting", {"topic": "Оплата"})
    await storage.set_data(STACK, {})
    await storage.set_state(STACK, None)
    assert counting.statements == []
    assert counting.reads == 0

    await save_in_an_update(storage, "next", {"topic": "Оплата"})
    assert len(counting.statements) == 1  # the state changed: the whole row, once
    assert await SQLiteStorage(database, cache_size=0).get_state(KEY) == "next"


async def test_a_read_overlapping_a_write_of_another_key_is_kept(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(database)
    other = StorageKey(bot_id=42, chat_id=-1002, user_id=8)
    await storage.set_state(KEY, "mine")

    # The read asks the database first; the other key's write starts while it waits.
    await asyncio.gather(storage.get_state(KEY), storage.set_state(other, "theirs"))

    counting = CountingDatabase(database, monkeypatch)
    assert await storage.get_state(KEY) == "mine"
    assert counting.reads == 0

"""aiogram FSM storage on PostgreSQL, for when Redis is not configured.

The whole StorageKey is the row's key (bot, chat, user, thread, business
connection and destiny kept apart; a missing thread is 0 and a missing business
connection ''); data is JSON (``json``: kept as written), never pickle; state and
data are independent columns, so clearing one never wipes the other, and a row
disappears once both are empty.

Several processes write these rows, so nothing is kept in memory: every read
asks the database, and every write is committed before it returns.
:meth:`PostgresStorage.update_data` merges under the row's lock, so concurrent
updates of one key from two processes both land.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from asyncpg import Connection

from bot.storage.postgres.database import PostgresDatabase

Key = tuple[int, int, int, int, str, str]

_KEY_COLUMNS = "bot_id, chat_id, user_id, thread_id, business_connection_id, destiny"
_KEY_MATCH = (
    "bot_id = $1 AND chat_id = $2 AND user_id = $3 AND thread_id = $4"
    " AND business_connection_id = $5 AND destiny = $6"
)
_EMPTY = "data::text = '{}'"  # json has no equality; an empty dict is always written as {}

_SELECT = f"SELECT state, data FROM fsm_sessions WHERE {_KEY_MATCH}"
_LOCK_ROW = f"{_SELECT} FOR UPDATE"
_ENSURE_ROW = (
    f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT DO NOTHING"
)
_UPSERT_STATE = (
    f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, state) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET state = excluded.state, updated_at = now()"
)
_UPSERT_DATA = (
    f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, data) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET data = excluded.data, updated_at = now()"
)
_DELETE_IF_EMPTY = f"DELETE FROM fsm_sessions WHERE {_KEY_MATCH} AND state IS NULL AND {_EMPTY}"


def _key(key: StorageKey) -> Key:
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


class PostgresStorage(BaseStorage):
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._db.pool.fetchrow(_SELECT, *_key(key))
        return None if row is None else row["state"]

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._db.pool.fetchrow(_SELECT, *_key(key))
        return {} if row is None else row["data"]

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._db.transaction() as connection:
            await connection.execute(_UPSERT_STATE, *_key(key), value)
            if value is None:
                await connection.execute(_DELETE_IF_EMPTY, *_key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        _check_dict(data)
        async with self._db.transaction() as connection:
            await self._write_data(connection, _key(key), data)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        _check_dict(data)
        async with self._db.transaction() as connection:
            # A row to lock even for a new key: a concurrent merge waits for this one.
            await connection.execute(_ENSURE_ROW, *_key(key))
            row = await connection.fetchrow(_LOCK_ROW, *_key(key))
            merged = {**row["data"], **data}
            await self._write_data(connection, _key(key), merged)
        return merged.copy()

    async def _write_data(self, connection: Connection, key: Key, data: Mapping[str, Any]) -> None:
        await connection.execute(_UPSERT_DATA, *key, dict(data))
        if not data:
            await connection.execute(_DELETE_IF_EMPTY, *key)

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""


def _check_dict(data: object) -> None:
    if not isinstance(data, dict):
        msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
        raise DataNotDictLikeError(msg)

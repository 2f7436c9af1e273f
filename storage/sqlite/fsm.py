"""aiogram FSM storage on the bot's SQLite database.

State and data survive a restart of the bot process. The whole StorageKey is
the row's key (scenes use their own destiny); data is JSON, never pickle;
state and data are independent columns, so clearing one never wipes the
other, and a row disappears once both are empty.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage.sqlite.database import Database, Transaction

_KEY_COLUMNS = "bot_id, chat_id, user_id, thread_id, business_connection_id, destiny"
_KEY_MATCH = (
    "bot_id = ? AND chat_id = ? AND user_id = ? AND thread_id = ?"
    " AND business_connection_id = ? AND destiny = ?"
)
_EMPTY_DATA = "{}"


def _key(key: StorageKey) -> tuple[int, int, int, int, str, str]:
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


class SQLiteStorage(BaseStorage):
    def __init__(self, database: Database) -> None:
        self._db = database

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, state) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET state = excluded.state,"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                (*_key(key), value),
            )
            if value is None:
                await self._drop_if_empty(tx, key)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._db.fetchone(
            f"SELECT state FROM fsm_sessions WHERE {_KEY_MATCH}", _key(key)
        )
        return None if row is None else row[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, data) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET data = excluded.data,"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                (*_key(key), encoded),
            )
            if not data:
                await self._drop_if_empty(tx, key)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._db.fetchone(
            f"SELECT data FROM fsm_sessions WHERE {_KEY_MATCH}", _key(key)
        )
        return {} if row is None else json.loads(row[0])

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""

    @staticmethod
    async def _drop_if_empty(tx: Transaction, key: StorageKey) -> None:
        await tx.execute(
            f"DELETE FROM fsm_sessions WHERE {_KEY_MATCH} AND state IS NULL AND data = ?",
            (*_key(key), _EMPTY_DATA),
        )

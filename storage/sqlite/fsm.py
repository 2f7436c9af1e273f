"""aiogram FSM storage on the bot's SQLite database.

State and data survive a restart of the bot process. The whole StorageKey is
the row's key (scenes use their own destiny); data is JSON, never pickle;
state and data are independent columns, so clearing one never wipes the
other, and a row disappears once both are empty.

Speed comes from three things. An update reads its key's row once: the
event isolation this storage provides (:meth:`SQLiteStorage.event_isolation`)
opens a scope for the key while the update runs, the first read fills it
with state and data, and later reads of that update use it. The update's own
writes wait in the scope until the bot is about to send a request to
Telegram, or the update ends (:meth:`SQLiteStorage.write_pending`, called by
``bot.middlewares.state_writes``): a dialogue step that sets data and then
the state commits once. Commits go through the database's group commit, so
concurrent updates share one transaction. A state change is therefore
durable before any reply that follows it is sent, and before the update is
marked handled. Writes from outside the key's update (another task, a test)
are committed before they return.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage.isolation import KeyedEventIsolation
from storage.sqlite.database import Database, Statement

_KEY_COLUMNS = "bot_id, chat_id, user_id, thread_id, business_connection_id, destiny"
_KEY_MATCH = (
    "bot_id = ? AND chat_id = ? AND user_id = ? AND thread_id = ?"
    " AND business_connection_id = ? AND destiny = ?"
)
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
_EMPTY_DATA = "{}"

_SELECT = f"SELECT state, data FROM fsm_sessions WHERE {_KEY_MATCH}"
_UPSERT_ROW = (
    f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, state, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    f" ON CONFLICT DO UPDATE SET state = excluded.state, data = excluded.data, updated_at = {_NOW}"
)
_UPSERT_STATE = (
    f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, state) VALUES (?, ?, ?, ?, ?, ?, ?)"
    f" ON CONFLICT DO UPDATE SET state = excluded.state, updated_at = {_NOW}"
)
_UPSERT_DATA = (
    f"INSERT INTO fsm_sessions ({_KEY_COLUMNS}, data) VALUES (?, ?, ?, ?, ?, ?, ?)"
    f" ON CONFLICT DO UPDATE SET data = excluded.data, updated_at = {_NOW}"
)
_DELETE = f"DELETE FROM fsm_sessions WHERE {_KEY_MATCH}"
_DELETE_IF_EMPTY = f"{_DELETE} AND state IS NULL AND data = '{_EMPTY_DATA}'"

Key = tuple[int, int, int, int, str, str]


def _key(key: StorageKey) -> Key:
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


class _Row:
    """State and JSON-encoded data of one key, as committed."""

    __slots__ = ("state", "data")

    def __init__(self, state: str | None, data: str) -> None:
        self.state = state
        self.data = data

    def statement(self, key: Key) -> Statement:
        """The one statement that makes the table hold this row (or no row)."""
        if self.state is None and self.data == _EMPTY_DATA:
            return _DELETE, key
        return _UPSERT_ROW, (*key, self.state, self.data)


class _Scope:
    """A key's row while one update holds the key, and the update's unsaved writes.

    ``version`` counts writes made while the row was not loaded yet, so a
    read that started before such a write never stores its older row.
    ``unsaved`` holds the statements of the update's own writes not yet
    committed: one statement for the whole row once it is loaded, the
    column-wise statements of each write before that.
    """

    __slots__ = ("owner", "key", "row", "version", "unsaved")

    def __init__(self, owner: SQLiteStorage, key: Key) -> None:
        self.owner = owner
        self.key = key
        self.row: _Row | None = None
        self.version = 0
        self.unsaved: list[Statement] = []

    def keep(self, statements: list[Statement]) -> None:
        if self.row is not None:
            self.unsaved = statements  # the whole row's statement supersedes earlier ones
        else:
            self.unsaved.extend(statements)
            self.version += 1  # a read already under way must not keep its older row


# The scope of the update the current task is handling (set while it holds the key).
_OWN_SCOPE: ContextVar[_Scope | None] = ContextVar("fsm_own_scope", default=None)


class SQLiteStorage(BaseStorage):
    def __init__(self, database: Database) -> None:
        self._db = database
        self._scopes: dict[StorageKey, _Scope] = {}

    def event_isolation(self) -> KeyedEventIsolation:
        """The dispatcher's event isolation, also scoping this storage's reads to updates."""
        return _ScopingIsolation(self)

    @asynccontextmanager
    async def update_scope(self, key: StorageKey) -> AsyncGenerator[None, None]:
        """While the block runs, ``key`` is read from the database at most once,
        and the block's own writes of ``key`` are committed at the latest when it ends."""
        scope = self._scopes[key] = _Scope(self, _key(key))
        token = _OWN_SCOPE.set(scope)
        try:
            yield
        finally:
            try:
                await self.write_pending()  # also when the handler failed after writing
            finally:
                _OWN_SCOPE.reset(token)
                del self._scopes[key]

    async def write_pending(self) -> None:
        """Commit the current update's unsaved writes (nothing outside an update)."""
        scope = _OWN_SCOPE.get()
        if scope is not None and scope.owner is self and scope.unsaved:
            statements, scope.unsaved = scope.unsaved, []
            await self._write(scope, statements)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(key)).state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return json.loads((await self._row(key)).data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        scope = self._scopes.get(key)
        if scope is not None and scope.row is not None:
            scope.row.state = value
            statements = [scope.row.statement(scope.key)]
        else:
            statements = [(_UPSERT_STATE, (*_key(key), value))]
            if value is None:
                statements.append((_DELETE_IF_EMPTY, _key(key)))
        await self._save(scope, statements)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        scope = self._scopes.get(key)
        if scope is not None and scope.row is not None:
            scope.row.data = encoded
            statements = [scope.row.statement(scope.key)]
        else:
            statements = [(_UPSERT_DATA, (*_key(key), encoded))]
            if not data:
                statements.append((_DELETE_IF_EMPTY, _key(key)))
        await self._save(scope, statements)

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""

    async def _row(self, key: StorageKey) -> _Row:
        scope = self._scopes.get(key)
        if scope is not None and scope.row is not None:
            return scope.row
        if scope is not None and scope.unsaved and scope is _OWN_SCOPE.get():
            await self.write_pending()  # column-wise writes: the database knows the row
        version = scope.version if scope is not None else 0
        found = await self._db.fetchone(_SELECT, _key(key))
        row = _Row(None, _EMPTY_DATA) if found is None else _Row(found[0], found[1])
        if scope is not None and scope.row is None and scope.version == version:
            scope.row = row
        return row

    async def _save(self, scope: _Scope | None, statements: list[Statement]) -> None:
        if scope is not None and scope is _OWN_SCOPE.get():
            scope.keep(statements)  # committed before the next request or the update's end
            return
        await self._write(scope, statements)

    async def _write(self, scope: _Scope | None, statements: list[Statement]) -> None:
        if scope is not None and scope.row is None:
            scope.version += 1
        try:
            await self._db.commit_grouped(statements)
        except BaseException:
            if scope is not None:
                scope.row = None  # unknown now: the next read asks the database
                scope.version += 1
            raise


class _ScopingIsolation(KeyedEventIsolation):
    def __init__(self, storage: SQLiteStorage) -> None:
        super().__init__()
        self._storage = storage

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with super().lock(key), self._storage.update_scope(key):
            yield

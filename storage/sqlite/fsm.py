"""aiogram FSM storage on the bot's SQLite database.

State and data survive a restart of the bot process. The whole StorageKey is
the row's key (scenes use their own destiny); data is JSON, never pickle;
state and data are independent columns, so clearing one never wipes the
other, and a row disappears once both are empty.

Speed comes from three things. An update reads its key's row once: the
event isolation this storage provides (:meth:`SQLiteStorage.event_isolation`)
opens a scope for the key while the update runs, the first read fills it
with state and data, and later reads and writes of that update use it.
Writes go through the database's group commit: concurrent updates share one
transaction, and every write returns only after the commit that contains it,
so a state is durable before the handler sends its reply. And the rows of
the most recently active keys (``cache_size`` of them, least recently used
dropped first) stay in memory as last committed, so a citizen's next update
in a dialogue reads nothing from the database.

The cache is write-through and holds only committed rows: a row enters it
after the commit that wrote the whole row, or from a read no write of that key
overlapped; a failed write drops the key. A write of the data alone to a key
not in memory leaves the data there with the state unknown: enough for
``get_data``, and ``get_state`` reads the row. That is what aiogram_dialog
does with a dialogue it opens (its keys have data only), so the dialogue's
next update reads nothing from the database. A key held in memory is written
whole (the column not written is known), so it stays there: that matters for
aiogram_dialog's keys (each chat's dialogue stack, each dialogue's context),
which no update's scope covers. Saving what is committed already
(aiogram_dialog saves the stack and the context after every update, aiogram
clears an empty state) writes nothing. It is coherent because the bot is the
database's only writer and every change of ``fsm_sessions`` goes through this
storage, except the erasure of a citizen's data, which deletes their rows in
its own transaction and then calls :meth:`SQLiteStorage.forget_user`. Its
memory is bounded by ``cache_size``, not by the number of citizens.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from enum import Enum
from typing import Any, Literal

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.storage.isolation import KeyedEventIsolation
from bot.storage.sqlite.database import Database, Statement

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


class _Column(Enum):
    UNKNOWN = "unknown"  # a column of a row in memory that was not written (nor read)


UNKNOWN = _Column.UNKNOWN
StateColumn = str | Literal[_Column.UNKNOWN] | None
Committed = tuple[StateColumn, str]  # state, JSON data
DEFAULT_CACHE_SIZE = 10_000


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

    __slots__ = ("data", "state")

    def __init__(self, state: str | None, data: str) -> None:
        self.state = state
        self.data = data

    def statement(self, key: Key) -> Statement:
        """The one statement that makes the table hold this row (or no row)."""
        if self.state is None and self.data == _EMPTY_DATA:
            return _DELETE, key
        return _UPSERT_ROW, (*key, self.state, self.data)


class _Scope:
    """A key's row while one update holds the key.

    ``version`` counts writes made while the row was not loaded yet, so a
    read that started before such a write never stores its older row.
    """

    __slots__ = ("row", "version")

    def __init__(self) -> None:
        self.row: _Row | None = None
        self.version = 0


class _RecentRows:
    """Committed (state, data) of the most recently used keys, at most ``size`` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[StorageKey, Committed] = OrderedDict()

    def get(self, key: StorageKey) -> Committed | None:
        found = self._rows.get(key)
        if found is not None:
            self._rows.move_to_end(key)
        return found

    def put(self, key: StorageKey, state: StateColumn, data: str) -> None:
        if self.size <= 0:
            return
        self._rows[key] = (state, data)
        self._rows.move_to_end(key)
        if len(self._rows) > self.size:
            self._rows.popitem(last=False)

    def drop(self, key: StorageKey) -> None:
        self._rows.pop(key, None)

    def drop_user(self, user_id: int) -> None:
        for key in [key for key in self._rows if key.user_id == user_id]:
            del self._rows[key]

    def __len__(self) -> int:
        return len(self._rows)


class SQLiteStorage(BaseStorage):
    def __init__(self, database: Database, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._db = database
        self._scopes: dict[StorageKey, _Scope] = {}
        self._recent = _RecentRows(cache_size)
        self._writing: dict[StorageKey, int] = {}  # writes of a key not committed yet
        self._reading: dict[StorageKey, int] = {}  # reads of a key asking the database
        self._overlapped: set[StorageKey] = set()  # keys written while being read

    @property
    def cached_rows(self) -> int:
        """Rows held in memory (for tests and monitoring)."""
        return len(self._recent)

    async def holds_user(self, user_id: int) -> bool:
        """False: the memory holds copies of ``fsm_sessions`` rows, which the database's
        erasure finds and names itself."""
        return False

    async def forget_user(self, user_id: int) -> None:
        """Drop from memory every row of ``user_id`` (their rows were deleted in the database)."""
        self._recent.drop_user(user_id)

    def event_isolation(self) -> KeyedEventIsolation:
        """The dispatcher's event isolation, also scoping this storage's reads to updates."""
        return _ScopingIsolation(self)

    @asynccontextmanager
    async def update_scope(self, key: StorageKey) -> AsyncGenerator[None, None]:
        """While the block runs, ``key`` is read from the database at most once."""
        self._scopes[key] = _Scope()
        try:
            yield
        finally:
            del self._scopes[key]

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(key)).state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        scope = self._scopes.get(key)
        if scope is None or scope.row is None:
            recent = self._recent.get(key)
            if recent is not None and recent[0] is UNKNOWN:
                return json.loads(recent[1])  # the data alone is known
        return json.loads((await self._row(key)).data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        scope = self._scopes.get(key)
        row = self._known(key, scope)
        if row is not None:
            if row.state == value and key not in self._writing:
                return  # committed already
            row.state = value
            await self._write(key, scope, [row.statement(_key(key))], row)
            return
        statements: list[Statement] = [(_UPSERT_STATE, (*_key(key), value))]
        if value is None:
            statements.append((_DELETE_IF_EMPTY, _key(key)))
        await self._write(key, scope, statements)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        scope = self._scopes.get(key)
        row = self._known(key, scope)
        if row is not None:
            if row.data == encoded and key not in self._writing:
                return  # committed already
            row.data = encoded
            await self._write(key, scope, [row.statement(_key(key))], row)
            return
        recent = self._recent.get(key)
        if recent is not None and recent[1] == encoded and key not in self._writing:
            return  # committed already (the state is not known)
        statements: list[Statement] = [(_UPSERT_DATA, (*_key(key), encoded))]
        if not data:
            statements.append((_DELETE_IF_EMPTY, _key(key)))
        await self._write(key, scope, statements, data_only=encoded)

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""

    def _known(self, key: StorageKey, scope: _Scope | None) -> _Row | None:
        """The key's whole row as this process knows it without reading, if it does.

        From the update's scope, or from memory unless a write of the key is in flight
        (memory then holds nothing of it). Nothing awaits between this and the write that
        follows it, so no other write of the key can start in between.
        """
        if scope is not None and scope.row is not None:
            return scope.row
        recent = self._recent.get(key)
        if recent is None or recent[0] is UNKNOWN:
            return None
        row = _Row(recent[0], recent[1])
        if scope is not None:
            scope.row = row
        return row

    async def _row(self, key: StorageKey) -> _Row:
        scope = self._scopes.get(key)
        known = self._known(key, scope)
        if known is not None:
            return known
        version = scope.version if scope is not None else 0
        self._reading[key] = self._reading.get(key, 0) + 1
        try:
            found = await self._db.fetchone(_SELECT, _key(key))
        finally:
            still_reading = self._reading.pop(key) - 1
            if still_reading:
                self._reading[key] = still_reading
            overlapped = key in self._overlapped
            if not still_reading:
                self._overlapped.discard(key)
        row = _Row(None, _EMPTY_DATA) if found is None else _Row(found[0], found[1])
        if scope is not None and scope.row is None and scope.version == version:
            scope.row = row
        if not overlapped and key not in self._writing:
            self._recent.put(key, row.state, row.data)  # no write of the key overlapped the read
        return row

    async def _write(
        self,
        key: StorageKey,
        scope: _Scope | None,
        statements: list[Statement],
        whole: _Row | None = None,
        data_only: str | None = None,
    ) -> None:
        """Commit ``statements``; ``whole`` is the row they leave, if they write all of it,
        ``data_only`` the data they leave, if they write only that."""
        if scope is not None and scope.row is None:
            scope.version += 1
        # Until committed the database may hold either row; nothing puts the key
        # back while a write of it is in flight (see below and ``_row``).
        self._recent.drop(key)
        committed: Committed | None = None
        if whole is not None:
            committed = (whole.state, whole.data)
        elif data_only is not None:
            committed = (UNKNOWN, data_only)
        self._writing[key] = self._writing.get(key, 0) + 1
        if key in self._reading:
            self._overlapped.add(key)
        try:
            await self._db.commit_grouped(statements)
        except BaseException:
            if scope is not None:
                scope.row = None  # unknown now: the next read asks the database
                scope.version += 1
            raise
        finally:
            left = self._writing.pop(key) - 1
            if left:
                self._writing[key] = left
        if committed is not None and not left:
            self._recent.put(key, *committed)


class _ScopingIsolation(KeyedEventIsolation):
    def __init__(self, storage: SQLiteStorage) -> None:
        super().__init__()
        self._storage = storage

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with super().lock(key), self._storage.update_scope(key):
            yield

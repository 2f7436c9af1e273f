"""The FSM storages compared, by name.

``ours`` is the project's SQLite storage on the bot's own database;
``memory`` is aiogram's MemoryStorage (the ceiling: no persistence at all);
the peers are the SQLite storages published on PyPI, installed only with the
``bench`` extra. A peer that cannot be imported is reported, not faked.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.storage.sqlite.database import Database

OURS = "ours"
MEMORY = "memory"
PEERS = {
    # name on PyPI: (module, class, keyword arguments besides the file)
    "aiogram-sqlite-storage": (
        "aiogram_sqlite_storage.sqlitestore",
        "SQLStorage",
        {"serializing_method": "json"},
    ),
    "aiogram-fsm-sqlitestorage": ("aiogram_fsm_sqlitestorage", "SQLiteStorage", {}),
}
# The production mode (issue 17): the bot's data in PostgreSQL (TEST_POSTGRES_URL), its FSM
# in PostgreSQL too or in Redis (TEST_REDIS_URL), wired by bot.app.Application as a cluster
# process is. PostgreSQL commits with synchronous_commit=on (the server's default; checked
# when the case starts): a commit is fsynced before it returns, as ours at "full".
POSTGRES = "postgres"
POSTGRES_REDIS = "postgres+redis"
SERVER_BACKED = (POSTGRES, POSTGRES_REDIS)
ALL = (OURS, MEMORY, *PEERS, *SERVER_BACKED)
# Peers that break aiogram's storage contract in ways the bot trips on (see
# _to_aiogram_contract).
MENDED = frozenset({"aiogram-sqlite-storage"})

# Durability, the same words as the bot's DURABILITY setting, for every row of a
# table: the bot's own tables (appeals, claims, outbox) commit at it whatever the
# FSM storage. Ours is that setting; a peer at "full" is as shipped (SQLite's
# defaults: rollback journal, synchronous=FULL, an fsync per commit) and at
# "process" has WAL and synchronous=NORMAL set by a PRAGMA on its connection,
# nothing else changed; MemoryStorage keeps no FSM state at either.
FULL, PROCESS = "full", "process"
DURABILITIES = (FULL, PROCESS)


def describe(name: str, durability: str) -> str:
    """The durability column of the tables: what the FSM storage's commit survives."""
    if name == MEMORY:
        return "none (FSM in memory)"
    if name == OURS:
        return f"{durability} (DURABILITY={durability})"
    if name == POSTGRES:
        return "full (PostgreSQL, synchronous_commit=on)"
    if name == POSTGRES_REDIS:
        return "full for data (PostgreSQL); FSM in Redis as configured (appendfsync)"
    if durability == FULL:
        return "full (as shipped: rollback journal, synchronous=FULL)"
    return "process (PRAGMA journal_mode=WAL, synchronous=NORMAL)"


def unavailable_reason(name: str) -> str | None:
    """Why a storage cannot be measured here, or None when it can."""
    if name in SERVER_BACKED:
        return _servers_unreachable(name == POSTGRES_REDIS)
    if name not in PEERS:
        return None if name in ALL else f"unknown storage {name!r}"
    module, cls, _ = PEERS[name]
    try:
        getattr(_import_quietly(module), cls)
    except (ImportError, AttributeError) as error:
        return f"{name} is not importable ({error}); install the 'bench' extra"
    return None


def create_storage(
    name: str, database: Database, workdir: Path, durability: str = FULL
) -> BaseStorage | None:
    """The FSM storage to measure; None: ours, the one the bot builds on its database (which
    carries the durability)."""
    if name == OURS:
        return None
    if name == MEMORY:
        return MemoryStorage()
    module, cls, options = PEERS[name]
    storage_class = getattr(_import_quietly(module), cls)
    if name in MENDED:
        storage_class = _to_aiogram_contract(storage_class)
    storage: BaseStorage = storage_class(db_path=str(workdir / f"{name}.sqlite3"), **options)
    if durability == PROCESS:
        connection = peer_connection(storage)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    return storage


def _to_aiogram_contract(storage_class: type[BaseStorage]) -> type[BaseStorage]:
    """The peer with two departures from aiogram's ``BaseStorage`` contract mended.

    aiogram-sqlite-storage keys rows on bot:chat:user only, so aiogram_dialog's
    stack and context (the same chat and user, another destiny) overwrite the
    citizen's state; and it returns None, not ``{}``, for a key without data,
    which aiogram_dialog cannot load. Either breaks the dialogues (the bot
    apologises, no keyboard comes back). Only the key's text and that None
    change: the peer's statements, commits and connection stay its own.
    """

    class Mended(storage_class):  # type: ignore[valid-type,misc]
        def _key(self, key: StorageKey) -> str:
            return ":".join(
                str(part)
                for part in (
                    key.bot_id,
                    key.chat_id,
                    key.user_id,
                    key.thread_id,
                    key.business_connection_id,
                    key.destiny,
                )
            )

        async def get_data(self, key: StorageKey) -> dict[str, Any]:
            return await super().get_data(key) or {}

    Mended.__name__ = Mended.__qualname__ = f"{storage_class.__name__}Mended"
    return Mended


def peer_connection(storage: BaseStorage) -> sqlite3.Connection:
    """The one connection a peer keeps and writes through (each names it its own way)."""
    if isinstance(getattr(storage, "con", None), sqlite3.Connection):  # aiogram-sqlite-storage
        return storage.con  # type: ignore[attr-defined,no-any-return]
    # aiogram-fsm-sqlitestorage opens it on first use and keeps it.
    connection = storage._get_connection()  # type: ignore[attr-defined]
    if not isinstance(connection, sqlite3.Connection):
        raise RuntimeError(f"{type(storage).__name__}: no connection to set the pragmas on")
    return connection


def _import_quietly(module: str) -> ModuleType:
    """Import a peer without keeping its side effects on logging.

    aiogram-fsm-sqlitestorage calls ``logging.basicConfig(level=INFO)`` on
    import, which would make aiogram log every update to stderr: a cost of
    the import, not of the storage, so it is undone here.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        return importlib.import_module(module)
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


def _servers_unreachable(with_redis: bool) -> str | None:
    # testkit's probes and URLs: the same servers the tests use.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from testkit.postgres import postgres_url
    from testkit.postgres import unreachable_reason as postgres_unreachable
    from testkit.redis import redis_url
    from testkit.redis import unreachable_reason as redis_unreachable

    def probe() -> str | None:
        reason = asyncio.run(postgres_unreachable(postgres_url()))
        if reason is None and with_redis:
            reason = asyncio.run(redis_unreachable(redis_url()))
        return reason

    # In a thread of its own: the caller may be inside an event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(probe).result()

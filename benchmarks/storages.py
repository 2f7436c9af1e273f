"""The FSM storages compared, by name.

``ours`` is the project's SQLite storage on the bot's own database;
``memory`` is aiogram's MemoryStorage (the ceiling: no persistence at all);
the peers are the SQLite storages published on PyPI, installed only with the
``bench`` extra. A peer that cannot be imported is reported, not faked.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import ModuleType

from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from bot.storage.sqlite.database import Database

OURS = "ours"
MEMORY = "memory"
PEERS = {
    # name on PyPI: (module, class, keyword arguments besides the file)
    "aiogram-sqlite-storage": ("aiogram_sqlite_storage.sqlitestore", "SQLStorage",
                               {"serializing_method": "json"}),
    "aiogram-fsm-sqlitestorage": ("aiogram_fsm_sqlitestorage", "SQLiteStorage", {}),
}
ALL = (OURS, MEMORY, *PEERS)


def unavailable_reason(name: str) -> str | None:
    """Why a storage cannot be measured here, or None when it can."""
    if name not in PEERS:
        return None if name in ALL else f"unknown storage {name!r}"
    module, cls, _ = PEERS[name]
    try:
        getattr(_import_quietly(module), cls)
    except (ImportError, AttributeError) as error:
        return f"{name} is not importable ({error}); install the 'bench' extra"
    return None


def create_storage(name: str, database: Database, workdir: Path) -> BaseStorage | None:
    """The FSM storage to measure; None: ours, the one the bot builds on its database."""
    if name == OURS:
        return None
    if name == MEMORY:
        return MemoryStorage()
    module, cls, options = PEERS[name]
    storage_class = getattr(_import_quietly(module), cls)
    return storage_class(db_path=str(workdir / f"{name}.sqlite3"), **options)


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

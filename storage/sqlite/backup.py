"""Restoring a copy made by ``python -m bot backup`` (the copy itself: Database.backup).

A copy is put back only if it passes ``PRAGMA integrity_check`` and is a bot database, and
only while no process has the database open: a running bot would find its file replaced
and stop (see database.py), and the answers it committed meanwhile would be lost. SQLite
tells: leaving WAL mode needs every other connection closed, so ``PRAGMA
journal_mode=DELETE`` on the current file, with no waiting, fails while a bot runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from pathlib import Path


class RestoreRefused(Exception):
    """Why the copy was not put in place (the current database is left as it was)."""


class DatabaseInUse(RestoreRefused):
    pass


class DamagedCopy(RestoreRefused):
    pass


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` finds in the file (nothing: a sound bot database)."""
    if not path.is_file():
        return [f"no file {path}"]
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [str(error)]
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            return problems
        known = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        return [] if known else ["not a database of this bot (no schema_migrations)"]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        connection.close()


def restore(copy: Path, target: Path) -> None:
    """Put ``copy`` in place of ``target``; :class:`RestoreRefused` says why not."""
    problems = integrity_problems(copy)
    if problems:
        raise DamagedCopy("; ".join(problems[:3]))
    guard: sqlite3.Connection | None = None
    if target.exists():
        guard = sqlite3.connect(
            f"{target.absolute().as_uri()}?mode=rw", uri=True, timeout=0, isolation_level=None
        )
        try:
            # Also folds the current log into the file and removes it: no stale -wal is
            # left to be replayed over the restored copy.
            guard.execute("PRAGMA journal_mode=DELETE")
            guard.execute("BEGIN EXCLUSIVE")  # a bot starting meanwhile waits
        except sqlite3.OperationalError as error:
            guard.close()
            raise DatabaseInUse(str(error)) from error
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    try:
        shutil.copyfile(copy, staged)
        with staged.open("rb+") as file:
            os.fsync(file.fileno())
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{target}{suffix}")
        os.replace(staged, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(staged)
        if guard is not None:
            guard.close()

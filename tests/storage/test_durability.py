"""DURABILITY: the pragma SQLite runs with, and the group commit sharing one commit (one fsync)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error
from bot.storage.sqlite.database import Database

# PRAGMA synchronous reads back as a number: 1 NORMAL, 2 FULL.
SYNCHRONOUS_NORMAL, SYNCHRONOUS_FULL = 1, 2


async def synchronous_in_force(settings: Settings) -> tuple[int, str]:
    database = Database(settings.database_path, durability=settings.durability)
    await database.connect()
    try:
        synchronous = await database.fetchone("PRAGMA synchronous")
        journal = await database.fetchone("PRAGMA journal_mode")
        assert synchronous is not None and journal is not None
        return synchronous[0], journal[0]
    finally:
        await database.close()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, SYNCHRONOUS_FULL),  # the default keeps the promise of a number given
        ({"DURABILITY": "full"}, SYNCHRONOUS_FULL),
        ({"DURABILITY": "process"}, SYNCHRONOUS_NORMAL),
        ({"DURABILITY": " Process "}, SYNCHRONOUS_NORMAL),
    ],
)
async def test_the_setting_decides_the_pragma_in_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: int
) -> None:
    monkeypatch.delenv("DURABILITY", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3")

    assert await synchronous_in_force(settings) == (expected, "wal")


async def test_a_reopened_file_takes_the_durability_of_the_new_connection(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    process = Settings(_env_file=None, database_path=path, durability="process")
    full = Settings(_env_file=None, database_path=path, durability="full")

    assert await synchronous_in_force(process) == (SYNCHRONOUS_NORMAL, "wal")
    assert await synchronous_in_force(full) == (SYNCHRONOUS_FULL, "wal")


def test_an_unknown_durability_is_named_in_one_line() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, durability="paranoid")
    line = describe_settings_error(caught.value)
    assert "DURABILITY" in line and "\n" not in line


def test_the_database_refuses_an_unknown_durability(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="durability"):
        Database(tmp_path / "bot.sqlite3", durability="paranoid")  # type: ignore[arg-type]


@pytest.mark.parametrize("durability", ["full", "process"])
async def test_concurrent_writers_share_one_commit(tmp_path: Path, durability: str) -> None:
    """With ``full`` each commit is an fsync of the log: writers arriving together pay one."""
    database = Database(tmp_path / "bot.sqlite3", durability=durability)  # type: ignore[arg-type]
    await database.connect()
    try:
        await database.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER)")
        traced: list[str] = []
        await database.connection.set_trace_callback(traced.append)

        await asyncio.gather(
            *(
                database.commit_grouped(
                    [
                        ("INSERT INTO counters VALUES (?, 1)", (f"writer {index}",)),
                        (
                            "UPDATE counters SET value = value + 1 WHERE name = ?",
                            (f"writer {index}",),
                        ),
                    ]
                )
                for index in range(20)
            )
        )
        await database.connection.set_trace_callback(None)

        commits = [sql for sql in traced if sql.strip().upper() == "COMMIT"]
        assert len(commits) == 1, traced
        rows = await database.fetchall("SELECT value FROM counters")
        assert [row[0] for row in rows] == [2] * 20
    finally:
        await database.close()

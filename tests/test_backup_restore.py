"""``python -m bot backup`` while citizens file appeals, and ``python -m bot restore``."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage.sqlite.database import Database
from testkit.harness import BotHarness, Person
from tests.desk_helpers import file_consultation

pytestmark = pytest.mark.sqlite_only(
    reason="backup and restore copy the SQLite file (PostgreSQL's backups are pg_dump's)"
)

ROOT = Path(__file__).resolve().parents[1]


def cli_env(settings: Settings) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "1:abc",
        "DATABASE_PATH": str(settings.database_path),
    }


async def run_cli(settings: Settings, *args: str, cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=cli_env(settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def committed_numbers(database: Database) -> set[str]:
    return {row[0] for row in await database.fetchall("SELECT number FROM appeals")}


def numbers_in(path: Path) -> set[str]:
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in copy.execute("SELECT number FROM appeals")}


async def test_backup_while_citizens_file_appeals_holds_every_appeal_committed_before(
    harness: BotHarness,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    citizens = [Person(5000 + index, f"Гражданин {index}") for index in range(4)]
    for person in citizens:
        await file_consultation(harness, person)  # a database with something in it
    filing = True
    filed_during = 0

    async def keep_filing(person: Person) -> None:
        nonlocal filed_during
        while filing:
            await file_consultation(harness, person, description=f"Вопрос {filed_during}")
            filed_during += 1

    filers = [asyncio.create_task(keep_filing(person)) for person in citizens]
    await asyncio.sleep(0.2)  # the filing is in full swing
    before = await committed_numbers(database)
    target = tmp_path / "copies" / "backup.sqlite3"
    code, out, err = await run_cli(settings, "backup", str(target), cwd=tmp_path)
    filing = False
    await asyncio.gather(*filers)

    assert code == 0, err
    assert "проверка целостности пройдена" in out
    copied = numbers_in(target)
    assert before <= copied  # every appeal committed before the backup began
    assert filed_during > len(citizens)  # appeals were being filed all along
    assert copied <= await committed_numbers(database)  # and nothing half-made


async def test_restore_refuses_while_the_bot_has_the_database_open(
    harness: BotHarness,
    citizen: Person,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    await file_consultation(harness, citizen)
    target = tmp_path / "backup.sqlite3"
    assert (await run_cli(settings, "backup", str(target), cwd=tmp_path))[0] == 0
    await file_consultation(harness, citizen)
    numbers = await committed_numbers(database)

    code, out, err = await run_cli(settings, "restore", str(target), cwd=tmp_path)

    assert code == 2
    assert "открыта работающим ботом" in err and out == ""
    assert await committed_numbers(database) == numbers  # the running bot goes on
    await file_consultation(harness, citizen)


async def test_restore_refuses_a_damaged_copy(
    harness: BotHarness,
    citizen: Person,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    await file_consultation(harness, citizen)
    target = tmp_path / "backup.sqlite3"
    assert (await run_cli(settings, "backup", str(target), cwd=tmp_path))[0] == 0
    await database.close()
    data = bytearray(target.read_bytes())
    page = 4096
    data[page + 16 : 3 * page] = b"\xff" * (3 * page - page - 16)  # pages 2 and 3 scribbled on
    target.write_bytes(bytes(data))
    kept = settings.database_path.read_bytes()

    code, _, err = await run_cli(settings, "restore", str(target), cwd=tmp_path)

    assert code == 2
    assert "повреждена" in err
    assert settings.database_path.read_bytes() == kept

    code, _, err = await run_cli(settings, "restore", str(tmp_path / "missing"), cwd=tmp_path)
    assert code == 2 and "no file" in err


async def test_restore_of_a_stopped_bot_puts_the_copy_back(
    harness: BotHarness,
    citizen: Person,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    first = await file_consultation(harness, citizen)
    target = tmp_path / "backup.sqlite3"
    assert (await run_cli(settings, "backup", str(target), cwd=tmp_path))[0] == 0
    await file_consultation(harness, citizen)  # after the copy: lost by the restore
    await database.close()

    code, out, err = await run_cli(settings, "restore", str(target), cwd=tmp_path)

    assert code == 0, err
    assert "восстановлена" in out
    restored = Database(settings.database_path)
    await restored.connect(verify=True)  # as the bot starts
    try:
        assert await committed_numbers(restored) == {first}
    finally:
        await restored.close()
    assert not Path(f"{settings.database_path}.restoring").exists()


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
async def test_restore_refuses_what_is_not_a_bot_database(
    settings: Settings,
    tmp_path: Path,
    content: bytes,
) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(content)
    if not content:
        sqlite3.connect(copy).close()  # an empty but sound SQLite file
    code, _, err = await run_cli(settings, "restore", str(copy), cwd=tmp_path)
    assert code == 2
    assert "не от этого бота" in err


async def test_restore_into_a_new_place_creates_the_folder(
    harness: BotHarness,
    citizen: Person,
    settings: Settings,
    tmp_path: Path,
) -> None:
    number = await file_consultation(harness, citizen)
    target = tmp_path / "backup.sqlite3"
    assert (await run_cli(settings, "backup", str(target), cwd=tmp_path))[0] == 0
    elsewhere = settings.model_copy(
        update={"database_path": tmp_path / "new" / "place" / "bot.sqlite3"}
    )

    code, _, err = await run_cli(elsewhere, "restore", str(target), cwd=tmp_path)

    assert code == 0, err
    assert numbers_in(elsewhere.database_path) == {number}

"""A database file corrupted, deleted or replaced: the bot stops with one line, saves nothing
it cannot keep, and tells no citizen that something was saved when it was not."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

from bot.storage.faults import FaultKind, StorageFault
from bot.storage.sqlite.database import Database
from fake_telegram import FakeTelegram, FakeUser, StoredMessage
from tests.hardening.bot_process import bot_environment, start_bot

TOKEN = "7100000003:FAULT-test"
STORAGE_FAULT_EXIT = 3
INSERT_DONE_UPDATE = (
    "INSERT INTO processed_updates (bot_id, update_id, run_id, status, received_at, payload)"
    " VALUES (1, ?, 'run', 'done', '2026-11-23T09:00:00.000000Z', ?)"
)


async def new_database(path: Path, rows: int = 0) -> None:
    """A migrated database file; ``rows`` inbox rows make it span many pages."""
    database = Database(path)
    await database.connect()
    for start in range(0, rows, 500):
        await database.commit_grouped(
            [
                (
                    INSERT_DONE_UPDATE,
                    (update_id, "x" * 300),
                )
                for update_id in range(start, min(start + 500, rows))
            ]
        )
    await database.close()


def write_garbage_into_the_middle(path: Path) -> None:
    middle_page = path.stat().st_size // 2 // 4096 * 4096
    with path.open("r+b") as file:
        file.seek(middle_page)
        file.write(os.urandom(4096 * 2))


async def test_a_corrupt_database_stops_the_start_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await new_database(database, rows=2000)
    write_garbage_into_the_middle(database)

    async with FakeTelegram(TOKEN) as telegram:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=bot_environment(telegram, database),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)

    lines = stderr.decode().splitlines()
    assert process.returncode == STORAGE_FAULT_EXIT, lines
    assert len(lines) == 1, lines
    assert f"База данных {database} повреждена" in lines[0]
    assert "python -m bot backup" in lines[0]
    assert stdout == b""
    assert telegram.calls_to("getUpdates") == []  # not a single update was taken


async def test_corruption_found_while_running_stops_every_later_statement(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    await new_database(path, rows=2000)
    write_garbage_into_the_middle(path)
    database = Database(path)
    await database.connect()  # the schema is intact: only the rows' pages are garbage
    try:
        with pytest.raises(StorageFault) as raised:
            await database.fetchall("SELECT payload FROM processed_updates")
        fault = await asyncio.wait_for(database.wait_for_fault(), 1)
        assert raised.value is fault and fault.kind == FaultKind.CORRUPT
        with pytest.raises(StorageFault):
            await database.execute("DELETE FROM schema_migrations WHERE version = 0")
    finally:
        await database.close()


async def test_a_database_replaced_under_the_bot_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await new_database(tmp_path / "restored.sqlite3")
    database = Database(path)
    await database.connect()
    try:
        shutil.move(tmp_path / "restored.sqlite3", path)  # another file at the same path

        with pytest.raises(StorageFault):
            await database.execute("DELETE FROM schema_migrations WHERE version = 0")
        fault = await asyncio.wait_for(database.wait_for_fault(), 1)
        assert fault.kind == FaultKind.LOST
    finally:
        await database.close()


def button(message: StoredMessage, fragment: str) -> str:
    return next(label for label in message.button_labels() if fragment in label)


async def reach_the_appeal_summary(telegram: FakeTelegram, citizen: FakeUser) -> StoredMessage:
    await telegram.send_command(citizen, "appeal")
    [types] = await telegram.wait_for_bot_messages(citizen, timeout=20)
    await telegram.press_button(citizen, types, button(types, "Консультация"))
    [consent] = await telegram.wait_for_bot_messages(citizen)
    await telegram.press_button(citizen, consent, button(consent, "Согласен"))
    await telegram.wait_for_bot_messages(citizen)
    await telegram.send_text(citizen, "Про пенсию")
    await telegram.wait_for_bot_messages(citizen)
    await telegram.send_text(citizen, "Как узнать свой стаж?")
    [summary] = await telegram.wait_for_bot_messages(citizen)
    assert "Проверьте обращение" in (summary.text or "")
    return summary


async def test_a_database_deleted_under_the_bot_stops_it_and_no_one_is_told_it_was_saved(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram(TOKEN) as telegram:
        anna = telegram.add_user("Анна")
        process = await start_bot(telegram, database, tmp_path)
        try:
            summary = await reach_the_appeal_summary(telegram, anna)
            database.unlink()
            await telegram.press_button(anna, summary, button(summary, "Отправить"))
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
        texts = [message.text or "" for message in telegram.bot_messages(anna)]

    assert process.returncode == STORAGE_FAULT_EXIT
    log = stderr.decode()
    assert "Traceback" not in log, log
    stops = [line for line in log.splitlines() if "удалён или подменён" in line]
    assert len(stops) == 1 and str(database) in stops[0], log
    assert not any("зарегистрировано" in text for text in texts), texts
    assert not database.exists()  # no empty database was created in its place

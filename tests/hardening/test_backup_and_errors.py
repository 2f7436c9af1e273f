from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.domain.models import AppealType
from bot.settings import Settings
from bot.states.complaint import WrittenComplaint
from bot.storage.sqlite.database import Database
from testkit.harness import BotHarness, Person

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.sqlite_only(
    reason="`bot backup` copies the SQLite file (PostgreSQL is backed up by pg_dump)"
)
async def test_backup_command_copies_a_live_database(
    harness: BotHarness, citizen: Person, settings: Settings, database: Database, tmp_path: Path
) -> None:
    appeal = await harness.dispatcher["appeals"].file(
        citizen.id, citizen.id, AppealType.TECHNICAL, {"description": "x"}
    )
    target = tmp_path / "copies" / "backup.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "1:abc",
        "DATABASE_PATH": str(settings.database_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        numbers = [row[0] for row in copy.execute("SELECT number FROM appeals")]
    assert numbers == [appeal.number]


@pytest.mark.errors_expected
async def test_unexpected_error_is_logged_with_the_update_and_the_state_is_kept(
    harness: BotHarness, citizen: Person, dispatcher: Dispatcher, caplog, monkeypatch
) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "Тема")

    def broken(*args, **kwargs):
        raise RuntimeError("database is on fire")

    monkeypatch.setattr("bot.handlers.complaint.parse_phone", broken)
    replies = await harness.send(citizen, "+79123456789")
    assert [reply.text for reply in replies] == [
        "Что-то пошло не так, попробуйте ещё раз. Введённые данные сохранены, "
        "можно продолжить с того же шага."
    ]
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_caller_phone.state
    assert (await harness.data(citizen))["topic"] == "Тема"
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) == 1 and "RuntimeError in update" in errors[0].getMessage()
    # Nothing went to any group chat (the operators are not spammed).
    assert all(message.chat.id > 0 for message in harness.sent)
    monkeypatch.undo()
    replies = await harness.send(citizen, "+79123456789")
    assert replies[0].text == "Номер, с которого звонили: +7 912 345-67-89."
    assert "Когда вы пытались" in replies[-1].text

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.domain.validators import format_phone
from bot.services.privacy import PrivacyService
from bot.settings import Settings
from bot.states.privacy import ForgetMe
from bot.storage.sqlite.timefmt import to_db
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase, SmsOutbox, stored_dialogues, table_names
from tests.desk_helpers import book_call


@pytest.fixture(autouse=True)
async def citizens_consented(harness: BotHarness, citizen: Person, other_citizen: Person) -> None:
    """Both have agreed to the processing of their data: the dialogues open at once."""
    await harness.consent(citizen)
    await harness.consent(other_citizen)


async def citizen_with_data(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, clock: ManualClock
) -> str:
    await harness.consent(citizen)
    for phone in ("+79123456789", "+79990001122"):
        await harness.send(citizen, "/phone")
        await harness.send(citizen, phone)
        await harness.send(citizen, sms.last_code())
        clock.advance(minutes=2)
    await harness.send(citizen, "/complaint")
    for answer in ("Не дозвониться", "89123456789", "вчера", "Занято", "Перезвоните"):
        await harness.send(citizen, answer)
    await harness.send_photo(citizen)
    await harness.press(citizen, "Готово")
    replies = await harness.press(citizen, "Отправить")
    number = replies[0].text.split("Номер: ")[1].split("\n")[0]
    await harness.send(citizen, f"/status {number}")
    await harness.press(citizen, "Добавить комментарий")
    await harness.send(citizen, "Мой паспорт 4512 345678")
    return number


async def test_forget_erases_personal_data_after_confirmation(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    sms: SmsOutbox,
    clock: ManualClock,
    database: BotDatabase,
    settings: Settings,
) -> None:
    number = await citizen_with_data(harness, citizen, sms, clock)
    other = await harness.dispatcher["appeals"].file(
        other_citizen.id, other_citizen.id, "consultation", {"topic": "Пособия"}
    )
    replies = await harness.send(citizen, "/forget")
    assert "Это действие нельзя отменить" in replies[0].text
    assert await harness.state(citizen) == ForgetMe.confirming.state
    assert await stored_dialogues(settings, database, citizen.id) != []  # what is to go
    assert "Нажмите «Да, удалить" in (await harness.send(citizen, "да"))[0].text
    replies = await harness.press(citizen, "Да, удалить мои данные")
    assert replies[0].text == "Ваши персональные данные удалены. Обращений затронуто: 1."
    # No dialogue data is left: not in the database, not in the storage's memory.
    assert await stored_dialogues(settings, database, citizen.id) == []
    assert await harness.state(citizen) is None
    assert await harness.data(citizen) == {}
    citizen_row = await database.fetchone(
        "SELECT phone FROM citizens WHERE user_id = ?", (citizen.id,)
    )
    assert citizen_row["phone"] is None
    for table in ("phone_history", "verification_codes"):
        count = await database.fetchone(
            f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (citizen.id,)
        )
        assert count[0] == 0, table
    appeal = await database.fetchone("SELECT * FROM appeals WHERE number = ?", (number,))
    assert set(json.loads(appeal["fields"]).values()) == {"удалено"}
    assert appeal["type"] == "complaint" and appeal["status"] == "new"
    assert appeal["erased_at"] is not None
    attachments = await database.fetchone("SELECT COUNT(*) FROM appeal_attachments")
    assert attachments[0] == 0
    assert "attachments" in (await erasure_records(database))[0]["fields"]
    comment = await database.fetchone("SELECT text FROM appeal_messages")
    assert comment["text"] == "удалено"
    # Someone else's appeal is untouched.
    kept = await database.fetchone("SELECT fields FROM appeals WHERE number = ?", (other.number,))
    assert json.loads(kept["fields"]) == {"topic": "Пособия"}
    replies = await harness.send(citizen, f"/status {number}")
    assert "Тема: удалено" in replies[0].text


async def test_erasure_leaves_no_dialogue_in_the_storages_memory(
    harness: BotHarness, citizen: Person
) -> None:
    await harness.consent(citizen)
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "Не дозвониться")
    assert (await harness.data(citizen))["topic"] == "Не дозвониться"

    # The service alone, without the handler that also clears the dialogue.
    await harness.dispatcher["privacy"].forget(citizen.id)

    assert await harness.state(citizen) is None
    assert await harness.data(citizen) == {}


async def test_cancel_keeps_the_data(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, clock: ManualClock, database: BotDatabase
) -> None:
    await citizen_with_data(harness, citizen, sms, clock)
    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Отмена")
    row = await database.fetchone("SELECT phone FROM citizens WHERE user_id = ?", (citizen.id,))
    assert row["phone"] == "+79990001122"


async def test_retention_erases_only_appeals_closed_long_ago(
    harness: BotHarness, citizen: Person, database: BotDatabase, clock: ManualClock
) -> None:
    appeals = harness.dispatcher["appeals"]
    old = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Старое"})
    recent = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Недавнее"})
    still_open = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Открытое"})
    closed = {
        old.number: clock.now() - timedelta(days=400),
        recent.number: clock.now() - timedelta(days=10),
    }
    for number, moment in closed.items():
        await database.execute(
            "UPDATE appeals SET status = 'closed', closed_at = ? WHERE number = ?",
            (to_db(moment), number),
        )
    privacy: PrivacyService = harness.dispatcher["privacy"]
    assert await privacy.apply_retention() == 1
    assert await privacy.apply_retention() == 0
    rows = {
        row["number"]: json.loads(row["fields"])["topic"]
        for row in await database.fetchall("SELECT number, fields FROM appeals")
    }
    assert rows == {old.number: "удалено", recent.number: "Недавнее", still_open.number: "Открытое"}


async def test_forget_also_erases_the_desk_copies(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
    settings: Settings,
) -> None:
    from tests.desk_helpers import card_of, file_recovery

    number = await file_recovery(harness, citizen)
    card = card_of(harness, number)
    await harness.press(operator, "Взять в работу", card)
    await harness.send_to_group(operator, forum, "Пришлите фото паспорта", thread_id=card.thread_id)
    await harness.send(citizen, "Паспорт 4512 345678, выдан 01.02.2015")
    await harness.press(operator, "Закрыть", card_of(harness, number))
    closed = await harness.send_to_group(
        operator, forum, "Доступ восстановлен для Ивановой", thread_id=card.thread_id
    )
    rating = next(message for message in closed if message.chat.id == citizen.id)
    await harness.press(citizen, "5", rating)
    await harness.send(citizen, "Спасибо, Анна Сергеевна довольна")
    secrets = ("4512 345678", "112-233-445", "Иванова Анна", "Анна Сергеевна", "9123456789")
    before = "\n".join(await _dump(database, settings))
    assert all(secret in before for secret in secrets)

    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")

    appeal = await database.fetchone(
        "SELECT id, resolution, rating, rating_comment FROM appeals WHERE number = ?", (number,)
    )
    assert (appeal["resolution"], appeal["rating"], appeal["rating_comment"]) == (
        "удалено",
        5,
        "удалено",
    )
    texts = [
        row["text"]
        for row in await database.fetchall(
            "SELECT text FROM appeal_events WHERE appeal_id = ? AND text IS NOT NULL",
            (appeal["id"],),
        )
    ]
    assert texts and set(texts) == {"удалено"}
    contents = await database.fetchone(
        "SELECT COUNT(*) FROM appeal_events WHERE appeal_id = ? AND content IS NOT NULL",
        (appeal["id"],),
    )
    assert contents[0] == 0
    payloads = [
        row["payload"]
        for row in await database.fetchall(
            "SELECT payload FROM outbox WHERE appeal_id = ? AND status != 'pending'"
            " AND kind != 'delete'",
            (appeal["id"],),
        )
    ]
    assert payloads and set(payloads) == {"{}"}
    dump = "\n".join(await _dump(database, settings))
    for secret in secrets:
        assert secret not in dump, secret
    record = (await erasure_records(database))[-1]
    assert {
        "comments",
        "resolution",
        "rating_comment",
        "relayed_messages",
        "outbox_payloads",
    } <= set(record["fields"])


async def _dump(database: BotDatabase, settings: Settings) -> list[str]:
    """Every row of every table, and the dialogues kept beside them (Redis on the cluster)."""
    lines = [] if settings.redis_url is None else await stored_dialogues(settings, database)
    for table in await table_names(database):
        for row in await database.fetchall(f"SELECT * FROM {table}"):
            lines.append(" ".join(str(value) for value in tuple(row)))
    return lines


# --- what is left on disk after an erasure ------------------------------------------

FULL_NAME = "Сидорова Мария Петровна"
UNFINISHED_NAME = "Ланская Вера Игоревна"
SNILS = "112-233-445 95"
PASSPORT = "4510 987654"
EMAIL = "maria.sidorova@example.ru"
OLD_PHONE, VERIFIED_PHONE, CALLBACK_PHONE = "+79123456789", "+79990001122", "+79165554433"
APPEAL_SECRETS = (FULL_NAME, SNILS, PASSPORT, EMAIL)


def disk_forms(value: str) -> set[bytes]:
    """The byte strings ``value`` may leave in a database file, whichever form it was saved in."""
    forms = {value.encode(), json.dumps(value)[1:-1].encode()}  # UTF-8; JSON's \u escapes
    digits = "".join(character for character in value if character.isdigit())
    if len(digits) >= 10:
        forms.add(digits.encode())
        if value.startswith("+7"):
            forms.add(digits[1:].encode())  # 8 912 ... and (912) ... both hold these ten
            forms.add(format_phone(value).encode())
    if not digits:
        forms.add(value.split()[0].encode())  # the surname alone
    return forms


def found_on_disk(path: Path, values: tuple[str, ...]) -> dict[str, set[str]]:
    """Which of ``values`` each of the database's files holds, in any of their forms."""
    found: dict[str, set[str]] = {}
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        content = file.read_bytes() if file.exists() else b""
        found[file.name] = {
            value for value in values if any(form in content for form in disk_forms(value))
        }
    return found


def nothing_on_disk(path: Path) -> dict[str, set[str]]:
    return {file: set() for file in (path.name, f"{path.name}-wal", f"{path.name}-shm")}


def checkpoint(path: Path) -> None:
    """What the bot's background task does every second: the log copied into the file."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")


async def file_recovery_appeal(harness: BotHarness, citizen: Person) -> str:
    await harness.send(citizen, "/recovery")
    await harness.press(citizen, "Сменил номер")
    await harness.press(citizen, "поддержку")
    # Long enough to spill onto an overflow page, which the erasure frees.
    description = "Пробовала много раз. " * 90 + f"Паспорт {PASSPORT} не принимают"
    for answer in (FULL_NAME, SNILS, EMAIL, description):
        await harness.send(citizen, answer)
    replies = await harness.press(citizen, "Отправить")
    receipt = next(reply for reply in replies if reply.chat.id == citizen.id)
    return receipt.text.split("Номер: ")[1].split("\n")[0]


@pytest.mark.sqlite_only(reason="reads the SQLite file and its log byte by byte")
async def test_forget_leaves_no_personal_data_in_the_database_files(
    harness: BotHarness,
    group: int,
    citizen: Person,
    sms: SmsOutbox,
    clock: ManualClock,
    settings: Settings,
) -> None:
    for phone in (OLD_PHONE, VERIFIED_PHONE):  # the first one goes to the phone history
        await harness.send(citizen, "/phone")
        await harness.send(citizen, phone)
        await harness.send(citizen, sms.last_code())
        clock.advance(minutes=2)
    await file_recovery_appeal(harness, citizen)
    await book_call(harness, citizen, phone="8 916 555-44-33", time="14:00")
    await harness.send(citizen, "/recovery")  # a dialogue left half-way: only in fsm_sessions
    await harness.press(citizen, "Сменил номер")
    await harness.press(citizen, "поддержку")
    await harness.send(citizen, UNFINISHED_NAME)
    secrets = (*APPEAL_SECRETS, UNFINISHED_NAME, OLD_PHONE, VERIFIED_PHONE, CALLBACK_PHONE)
    await asyncio.to_thread(checkpoint, settings.database_path)
    assert found_on_disk(settings.database_path, secrets)["bot.sqlite3"] == set(secrets)

    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")

    assert found_on_disk(settings.database_path, secrets) == nothing_on_disk(settings.database_path)


@pytest.mark.sqlite_only(reason="reads the SQLite file and its log byte by byte")
async def test_retention_leaves_no_personal_data_in_the_database_files(
    harness: BotHarness,
    group: int,
    citizen: Person,
    clock: ManualClock,
    database: BotDatabase,
    settings: Settings,
) -> None:
    number = await file_recovery_appeal(harness, citizen)
    await database.execute(
        "UPDATE appeals SET status = 'closed', closed_at = ? WHERE number = ?",
        (to_db(clock.now() - timedelta(days=400)), number),
    )
    await asyncio.to_thread(checkpoint, settings.database_path)
    assert found_on_disk(settings.database_path, APPEAL_SECRETS)["bot.sqlite3"] == set(
        APPEAL_SECRETS
    )

    assert await harness.dispatcher["privacy"].apply_retention() == 1

    assert found_on_disk(settings.database_path, APPEAL_SECRETS) == nothing_on_disk(
        settings.database_path
    )


# --- the SMS outbox file -------------------------------------------------------------------


async def verify_phone(harness: BotHarness, user: Person, sms: SmsOutbox, phone: str) -> None:
    await harness.send(user, "/phone")
    await harness.send(user, phone)
    await harness.send(user, sms.last_code())


async def test_forget_removes_the_citizens_sms_from_the_outbox_file(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    sms: SmsOutbox,
    clock: ManualClock,
) -> None:
    await verify_phone(harness, citizen, sms, OLD_PHONE)
    clock.advance(minutes=2)
    await verify_phone(harness, citizen, sms, VERIFIED_PHONE)
    clock.advance(minutes=2)
    await harness.send(citizen, "/phone")
    await harness.send(citizen, "+79161112233")  # a code sent, never typed in
    await harness.send(citizen, "/cancel")
    await verify_phone(harness, other_citizen, sms, "+79035556677")
    citizens_lines = [line for line in sms.messages() if line["to"] != "+79035556677"]
    assert {line["to"] for line in citizens_lines} == {OLD_PHONE, VERIFIED_PHONE, "+79161112233"}
    others_line = sms.messages()[-1]

    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")

    assert sms.messages() == [others_line]
    assert not sms.path.with_name(sms.path.name + ".tmp").exists()


async def test_retention_removes_sms_older_than_the_retention_period(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    sms: SmsOutbox,
    clock: ManualClock,
) -> None:
    await verify_phone(harness, citizen, sms, OLD_PHONE)
    clock.advance(days=366)
    await verify_phone(harness, other_citizen, sms, "+79035556677")
    recent = sms.messages()[-1]

    await harness.dispatcher["privacy"].apply_retention()

    assert sms.messages() == [recent]


# --- the destruction record ------------------------------------------------------------------


async def erasure_records(database: BotDatabase) -> list[dict[str, object]]:
    return [
        {
            "erased_at": row["erased_at"],
            "reason": row["reason"],
            "appeals": json.loads(row["appeals"]),
            "fields": json.loads(row["fields"]),
        }
        for row in await database.fetchall("SELECT * FROM erasure_records ORDER BY id")
    ]


def holds_any(rows: list[dict[str, object]], values: tuple[str, ...]) -> list[str]:
    text = json.dumps(rows, ensure_ascii=False).encode()
    return [value for value in values if any(form in text for form in disk_forms(value))]


async def test_forget_writes_a_destruction_record_without_personal_data(
    harness: BotHarness,
    group: int,
    citizen: Person,
    sms: SmsOutbox,
    clock: ManualClock,
    database: BotDatabase,
) -> None:
    await verify_phone(harness, citizen, sms, OLD_PHONE)
    clock.advance(minutes=2)
    await verify_phone(harness, citizen, sms, VERIFIED_PHONE)
    number = await file_recovery_appeal(harness, citizen)
    call = await book_call(harness, citizen, phone="8 916 555-44-33", time="14:00")

    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")

    records = await erasure_records(database)
    assert records == [
        {
            "erased_at": to_db(clock.now()),
            "reason": "request",
            "appeals": [number, call],
            "fields": [
                "callback_phone",
                "cause",
                "comments",
                "contact",
                "description",
                "dialogue_state",
                "full_name",
                "phone",
                "phone_history",
                "relayed_messages",
                "sms_outbox",
                "snils",
                "verification_codes",
            ],
        }
    ]
    assert holds_any(records, (*APPEAL_SECRETS, OLD_PHONE, VERIFIED_PHONE, CALLBACK_PHONE)) == []

    await harness.send(citizen, "/forget")  # nothing is left: the request is still recorded
    await harness.press(citizen, "Да, удалить мои данные")
    assert (await erasure_records(database))[1]["fields"] == ["dialogue_state"]


async def test_retention_writes_a_destruction_record_without_personal_data(
    harness: BotHarness,
    group: int,
    citizen: Person,
    sms: SmsOutbox,
    clock: ManualClock,
    database: BotDatabase,
) -> None:
    await verify_phone(harness, citizen, sms, VERIFIED_PHONE)
    number = await file_recovery_appeal(harness, citizen)
    await database.execute(
        "UPDATE appeals SET status = 'closed', closed_at = ? WHERE number = ?",
        (to_db(clock.now()), number),
    )
    clock.advance(days=366)

    assert await harness.dispatcher["privacy"].apply_retention() == 1

    records = await erasure_records(database)
    assert [(record["reason"], record["appeals"], record["fields"]) for record in records] == [
        ("retention", [number], ["cause", "contact", "description", "full_name", "snils"]),
        ("retention", [], ["sms_outbox"]),
    ]
    assert holds_any(records, (*APPEAL_SECRETS, VERIFIED_PHONE)) == []
    assert await harness.dispatcher["privacy"].apply_retention() == 0
    assert len(await erasure_records(database)) == 2  # nothing erased, nothing recorded


def run_cli(arguments: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if key.lower() not in Settings.model_fields
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=settings.database_path.parent,
        env={
            **environment,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "DATABASE_PATH": str(settings.database_path),
            **({"DATABASE_URL": settings.database_url} if settings.postgres_url else {}),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_erasures_command_prints_the_record_as_csv(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    clock: ManualClock,
    settings: Settings,
) -> None:
    privacy: PrivacyService = harness.dispatcher["privacy"]
    appeals = harness.dispatcher["appeals"]
    clock.set(datetime(2025, 12, 31, 20, 0, tzinfo=UTC))  # 23:00 in Moscow: still 2025
    await appeals.file(other_citizen.id, other_citizen.id, "consultation", {"topic": "Старое"})
    await privacy.forget(other_citizen.id)
    clock.set(datetime(2025, 12, 31, 21, 30, tzinfo=UTC))  # 00:30 on 1 January in Moscow
    appeal = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Пособия"})
    await privacy.forget(citizen.id)

    result = await asyncio.to_thread(run_cli, ["erasures", "--since", "2026-01-01"], settings)

    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["Когда", "Причина", "Обращения", "Поля"],
        ["2026-01-01T00:30:00+03:00", "запрос гражданина (/forget)", appeal.number, "topic"],
    ]

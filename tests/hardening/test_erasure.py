from __future__ import annotations

import json
from datetime import timedelta

from bot.services.clock import ManualClock
from bot.services.privacy import PrivacyService
from bot.testing.harness import BotHarness, Person
from states.privacy import ForgetMe
from storage.sqlite.database import Database
from storage.sqlite.timefmt import to_db
from tests.conftest import SmsOutbox


async def citizen_with_data(harness: BotHarness, citizen: Person, sms: SmsOutbox,
                            clock: ManualClock) -> str:
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
    harness: BotHarness, citizen: Person, other_citizen: Person, sms: SmsOutbox,
    clock: ManualClock, database: Database,
) -> None:
    number = await citizen_with_data(harness, citizen, sms, clock)
    other = await harness.dispatcher["appeals"].file(other_citizen.id, other_citizen.id,
                                                     "consultation", {"topic": "Пособия"})
    replies = await harness.send(citizen, "/forget")
    assert "Это действие нельзя отменить" in replies[0].text
    assert await harness.state(citizen) == ForgetMe.confirming.state
    assert "Нажмите «Да, удалить" in (await harness.send(citizen, "да"))[0].text
    replies = await harness.press(citizen, "Да, удалить мои данные")
    assert replies[0].text == "Ваши персональные данные удалены. Обращений затронуто: 1."
    # No dialogue data is left: not in the database, not in the storage's memory.
    sessions = await database.fetchone("SELECT COUNT(*) FROM fsm_sessions WHERE user_id = ?",
                                       (citizen.id,))
    assert sessions[0] == 0
    assert await harness.state(citizen) is None
    assert await harness.data(citizen) == {}
    citizen_row = await database.fetchone("SELECT phone FROM citizens WHERE user_id = ?",
                                          (citizen.id,))
    assert citizen_row["phone"] is None
    for table in ("phone_history", "verification_codes"):
        count = await database.fetchone(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?",
                                        (citizen.id,))
        assert count[0] == 0, table
    appeal = await database.fetchone("SELECT * FROM appeals WHERE number = ?", (number,))
    assert set(json.loads(appeal["fields"]).values()) == {"удалено"}
    assert appeal["type"] == "complaint" and appeal["status"] == "new"
    assert appeal["erased_at"] is not None
    attachments = await database.fetchone("SELECT COUNT(*) FROM appeal_attachments")
    assert attachments[0] == 0
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


async def test_cancel_keeps_the_data(harness: BotHarness, citizen: Person, sms: SmsOutbox,
                                     clock: ManualClock, database: Database) -> None:
    await citizen_with_data(harness, citizen, sms, clock)
    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Отмена")
    row = await database.fetchone("SELECT phone FROM citizens WHERE user_id = ?", (citizen.id,))
    assert row["phone"] == "+79990001122"


async def test_retention_erases_only_appeals_closed_long_ago(
    harness: BotHarness, citizen: Person, database: Database, clock: ManualClock
) -> None:
    appeals = harness.dispatcher["appeals"]
    old = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Старое"})
    recent = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Недавнее"})
    still_open = await appeals.file(citizen.id, citizen.id, "consultation", {"topic": "Открытое"})
    closed = {old.number: clock.now() - timedelta(days=400),
              recent.number: clock.now() - timedelta(days=10)}
    for number, moment in closed.items():
        await database.execute("UPDATE appeals SET status = 'closed', closed_at = ? WHERE number = ?",
                               (to_db(moment), number))
    privacy: PrivacyService = harness.dispatcher["privacy"]
    assert await privacy.apply_retention() == 1
    assert await privacy.apply_retention() == 0
    rows = {row["number"]: json.loads(row["fields"])["topic"]
            for row in await database.fetchall("SELECT number, fields FROM appeals")}
    assert rows == {old.number: "удалено", recent.number: "Недавнее",
                    still_open.number: "Открытое"}


async def test_forget_also_erases_the_desk_copies(
    harness: BotHarness, forum: int, citizen: Person, operator: Person, database: Database,
) -> None:
    from tests.desk_helpers import card_of, file_recovery

    number = await file_recovery(harness, citizen)
    card = card_of(harness, number)
    await harness.press(operator, "Взять в работу", card)
    await harness.send_to_group(operator, forum, "Пришлите фото паспорта",
                                thread_id=card.message_thread_id)
    await harness.send(citizen, "Паспорт 4512 345678, выдан 01.02.2015")
    await harness.press(operator, "Закрыть", card_of(harness, number))
    closed = await harness.send_to_group(operator, forum, "Доступ восстановлен для Ивановой",
                                         thread_id=card.message_thread_id)
    rating = next(message for message in closed if message.chat_id == citizen.id)
    await harness.press(citizen, "5", rating)
    await harness.send(citizen, "Спасибо, Анна Сергеевна довольна")
    secrets = ("4512 345678", "112-233-445", "Иванова Анна", "Анна Сергеевна")
    before = "\n".join(await _dump(database))
    assert all(secret in before for secret in secrets)

    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")

    appeal = await database.fetchone(
        "SELECT id, resolution, rating, rating_comment FROM appeals WHERE number = ?", (number,))
    assert (appeal["resolution"], appeal["rating"], appeal["rating_comment"]) == (
        "удалено", 5, "удалено")
    texts = [row["text"] for row in await database.fetchall(
        "SELECT text FROM appeal_events WHERE appeal_id = ? AND text IS NOT NULL", (appeal["id"],))]
    assert texts and set(texts) == {"удалено"}
    contents = await database.fetchone(
        "SELECT COUNT(*) FROM appeal_events WHERE appeal_id = ? AND content IS NOT NULL",
        (appeal["id"],))
    assert contents[0] == 0
    payloads = [row["payload"] for row in await database.fetchall(
        "SELECT payload FROM outbox WHERE appeal_id = ? AND status != 'pending'", (appeal["id"],))]
    assert payloads and set(payloads) == {"{}"}
    dump = "\n".join(await _dump(database))
    for secret in secrets:
        assert secret not in dump, secret


async def _dump(database: Database) -> list[str]:
    lines = []
    for (table,) in await database.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'fsm_sessions'"
    ):
        for row in await database.fetchall(f"SELECT * FROM {table}"):
            lines.append(" ".join(str(value) for value in tuple(row)))
    return lines

from __future__ import annotations

import json

import pytest

from bot.states.complaint import WrittenComplaint
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")


async def fill_complaint(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "Не дозвониться в поддержку")
    await harness.send(citizen, "8 (495) 123-45-67")
    await harness.send(citizen, "20.11.2026 10:15, 21.11.2026 12:00")
    await harness.press(citizen, "Не отвечали")
    await harness.send(citizen, "Чтобы мне перезвонили")


async def test_full_complaint_with_attachments_and_review(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await fill_complaint(harness, citizen)
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_attachments.state
    replies = await harness.send_photo(citizen)
    assert "Вложение 1 из 10 добавлено" in replies[0].text
    assert "✅ Готово" in replies[0].button_labels()
    await harness.send_document(citizen, "квитанция.pdf")
    replies = await harness.send(citizen, "вот ещё")
    assert "Отправьте фото или документ" in replies[0].text
    replies = await harness.press(citizen, "Готово")
    review = replies[0]
    for expected in (
        "Тема: Не дозвониться в поддержку",
        "Номер, с которого звонили: +7 495 123-45-67",
        "Даты и время попыток: 20.11.2026 10:15, 21.11.2026 12:00",
        "Сообщения об ошибках: не отвечали",
        "Желаемый результат: Чтобы мне перезвонили",
        "Вложения: 2 шт.",
    ):
        assert expected in review.text
    assert review.button_labels()[0] == "✅ Отправить"
    assert "✏️ Тема" in review.button_labels()
    replies = await harness.press(citizen, "Отправить")
    assert "Номер: 2026-000001" in replies[0].text and "Жалоба" in replies[0].text
    row = await database.fetchone("SELECT id, type, fields FROM appeals")
    assert row["type"] == "complaint"
    assert json.loads(row["fields"]) == {
        "topic": "Не дозвониться в поддержку",
        "caller_phone": "+74951234567",
        "attempts": ["2026-11-20T10:15", "2026-11-21T12:00"],
        "errors": "не отвечали",
        "desired_result": "Чтобы мне перезвонили",
    }
    attachments = await database.fetchall(
        "SELECT kind, file_id, file_name FROM appeal_attachments WHERE appeal_id = ?", (row["id"],)
    )
    photo, document = [message.media for message in harness.user_messages if message.media]
    assert [(a["kind"], a["file_id"], a["file_name"]) for a in attachments] == [
        ("photo", photo[-1].file_id, None),  # the largest size
        ("document", document.file_id, "квитанция.pdf"),
    ]


async def test_edit_one_field_from_the_review(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await fill_complaint(harness, citizen)
    await harness.press(citizen, "Пропустить")
    replies = await harness.press(citizen, "✏️ Желаемый результат")
    assert "Какого результата" in replies[0].text
    replies = await harness.send(citizen, "Извинений и звонка")
    assert "Проверьте жалобу" in replies[0].text
    assert "Желаемый результат: Извинений и звонка" in replies[0].text
    assert await harness.state(citizen) == WrittenComplaint.reviewing.state
    await harness.press(citizen, "Отправить")
    row = await database.fetchone("SELECT fields FROM appeals")
    assert json.loads(row["fields"])["desired_result"] == "Извинений и звонка"


async def test_typed_error_text_and_bad_dates(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/complaint")
    assert "не менее 3" in (await harness.send(citizen, "ок"))[0].text
    await harness.send(citizen, "Сбрасывают звонок")
    await harness.send(citizen, "89123456789")
    replies = await harness.send(citizen, "на прошлой неделе")
    assert "Не удалось распознать дату" in replies[0].text
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_attempts.state
    await harness.send(citizen, "вчера 10:00")
    await harness.send(citizen, "«Абонент недоступен»")
    data = await harness.data(citizen)
    assert data["errors"] == "«Абонент недоступен»"
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_desired_result.state


async def test_attachment_limit(harness: BotHarness, citizen: Person) -> None:
    await fill_complaint(harness, citizen)
    for _ in range(10):
        await harness.send_photo(citizen)
    replies = await harness.send_photo(citizen)
    assert "не более 10 файлов" in replies[0].text
    assert len((await harness.data(citizen))["attachments"]) == 10


async def test_long_answers_make_a_review_that_fits_telegram(
    harness: BotHarness, citizen: Person
) -> None:
    await harness.send(citizen, "/complaint")
    await harness.send(citizen, "<" * 200)
    await harness.send(citizen, "89123456789")
    await harness.send(citizen, "вчера")
    await harness.send(citizen, "&" * 1000)
    await harness.send(citizen, "<script>" * 125)
    replies = await harness.press(citizen, "Пропустить")
    assert len(replies) >= 1
    assert all(len(reply.text) <= 4096 for reply in replies)
    assert replies[-1].button_labels()[0] == "✅ Отправить"
    assert "<script>" in "".join(reply.text for reply in replies)

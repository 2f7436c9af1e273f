from __future__ import annotations

import json

import pytest

from bot.domain.clock import ManualClock
from bot.states.appeal import NewAppeal
from bot.states.complaint import WrittenComplaint
from bot.states.my_appeals import MyAppeals
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")


async def choose_type(harness: BotHarness, citizen: Person, label: str):
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Новое обращение")
    assert replies[0].button_labels() == [
        "🛠 Техническая неисправность",
        "❓ Вопрос по услуге",
        "📝 Жалоба",
        "💬 Консультация",
        "🔎 Узнать статус обращения",
        "✖️ Отмена",
    ]
    return await harness.press(citizen, label)


async def stored_appeal(database: BotDatabase) -> tuple[str, dict]:
    row = await database.fetchone("SELECT type, fields FROM appeals ORDER BY id DESC LIMIT 1")
    return row["type"], json.loads(row["fields"])


async def test_technical_fault_asks_error_text_and_when(
    harness: BotHarness, citizen: Person, database: BotDatabase, clock: ManualClock
) -> None:
    # ManualClock starts at 2026-11-23 09:00 UTC = 12:00 in Moscow.
    replies = await choose_type(harness, citizen, "Техническая неисправность")
    assert "Шаг 1 из 4" in replies[0].text
    await harness.send(citizen, "Не открывается заявление")
    replies = await harness.send(citizen, "Ошибка 500 при отправке")
    assert "Когда это произошло" in replies[0].text
    replies = await harness.send(citizen, "сегодня 13:00")
    # The day is today: it is the time that has not come.
    assert replies[0].text.startswith("Это время сегодня ещё не наступило: сейчас 12:00.")
    assert await harness.state(citizen) == NewAppeal.waiting_for_occurred_at.state
    replies = await harness.send(citizen, "сегодня 11:30")
    assert "Пропустить" in replies[0].button_labels()
    replies = await harness.press(citizen, "Пропустить")
    assert "Когда произошло: 23.11.2026 11:30" in replies[0].text
    assert "Номер заявления: не указан\n" in replies[0].text
    replies = await harness.press(citizen, "Отправить")
    assert "Номер: 2026-000001" in replies[0].text
    assert "Техническая неисправность" in replies[0].text
    assert await stored_appeal(database) == (
        "technical",
        {
            "description": "Не открывается заявление",
            "error_text": "Ошибка 500 при отправке",
            "occurred_at": "2026-11-23T11:30",
            "application_number": None,
        },
    )


async def test_service_question_with_application_number(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await choose_type(harness, citizen, "Вопрос по услуге")
    await harness.send(citizen, "Загранпаспорт")
    await harness.send(citizen, "Когда будет готов?")
    replies = await harness.send(citizen, "заявление номер двадцать")
    assert "только из цифр" in replies[0].text
    await harness.send(citizen, "№ 1234 5678 90")
    await harness.press(citizen, "Отправить")
    assert await stored_appeal(database) == (
        "service_question",
        {
            "service_name": "Загранпаспорт",
            "description": "Когда будет готов?",
            "application_number": "1234567890",
        },
    )


async def test_consultation(harness: BotHarness, citizen: Person, database: BotDatabase) -> None:
    await choose_type(harness, citizen, "Консультация")
    await harness.send(citizen, "Пособия")
    await harness.send(citizen, "Какие документы нужны?")
    await harness.press(citizen, "Отправить")
    assert await stored_appeal(database) == (
        "consultation",
        {
            "topic": "Пособия",
            "description": "Какие документы нужны?",
        },
    )


async def test_complaint_type_opens_the_written_complaint(
    harness: BotHarness, citizen: Person
) -> None:
    replies = await choose_type(harness, citizen, "Жалоба")
    assert "Письменная жалоба" in replies[0].text
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_topic.state


async def test_status_check_asks_for_the_number(harness: BotHarness, citizen: Person) -> None:
    replies = await choose_type(harness, citizen, "Узнать статус")
    assert "номер обращения" in replies[0].text
    assert await harness.state(citizen) == MyAppeals.waiting_for_number.state


async def test_back_from_the_first_step_returns_to_types_and_confirm_back_to_last(
    harness: BotHarness, citizen: Person
) -> None:
    await choose_type(harness, citizen, "Консультация")
    replies = await harness.press(citizen, "Назад")
    assert "Выберите тип обращения" in replies[0].text
    await harness.press(citizen, "Консультация")
    await harness.send(citizen, "Пособия")
    await harness.send(citizen, "Вопрос")
    replies = await harness.press(citizen, "Назад")
    assert "Шаг 2 из 2" in replies[0].text
    await harness.send(citizen, "Другой вопрос")
    replies = harness.last(citizen)
    assert "Описание: Другой вопрос" in replies.text


async def test_confirm_button_of_a_finished_appeal_is_stale(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await choose_type(harness, citizen, "Консультация")
    await harness.send(citizen, "Пособия")
    summary = (await harness.send(citizen, "Вопрос"))[0]
    [submit] = [
        button["callback_data"]
        for button in summary.inline_buttons()
        if "Отправить" in button["text"]
    ]
    await harness.press(citizen, "Отправить", message=summary)
    # The buttons were removed with the receipt; a client that still shows them sends this.
    await harness.press_data(citizen, submit)
    assert harness.telegram.callback_answers[-1].text.startswith("Эта кнопка больше не действует")
    count = await database.fetchone("SELECT COUNT(*) FROM appeals")
    assert count[0] == 1

"""Idle appeals: «дан ответ» and silent for AUTO_CLOSE_DAYS are closed; the citizen reopens
with one button within a week; a message on a closed appeal offers to reopen or file anew."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.domain.clock import ManualClock
from bot.domain.models import EventKind
from bot.services.desk import DeskService
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import card_of, event_kinds, file_consultation, status_of

IDLE = timedelta(days=7)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "auto_close_days": 7,
        "reopen_days": 7,
    }


@pytest.fixture
def desk(dispatcher: Dispatcher) -> DeskService:
    service = dispatcher.workflow_data["desk"]
    assert isinstance(service, DeskService)
    return service


async def answered_appeal(
    harness: BotHarness, group: int, citizen: Person, operator: Person
) -> str:
    number = await file_consultation(harness, citizen)
    await harness.send_to_group(
        operator, group, "Стаж виден в разделе «Пенсии».", reply_to=card_of(harness, number)
    )
    return number


async def test_silent_answered_appeal_is_closed_once_and_reopened_with_one_button(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    clock: ManualClock,
    desk: DeskService,
    database: BotDatabase,
) -> None:
    number = await answered_appeal(harness, group, citizen, operator)
    clock.advance(days=6, hours=23)
    assert await desk.close_idle(IDLE) == []
    clock.advance(hours=1)
    [closed] = await desk.close_idle(IDLE)
    assert closed.number == number and await status_of(database, number) == "closed"
    assert await desk.close_idle(IDLE) == []  # a second pass (or process) closes nothing
    await harness.deliver()
    notice = harness.messages_in(citizen.id)[-1]
    assert notice.text == (
        f"✅ Обращение № {number} закрыто: после ответа специалиста не было новых сообщений "
        "7 дн. Если вопрос не решён, нажмите «Возобновить обращение» до 07.12.2026."
    )
    assert notice.button_labels() == ["🔄 Возобновить обращение"]
    assert card_of(harness, number).text.startswith("✅")

    clock.advance(days=3)
    replies = await harness.press(citizen, "Возобновить обращение")
    assert replies[0].chat.id == citizen.id and replies[0].text.startswith(
        f"🔄 Обращение № {number} возобновлено, статус «в работе»."
    )
    assert await status_of(database, number) == "in_progress"
    row = await database.fetchone("SELECT closed_at FROM appeals WHERE number = ?", (number,))
    assert row is not None and row[0] is None
    assert any(
        message.text == f"🔄 Гражданин возобновил обращение · № {number}"
        for message in harness.messages_in(group)
    )
    assert card_of(harness, number).text.startswith("🛠")
    kinds = await event_kinds(database, number)
    assert kinds.count(EventKind.CLOSED) == 1 and kinds[-1] in (
        EventKind.REOPENED,
        EventKind.CARD_POSTED,
    )
    # Pressing the old button again changes nothing.
    replies = await harness.press(citizen, "Возобновить обращение", notice)
    assert replies[0].text == f"Обращение № {number} не закрыто: можно просто написать специалисту."


async def test_a_citizens_message_keeps_the_appeal_open(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    clock: ManualClock,
    desk: DeskService,
) -> None:
    number = await answered_appeal(harness, group, citizen, operator)
    clock.advance(days=5)
    await harness.press(citizen, "Ответить по обращению")
    await harness.send(citizen, "Не вижу этот раздел")
    clock.advance(days=3)
    assert await desk.close_idle(IDLE) == []
    clock.advance(days=4)
    assert [appeal.number for appeal in await desk.close_idle(IDLE)] == [number]


async def test_a_message_on_a_closed_appeal_offers_reopen_or_a_new_appeal(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    clock: ManualClock,
    desk: DeskService,
    database: BotDatabase,
) -> None:
    number = await answered_appeal(harness, group, citizen, operator)
    answer = harness.messages_in(citizen.id)[-1]
    clock.advance(days=7)
    await desk.close_idle(IDLE)
    await harness.deliver()
    replies = await harness.press(citizen, "Ответить по обращению", answer)
    assert replies[-1].text == (
        f"Обращение № {number} закрыто, сообщение не передано. Если вопрос не решён, "
        "возобновите обращение (до 07.12.2026 12:00) и отправьте сообщение ещё раз, "
        "или создайте новое."
    )
    assert replies[-1].button_labels() == ["🔄 Возобновить обращение", "✉️ Новое обращение"]
    replies = await harness.press(citizen, "Новое обращение")
    assert "Выберите тип обращения" in replies[-1].text

    clock.advance(days=8)  # more than a week after closing
    replies = await harness.press(citizen, "Ответить по обращению", answer)
    assert replies[-1].text.startswith(f"Обращение № {number} закрыто, сообщение не передано.")
    assert "🔄 Возобновить обращение" not in replies[-1].button_labels()
    replies = await harness.press_data(citizen, f"ro:{number}")
    assert replies[-1].text == (
        f"Обращение № {number} закрыто больше 7 дн. назад, возобновить его нельзя. "
        "Создайте новое обращение в главном меню."
    )
    assert await status_of(database, number) == "closed"


async def test_someone_elses_appeal_cannot_be_reopened(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    clock: ManualClock,
    desk: DeskService,
    database: BotDatabase,
) -> None:
    number = await answered_appeal(harness, group, citizen, operator)
    clock.advance(days=7)
    await desk.close_idle(IDLE)
    await harness.consent(other_citizen)
    await harness.press_data(other_citizen, f"ro:{number}")
    assert await status_of(database, number) == "closed"

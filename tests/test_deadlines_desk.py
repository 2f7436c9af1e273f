"""Deadlines on the operator desk: the card at given clock times, escalation exactly once,
``/overdue``. Real updates through the dispatcher, a manual clock, SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.domain.clock import ManualClock
from bot.factory import create_dispatcher
from bot.rendering.operators import escalation_text
from bot.services.deadlines import DeadlineService
from bot.services.desk import OutboxSignal
from bot.settings import Settings
from bot.storage.backends import Backend
from testkit.harness import BotHarness, Person
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, BotDatabase
from tests.desk_helpers import card_of, event_kinds, file_consultation

SUPERVISORS_CHAT = -1002000000002


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "supervisors_chat_id": SUPERVISORS_CHAT,
        "working_hours": "mon-fri 09:00-18:00",
        "sla_first_response": "consultation:2h,technical:1h",
        "legal_deadline_types": "consultation,complaint",
    }


@pytest.fixture
def deadlines(dispatcher: Dispatcher) -> DeadlineService:
    service = dispatcher.workflow_data["deadlines"]
    assert isinstance(service, DeadlineService)
    return service


def supervisors_messages(harness: BotHarness) -> list[str]:
    return [message.text for message in harness.messages_in(SUPERVISORS_CHAT)]


def deadline_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("⏱", "⚠️", "⛔", "🚨", "✔️"))]


async def test_card_shows_both_deadlines_then_risk_then_escalation_once(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    clock: ManualClock,
    deadlines: DeadlineService,
    database: BotDatabase,
    settings: Settings,
) -> None:
    harness.telegram.add_group("Руководители", chat_id=SUPERVISORS_CHAT)
    # Monday 23 November 2026, 12:00 in Moscow.
    number = await file_consultation(harness, citizen)
    assert deadline_lines(card_of(harness, number).text) == [
        "⏱ Первый ответ: до 23.11.2026 14:00, осталось 2 ч 0 мин рабочего времени",
        "⏱ Ответ по закону (30 дней, 59-ФЗ): до 23.12.2026 включительно, осталось 30 д 12 ч",
    ]
    assert await deadlines.check() == 0

    clock.advance(minutes=90)  # 13:30: 30 minutes of 2 hours left, under 20% is 24 minutes
    assert await deadlines.check() == 0
    clock.advance(minutes=10)  # 13:40: 20 minutes left
    assert await deadlines.check() == 1
    await harness.deliver()
    assert deadline_lines(card_of(harness, number).text)[0] == (
        "⚠️ Первый ответ: до 23.11.2026 14:00, осталось 20 мин рабочего времени"
    )
    assert supervisors_messages(harness) == []

    clock.advance(minutes=25)  # 14:05: breached
    assert await deadlines.check() == 1
    await harness.deliver()
    assert supervisors_messages(harness) == [
        f"🚨 Нарушен срок · № {number}\n"
        "Первый ответ: срок 23.11.2026 14:00, просрочено на 5 мин\n"
        "Тип: Консультация · статус: новое · ответственный: не назначен\n"
        "Подано: 23.11.2026 12:00"
    ]
    assert deadline_lines(card_of(harness, number).text)[:2] == [
        "⛔ Первый ответ: срок 23.11.2026 14:00 нарушен, просрочено на 5 мин",
        "🚨 Передано руководителям 23.11.2026 14:05",
    ]
    assert "deadline_breached" in await event_kinds(database, number)

    # Again, and from a second process on the same database: nothing more.
    clock.advance(minutes=5)
    assert await deadlines.check() == 0
    other = DeadlineService(
        Backend(database).desk,
        Backend(database).deadlines,
        clock,
        OutboxSignal(),
        settings.sla,
        supervisors_chat_id=SUPERVISORS_CHAT,
        escalation_text=escalation_text,
    )
    assert await other.check() == 0
    await harness.deliver()
    assert len(supervisors_messages(harness)) == 1

    # The operator answers: the first response is given late; the legal term runs on.
    card = card_of(harness, number)
    await harness.send_to_group(operator, group, "Стаж виден в разделе «Пенсии».", reply_to=card)
    await harness.deliver()
    assert deadline_lines(card_of(harness, number).text) == [
        "🚨 Передано руководителям 23.11.2026 14:05",
        "⏱ Ответ по закону (30 дней, 59-ФЗ): до 23.12.2026 включительно, осталось 30 д 9 ч",
    ]
    assert "☑️ Первый ответ: дан с опозданием на 10 мин" in card_of(harness, number).text


async def test_overdue_lists_breached_then_at_risk(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    clock: ManualClock,
    deadlines: DeadlineService,
) -> None:
    # The deployment has a supervisors' chat; the late appeal is escalated there meanwhile.
    harness.telegram.add_group("Руководители", chat_id=SUPERVISORS_CHAT)
    first = await file_consultation(harness, citizen)
    clock.advance(minutes=30)
    second = await file_consultation(harness, other_citizen, "Про налоги", "Где вычет?")
    replies = await harness.send_to_group(operator, group, "/overdue")
    assert [reply.text for reply in replies] == ["⏰ Нарушенных сроков и сроков под угрозой нет."]

    clock.advance(minutes=110)  # 14:20: the first is 20 minutes late, the second has 10 left
    replies = await harness.send_to_group(operator, group, "/overdue")
    assert [reply.text for reply in replies] == [
        "\n".join(
            [
                "⏰ Сроки: нарушено 1, под угрозой 1",
                "",
                "⛔ Нарушены",
                f"№ {first} · Консультация · новое",
                "   Первый ответ: срок 23.11.2026 14:00, просрочено на 20 мин",
                "",
                "⚠️ Под угрозой (осталось меньше 20%)",
                f"№ {second} · Консультация · новое",
                "   Первый ответ: до 23.11.2026 14:30, осталось 10 мин",
            ]
        )
    ]
    await deadlines.check()
    replies = await harness.send_to_group(operator, group, "/overdue")
    assert "просрочено на 20 мин · 🚨 эскалировано" in replies[0].text


async def test_overdue_is_split_over_telegram_limit(
    harness: BotHarness,
    group: int,
    operator: Person,
    clock: ManualClock,
    database: BotDatabase,
) -> None:
    citizens = [Person(id=5000 + index, first_name=f"Гражданин {index}") for index in range(60)]
    for person in citizens:
        await file_consultation(harness, person, "Тема", "Вопрос")
    clock.advance(hours=3)
    replies = await harness.send_to_group(operator, group, "/overdue")
    # The cards the operators' chat budget held back arrive meanwhile.
    listing = [reply for reply in replies if not reply.text.startswith("🆕")]
    assert len(listing) == 2 and listing[0].text.startswith("⏰ Сроки: нарушено 60")
    assert all(len(reply.text) <= 4096 for reply in listing)
    assert sum(reply.text.count("просрочено на 1 ч 0 мин") for reply in listing) == 60


async def test_without_targets_nothing_is_checked_and_overdue_says_so(
    tmp_path: Path,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    plain = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_path=tmp_path / "bot.sqlite3",
        sms_outbox_path=tmp_path / "sms.jsonl",
        operators_chat_id=OPERATORS_CHAT,
        throttle_messages=0,
    )
    service = create_dispatcher(plain, database, clock=clock).workflow_data["deadlines"]
    assert not service.enabled
    assert await service.check() == 0


@pytest.mark.errors_expected
async def test_a_supervisors_chat_that_refuses_does_not_hold_the_cards_back(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    clock: ManualClock,
    deadlines: DeadlineService,
    database: BotDatabase,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The bot was removed from the supervisors' chat.
    harness.telegram.fail_next(
        "sendMessage",
        403,
        "Forbidden: bot was kicked from the supergroup chat",
        chat_id=SUPERVISORS_CHAT,
    )
    number = await file_consultation(harness, citizen)
    clock.advance(hours=3)
    assert await deadlines.check() == 1
    await harness.deliver()
    assert [record.getMessage() for record in caplog.records if record.levelname == "ERROR"] == [
        "Supervisors' chat refused outbox row 3: Forbidden: bot was kicked from the supergroup chat"
    ]
    assert "⛔ Первый ответ" in card_of(harness, number).text
    assert await database.fetchall("SELECT * FROM outbox WHERE status = 'pending'") == []
    card = card_of(harness, number)
    sent = await harness.send_to_group(operator, group, "Ответ", reply_to=card)
    assert [message.chat.id for message in sent] == [citizen.id]


def test_deadline_settings_are_validated(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"SLA|sla_first_response"):
        Settings(_env_file=None, sla_first_response="technical:2 hours")
    with pytest.raises(ValidationError, match="unknown appeal type"):
        Settings(_env_file=None, legal_deadline_types="complaint,letter")
    settings = Settings(
        _env_file=None,
        sla_first_response="technical:2h",
        legal_deadline_types="complaint",
        supervisors_chat_id="",
    )
    assert settings.supervisors_chat_id is None
    assert settings.sla.legal_types == frozenset({"complaint"})

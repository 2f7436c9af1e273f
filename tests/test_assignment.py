"""Shifts and round-robin assignment with capacity: real updates, SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Dispatcher

from bot.services.assignment import AssignmentService
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import card_of, file_consultation, status_of


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "operator_capacity": 1,
    }


@pytest.fixture
def assignment(dispatcher: Dispatcher) -> AssignmentService:
    service = dispatcher.workflow_data["assignment"]
    assert isinstance(service, AssignmentService)
    return service


async def assignee(database: BotDatabase, number: str) -> str | None:
    row = await database.fetchone("SELECT assignee_name FROM appeals WHERE number = ?", (number,))
    assert row is not None
    return row[0]


async def test_round_robin_within_capacity_then_the_queue_waits(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    second_operator: Person,
    assignment: AssignmentService,
    database: BotDatabase,
) -> None:
    third = Person(id=1003, first_name="Пётр")
    replies = await harness.send_to_group(operator, group, "/shift")
    assert replies[0].text == (
        "🟢 Ирина, вы на смене: новые обращения назначаются вам по очереди (до 1 открытых).\n"
        "На смене: Ирина (@irina) (0 из 1)."
    )
    await harness.send_to_group(second_operator, group, "/shift")

    first = await file_consultation(harness, citizen)
    second = await file_consultation(harness, other_citizen, "Про налоги", "Где вычет?")
    waiting = await file_consultation(harness, third, "Про паспорт", "Когда готов?")
    assigned = await assignment.assign_waiting()
    assert [appeal.number for appeal in assigned] == [first, second]
    assert await assignee(database, first) == "Ирина (@irina)"
    assert await assignee(database, second) != "Ирина (@irina)"
    assert await assignee(database, waiting) is None
    assert await status_of(database, waiting) == "new"
    await harness.deliver()
    # The citizen learns «в работе», never who took it.
    notice = harness.messages_in(citizen.id)[-1]
    assert notice.text.startswith(f"🛠 Обращение № {first} взято в работу.")
    assert "Ирина" not in notice.text and "irina" not in notice.text
    assert "Ответственный: Ирина (@irina)" in card_of(harness, first).text

    # Ирина closes hers: capacity frees and the waiting appeal is hers (or the next's).
    prompt = (await harness.press(operator, "Закрыть", card_of(harness, first)))[0]
    await harness.press(operator, "Закрыть без итога", prompt)
    assert [appeal.number for appeal in await assignment.assign_waiting()] == [waiting]
    assert await assignee(database, waiting) == "Ирина (@irina)"
    assert await assignment.assign_waiting() == []


async def test_off_shift_gets_nothing(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    assignment: AssignmentService,
    database: BotDatabase,
) -> None:
    await harness.send_to_group(operator, group, "/shift")
    replies = await harness.send_to_group(operator, group, "/shift")
    assert replies[0].text == (
        "⚪️ Ирина, вы вне смены: новые обращения вам больше не "
        "назначаются.\nНа смене никого: новые обращения ждут в очереди."
    )
    number = await file_consultation(harness, citizen)
    assert await assignment.assign_waiting() == []
    assert await assignee(database, number) is None
    # Going on shift gives out what waits at once.
    await harness.send_to_group(operator, group, "/shift")
    assert await assignee(database, number) == "Ирина (@irina)"


async def test_assign_reassigns_by_username_and_the_citizen_sees_no_name(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    second_operator: Person,
    database: BotDatabase,
) -> None:
    await harness.send_to_group(operator, group, "/shift")
    await harness.send_to_group(operator, group, "/shift")  # known to the bot, now off shift
    await harness.send_to_group(second_operator, group, "/shift")
    number = await file_consultation(harness, citizen)
    card = card_of(harness, number)
    replies = await harness.send_to_group(second_operator, group, "/assign @IRINA", reply_to=card)
    assert await assignee(database, number) == "Ирина (@irina)"
    assert any(
        reply.text == f"👤 Обращение № {number} передано: Ирина (@irina) (назначил Пётр)."
        for reply in replies
    )
    assert await status_of(database, number) == "in_progress"
    notice = harness.messages_in(citizen.id)[-1]
    assert notice.text.startswith(f"🛠 Обращение № {number} взято в работу.")
    assert "Ирина" not in notice.text and "irina" not in notice.text
    assert "Ответственный: Ирина (@irina)" in card_of(harness, number).text
    replies = await harness.send_to_group(second_operator, group, f"/assign @irina {number}")
    assert replies[0].text == f"Обращение № {number} уже у оператора Ирина (@irina)."
    replies = await harness.send_to_group(operator, group, "/assign @nobody", reply_to=card)
    assert replies[0].text == (
        "Оператор @nobody не найден: пусть он хотя бы раз отправит /shift в этом чате."
    )
    replies = await harness.send_to_group(operator, group, "/assign")
    assert replies[0].text.startswith("Формат: /assign @оператор")
    replies = await harness.send_to_group(operator, group, "/assign @irina 12345")
    assert replies[0].text == "Номер обращения выглядит так: 2026-000042."

"""Several desks (DESKS): cards land in their type's desk chat; /move sends an appeal to
another desk. Real updates through the factory's dispatcher, on SQLite and as a cluster
process runs (PostgreSQL and Redis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.domain.clock import ManualClock
from bot.domain.models import Actor, AppealType, EventKind, MessageAuthor
from bot.services.appeals import AppealService
from bot.services.assignment import AssignmentService
from bot.services.desk import DeskService
from fake_telegram.server import StoredMessage
from testkit.harness import BotHarness, Person
from tests.conftest import OPERATORS_CHAT
from tests.desk_helpers import file_consultation, file_recovery

TECHNICAL_CHAT = -1001111111111
COMPLAINTS_CHAT = -1002222222222


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "desks": (
            f"technical={TECHNICAL_CHAT};"
            f"жалобы:complaint,consultation={COMPLAINTS_CHAT};*={OPERATORS_CHAT}"
        ),
        # The manual clock stands still: the cluster's per-second budget would end a burst.
        "telegram_messages_per_second": 1000,
        "operator_capacity": 5,  # nobody goes on shift but in the assignment test
    }


@pytest.fixture
def desks(harness: BotHarness, operator: Person, second_operator: Person) -> None:
    """Three desk chats, each with an operator of its own: the technical desk is a forum."""
    harness.telegram.add_group("Техподдержка", forum=True, chat_id=TECHNICAL_CHAT)
    harness.telegram.add_group("Жалобы", chat_id=COMPLAINTS_CHAT)
    harness.set_member(COMPLAINTS_CHAT, operator)
    harness.set_member(TECHNICAL_CHAT, second_operator)


@pytest.fixture
def desk(dispatcher: Dispatcher) -> DeskService:
    service = dispatcher.workflow_data["desk"]
    assert isinstance(service, DeskService)
    return service


def cards(harness: BotHarness, chat_id: int, number: str) -> list[StoredMessage]:
    return [
        message
        for message in harness.messages_in(chat_id)
        if not message.deleted and f"Обращение № {number}" in message.text.split("\n")[0]
    ]


async def test_cards_land_in_their_desks_chat_and_answers_come_back(
    harness: BotHarness,
    desks: None,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    desk: DeskService,
) -> None:
    consultation = await file_consultation(harness, citizen)
    recovery = await file_recovery(harness, other_citizen)
    await harness.deliver()

    [card] = cards(harness, COMPLAINTS_CHAT, consultation)
    assert card.text.startswith(f"🆕 Обращение № {consultation}")
    assert cards(harness, OPERATORS_CHAT, consultation) == []
    assert cards(harness, TECHNICAL_CHAT, consultation) == []
    assert len(cards(harness, OPERATORS_CHAT, recovery)) == 1  # '*': the default desk
    assert cards(harness, COMPLAINTS_CHAT, recovery) == []

    # Ирина is a member of the complaints desk only: an operator there.
    await harness.send_to_group(operator, COMPLAINTS_CHAT, "Стаж виден в СФР", reply_to=card)
    await harness.deliver()
    answer = harness.messages_in(citizen.id)[-1]
    assert "Стаж виден в СФР" in answer.text
    stored = await desk.find(consultation)
    assert stored is not None and stored.status == "answered" and stored.desk is None


async def test_move_posts_the_card_in_the_new_desk_and_edits_the_old_one(
    harness: BotHarness,
    desks: None,
    citizen: Person,
    operator: Person,
    second_operator: Person,
    desk: DeskService,
) -> None:
    number = await file_consultation(harness, citizen)
    await harness.deliver()
    [old_card] = cards(harness, COMPLAINTS_CHAT, number)

    replies = await harness.send_to_group(
        operator, COMPLAINTS_CHAT, "/move бухгалтерия", reply_to=old_card
    )
    assert replies[0].text.startswith(
        "Отдела «бухгалтерия» нет. Отделы: technical, жалобы, default"
    )
    replies = await harness.send_to_group(operator, COMPLAINTS_CHAT, "/move", reply_to=old_card)
    assert replies[0].text.startswith("Формат: /move отдел ответом на карточку")
    replies = await harness.send_to_group(
        operator, COMPLAINTS_CHAT, "/move complaint", reply_to=old_card
    )
    assert replies[0].text == f"Обращение № {number} уже в отделе «жалобы»."

    replies = await harness.send_to_group(
        operator, COMPLAINTS_CHAT, "/move technical", reply_to=old_card
    )
    assert (
        replies[0].text == f"↪️ Обращение № {number} передано в отдел «technical» (Ирина (@irina))."
    )
    await harness.deliver()

    # The old card says where the appeal went and has no buttons left.
    assert old_card.text.startswith(f"↪️ Обращение № {number} передано в отдел «technical»")
    assert old_card.reply_markup is None
    # The new desk is a forum: a topic of its own, with the card in it.
    [new_card] = cards(harness, TECHNICAL_CHAT, number)
    assert new_card.thread_id is not None
    assert new_card.thread_id in harness.topics(TECHNICAL_CHAT)
    assert "Отдел: technical" in new_card.text
    assert new_card.button_labels()  # «Взять в работу» and the rest

    appeal = await desk.find(number)
    assert appeal is not None and appeal.desk == "technical"
    [moved] = [event for event in await desk.events(appeal) if event.kind == EventKind.MOVED]
    assert moved.actor.id == operator.id
    assert moved.content == {"from": "жалобы", "to": "technical"}

    # The new desk answers in the topic; the old card no longer reaches the citizen.
    await harness.send_to_group(
        second_operator, TECHNICAL_CHAT, "Проверим стаж", thread_id=new_card.thread_id
    )
    await harness.deliver()
    assert "Проверим стаж" in harness.messages_in(citizen.id)[-1].text
    replies = await harness.send_to_group(
        operator, COMPLAINTS_CHAT, "Это я отвечу", reply_to=old_card
    )
    assert replies[0].text.startswith(f"Обращение № {number} передано в отдел «technical»")
    await harness.deliver()
    assert "Это я отвечу" not in harness.messages_in(citizen.id)[-1].text

    # Each desk's /open lists the appeals it serves.
    [listed] = await harness.send_to_group(second_operator, TECHNICAL_CHAT, "/open")
    assert number in listed.text
    [listed] = await harness.send_to_group(operator, COMPLAINTS_CHAT, "/open")
    assert number not in listed.text

    history = await harness.send_to_group(
        second_operator, TECHNICAL_CHAT, "/history", thread_id=new_card.thread_id
    )
    assert "Ирина (@irina): передано в отдел «technical»" in history[0].text

    replies = await harness.send_to_group(
        second_operator, TECHNICAL_CHAT, "/move technical", thread_id=new_card.thread_id
    )
    assert replies[0].text == f"Обращение № {number} уже в отделе «technical»."
    await desk.close(number, Actor(MessageAuthor.OPERATOR, second_operator.id, "Пётр"), None)
    replies = await harness.send_to_group(
        second_operator, TECHNICAL_CHAT, "/move default", thread_id=new_card.thread_id
    )
    assert replies[0].text == (
        f"Обращение № {number} закрыто: закрытое обращение в другой отдел не передают."
    )


async def test_the_desks_benchmark_delivers_a_small_burst_to_every_desk(tmp_path: Path) -> None:
    from benchmarks.desks import run

    result = await run(desks=3, appeals=6, workdir=tmp_path)
    assert result["cards_delivered"] == 6
    assert result["cards_per_chat"] == [2, 2, 2]
    assert result["refused_by_flood_limit"] == 0


async def test_each_desk_chat_spends_its_own_budget(
    harness: BotHarness, desks: None, dispatcher: Dispatcher, clock: ManualClock
) -> None:
    """20 messages a minute per chat (in the process, or in Redis keyed by chat id): a burst
    for two desks fills each chat's minute on its own. The technical desk is a forum, where
    a card costs two (its topic and the card)."""
    appeals: AppealService = dispatcher["appeals"]
    for index in range(25):
        for kind in (AppealType.TECHNICAL, AppealType.CONSULTATION):
            fields = {"topic": f"Вопрос {index}", "description": "Не работает вход"}
            await appeals.file(5000 + index, 5000 + index, kind, fields)
    counts = []
    for _ in range(3):
        await harness.deliver()
        counts.append(
            (
                len(harness.messages_in(TECHNICAL_CHAT)),
                len(harness.messages_in(COMPLAINTS_CHAT)),
            )
        )
        clock.advance(seconds=61)
    assert counts == [(10, 20), (20, 25), (25, 25)]
    assert harness.messages_in(OPERATORS_CHAT) == []


async def test_operators_on_shift_get_the_appeals_of_the_desk_they_went_on_shift_in(
    harness: BotHarness,
    desks: None,
    dispatcher: Dispatcher,
    operator: Person,
    second_operator: Person,
) -> None:
    appeals: AppealService = dispatcher["appeals"]
    assignment: AssignmentService = dispatcher["assignment"]
    fields = {"topic": "Вход", "description": "Не работает вход"}
    filed = {
        kind: (await appeals.file(6000 + index, 6000 + index, kind, fields)).number
        for index, kind in enumerate(
            (AppealType.TECHNICAL, AppealType.CONSULTATION, AppealType.ACCESS_RECOVERY)
        )
    }
    await harness.send_to_group(operator, COMPLAINTS_CHAT, "/shift")
    await harness.send_to_group(second_operator, TECHNICAL_CHAT, "/shift")
    await assignment.assign_waiting()
    assignees = {kind: (await appeals.find(number)).assignee_id for kind, number in filed.items()}
    assert assignees == {
        AppealType.TECHNICAL: second_operator.id,
        AppealType.CONSULTATION: operator.id,
        AppealType.ACCESS_RECOVERY: None,  # nobody is on shift at the default desk
    }

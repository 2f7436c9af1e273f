"""Callback data is input too: forged, foreign, malformed or oversized presses change nothing."""

from __future__ import annotations

import pytest

from bot.callback_data import (
    Desk,
    DeskAction,
    Rating,
    RatingAction,
    ReplyToAppeal,
    TemplateAction,
    TemplatePick,
)
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import dialogue_button_data, file_consultation, status_of


async def snapshot(database: BotDatabase) -> list[tuple]:
    tables = ("appeals", "appeal_events", "appeal_messages", "outbox")
    rows = []
    for table in tables:
        rows += [tuple(row) for row in await database.fetchall(f"SELECT * FROM {table}")]
    return rows


@pytest.mark.parametrize("action", list(DeskAction))
async def test_operator_buttons_pressed_by_a_citizen_in_private_are_refused(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
    action: DeskAction,
) -> None:
    number = await file_consultation(harness, citizen)
    before = await snapshot(database)
    sent_before = len(harness.sent)
    await harness.press_data(other_citizen, Desk(action=action, number=number).pack())
    assert harness.telegram.callback_answers[-1].text
    assert await snapshot(database) == before
    assert len(harness.sent) == sent_before
    assert await status_of(database, number) == "new"


async def test_forged_buttons_for_someone_elses_appeal(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
) -> None:
    number = await file_consultation(harness, citizen)
    await file_consultation(harness, other_citizen, topic="Своё")
    # The other citizen's own list is open: an item of it is forged with the number.
    await harness.send(other_citizen, "/my")
    before = await snapshot(database)
    forged = [
        dialogue_button_data(harness, other_citizen, f"appeal:{number}"),
        *(
            data.pack()
            for data in (
                ReplyToAppeal(number=number),
                Rating(action=RatingAction.SCORE, number=number, score=1),
                TemplatePick(action=TemplateAction.SEND, template_id=1, number=number),
            )
        ),
        "rt:n:" + number,  # «Без отзыва» of the time before the comment step was a dialogue
    ]
    for data in forged:
        replies = await harness.press_data(other_citizen, data)
        assert all(number not in reply.text or "Подробности" in reply.text for reply in replies)
        assert harness.telegram.callback_answers[-1].query_id
    assert (
        harness.telegram.callback_answers[0 - len(forged)].text == "Это обращение вам недоступно."
    )
    assert await snapshot(database) == before
    assert await harness.state(other_citizen) in (None, "MyAppeals:choosing_appeal")


@pytest.mark.parametrize(
    "data",
    [
        "",
        "d",
        "d:take",
        "d:explode:2026-000001",
        "rt:s:2026-000001:99",
        "rt:s:bad:x",
        "a:open:" + "9" * 50,
        "\u202e" * 10,
        "h:" + "x" * 62,
    ],
)
async def test_malformed_and_oversized_payloads(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    database: BotDatabase,
    data: str,
) -> None:
    await file_consultation(harness, citizen)
    before = await snapshot(database)
    answers = len(harness.telegram.callback_answers)
    await harness.press_data(citizen, data)
    assert len(harness.telegram.callback_answers) == answers + 1
    assert await snapshot(database) == before

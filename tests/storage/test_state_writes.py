"""Through the real dispatcher: a citizen never gets a reply before the state it follows is
committed, although an update's writes are committed together, not one by one."""

from __future__ import annotations

import sqlite3
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.methods import SendMessage, TelegramMethod

from bot.testing.harness import BotHarness, Person
from states.complaint import WrittenComplaint
from storage.sqlite.database import Database


def committed_state(database: Database, citizen: Person) -> str | None:
    with sqlite3.connect(database.path) as elsewhere:
        row = elsewhere.execute(
            "SELECT state FROM fsm_sessions WHERE chat_id = ? AND user_id = ?",
            (citizen.id, citizen.id),
        ).fetchone()
    return None if row is None else row[0]


class CommittedStateAtEachReply(BaseRequestMiddleware):
    """Registered after the bot's own session middleware, so it sees what Telegram would."""

    def __init__(self, database: Database, citizen: Person) -> None:
        self.database = database
        self.citizen = citizen
        self.seen: list[str | None] = []

    async def __call__(self, make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, SendMessage) and method.chat_id == self.citizen.id:
            self.seen.append(committed_state(self.database, self.citizen))
        return await make_request(bot, method)


async def test_each_reply_follows_the_commit_of_its_state(
    harness: BotHarness, citizen: Person, database: Database
) -> None:
    await harness.send(citizen, "/start")  # the bot's session middleware is in place from here
    replies = CommittedStateAtEachReply(database, citizen)
    harness.session.middleware(replies)

    await harness.press(citizen, "Новое обращение")
    await harness.press(citizen, "Жалоба")
    assert replies.seen[-1] == WrittenComplaint.waiting_for_topic.state
    await harness.send(citizen, "Не проходит оплата пошлины")
    assert replies.seen[-1] == WrittenComplaint.waiting_for_caller_phone.state
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_caller_phone.state
    data = await harness.data(citizen)
    assert data["topic"] == "Не проходит оплата пошлины"


async def test_an_update_is_marked_done_with_its_state_committed(
    harness: BotHarness, citizen: Person, database: Database
) -> None:
    await harness.send(citizen, "/start")
    await harness.press(citizen, "Новое обращение")
    await harness.press(citizen, "Жалоба")

    assert committed_state(database, citizen) == WrittenComplaint.waiting_for_topic.state
    rows = await database.fetchall("SELECT status FROM processed_updates")
    assert [row[0] for row in rows] == ["done"] * 3

"""The operators' side sits behind one router-level gate (handlers/__init__.py).

A citizen's answer, press or command is refused by that one filter instead of
entering the call desk, the operators' desk and the dashboard with their
sub-routers; what those routers do for a citizen (refuse an operator's command in
a private chat, /dashboard) still reaches them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiogram import Router

from bot.texts import operators as t
from testkit.harness import BotHarness, Person

STAFF = ("bot.handlers.call_desk", "bot.handlers.operators", "bot.handlers.dashboard")


@pytest.fixture
def entered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the routers updates enter from now on."""
    names: list[str] = []
    propagate = Router.propagate_event

    async def recorded(self: Router, update_type: str, event: Any, **kwargs: Any) -> Any:
        names.append(self.name)
        return await propagate(self, update_type, event, **kwargs)

    monkeypatch.setattr(Router, "propagate_event", recorded)
    yield names


def staff_routers(names: list[str]) -> list[str]:
    return [name for name in names if name.startswith(STAFF)]


async def test_a_citizens_answer_press_and_command_enter_no_staff_router(
    harness: BotHarness, citizen: Person, entered: list[str]
) -> None:
    await harness.consent(citizen)
    entered.clear()

    assert await harness.send(citizen, "/start")
    assert await harness.press(citizen, "Новое обращение")
    assert await harness.send(citizen, "/status 2026-000001")
    assert await harness.send(citizen, "не могу войти в личный кабинет")

    assert "staff" in entered
    assert staff_routers(entered) == []


async def test_an_operators_command_in_a_private_chat_still_reaches_the_desk(
    harness: BotHarness, citizen: Person, entered: list[str]
) -> None:
    replies = await harness.send(citizen, "/open")

    assert [reply.text for reply in replies] == [t.OPERATOR_COMMAND_ONLY]
    assert "bot.handlers.operators.refusals" in entered
    replies = await harness.send(citizen, "/callbacks")
    assert [reply.text for reply in replies] == [t.OPERATOR_COMMAND_ONLY]

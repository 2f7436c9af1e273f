"""``/dashboard``: links for operators and supervisors, a polite refusal for citizens; the
link opens once, within 10 minutes; sign-ins are audited. ``/stats`` gains its chart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.domain.clock import ManualClock
from bot.domain.dashboard import AuditAction
from bot.domain.signin import Refusal, Role, TokenRefused
from bot.services.dashboard import DashboardAccess
from bot.texts import dashboard as t
from testkit.harness import BotHarness, Person

SUPERVISORS_CHAT = -1009876543210
LINK = re.compile(r"http://127\.0\.0\.1:8090/signin\?token=(\S+)")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "supervisors_chat_id": SUPERVISORS_CHAT,
    }


@pytest.fixture(autouse=True)
def supervisors_chat(harness: BotHarness) -> int:
    """The supervisors' chat the settings name: the bot is in it, as deployed."""
    harness.telegram.add_group("Руководители", chat_id=SUPERVISORS_CHAT)
    return SUPERVISORS_CHAT


@pytest.fixture
def supervisor(harness: BotHarness, supervisors_chat: int) -> Person:
    boss = Person(id=4004, first_name="Светлана")
    harness.set_member(supervisors_chat, boss)
    return boss


def token_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)


async def test_an_operator_gets_a_link_that_opens_once(
    harness: BotHarness, group: int, operator: Person, dispatcher: Dispatcher
) -> None:
    [answer] = await harness.send(operator, "/dashboard")
    assert answer.chat.id == operator.id
    assert "(оператор)" in answer.text
    assert "10 минут" in answer.text
    access: DashboardAccess = dispatcher["dashboard_access"]
    session = await access.sign_in(token_in(answer.text))
    assert (session.user_id, session.role) == (operator.id, Role.OPERATOR)
    assert access.session(access.cookie(session)) == session
    with pytest.raises(TokenRefused) as again:
        await access.sign_in(token_in(answer.text))
    assert again.value.reason == Refusal.USED
    [entry] = await access.audit_log()
    assert (entry.user_id, entry.role, entry.action) == (
        operator.id,
        "operator",
        AuditAction.SIGN_IN,
    )


async def test_a_supervisor_gets_a_supervisors_link_that_expires(
    harness: BotHarness, supervisor: Person, dispatcher: Dispatcher, clock: ManualClock
) -> None:
    [answer] = await harness.send(supervisor, "/dashboard")
    assert "(руководитель)" in answer.text
    clock.advance(minutes=10)
    access: DashboardAccess = dispatcher["dashboard_access"]
    with pytest.raises(TokenRefused) as late:
        await access.sign_in(token_in(answer.text))
    assert late.value.reason == Refusal.EXPIRED
    assert await access.audit_log() == []


async def test_a_citizen_is_refused_politely_even_in_a_dialogue(
    harness: BotHarness, consented: Person, stranger: Person
) -> None:
    await harness.send(consented, "/appeal")
    [answer] = await harness.send(consented, "/dashboard")
    assert answer.text == t.REFUSED
    assert "http" not in answer.text
    [answer] = await harness.send(stranger, "/dashboard")
    assert answer.text == t.REFUSED


async def test_stats_sends_the_chart_of_the_last_14_days(
    harness: BotHarness, group: int, operator: Person
) -> None:
    stats, chart = await harness.send_to_group(operator, group, "/stats")
    assert stats.text.startswith("📊 Статистика обращений")
    assert chart.content_type == "photo"
    assert chart.text == render_caption()


def render_caption() -> str:
    return t.CHART_FILE_CAPTION.format(days=14)

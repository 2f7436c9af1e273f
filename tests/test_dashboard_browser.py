"""The dashboard in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

An operator's link comes from the bot's own ``/dashboard`` answer; the browser opens it,
reads the queue, searches, exports CSV, and no page shows a phone or SNILS unmasked.
The second test: a used link, an expired link, a forged cookie and a citizen are refused.

``DASHBOARD_SCREENSHOTS=docs`` also saves the pages as docs/dashboard-*.png (README).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.dashboard.server import bind, build_app, serving
from bot.domain.clock import ManualClock
from bot.domain.masking import has_personal_data
from bot.domain.models import (
    Actor,
    AppealChange,
    AppealStatus,
    AppealType,
    EventKind,
    MessageAuthor,
    NewAppeal,
    NewEvent,
)
from bot.settings import Settings
from bot.storage.backends import Backend
from bot.texts import dashboard as t
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = "/usr/bin/chromium"
PHONE_TYPED = "8 (912) 345-67-89"
SNILS = "112-233-445 95"
FULL_NAME = "Иванов Иван Иванович"
# What must never appear: the phone's and SNILS's hidden digits, the surname.
UNMASKED = ("345-67", "9123456789", "912) 345", "112-233-445", "Иванов", "ivan.petrov")

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
    reason="Chromium is not installed (.ci/run installs the chromium package)",
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "sla_first_response": "technical:2h,consultation:1h",
        "legal_deadline_types": "complaint",
        "dashboard_port": 0,
        "dashboard_public_url": "http://127.0.0.1:1",  # replaced by the served address below
    }


async def seed(database: BotDatabase, clock: ManualClock) -> None:
    backend = Backend(database)
    now = clock.now()
    operator = Actor(MessageAuthor.OPERATOR, 2001, "Ирина (@irina)")
    citizen = Actor(MessageAuthor.CITIZEN, 1001)
    recovery = await backend.appeals.create(
        NewAppeal(
            1001,
            1001,
            AppealType.ACCESS_RECOVERY,
            {
                "cause": "other",
                "full_name": FULL_NAME,
                "snils": SNILS,
                "contact": "+79123456789",
                "description": f"Не приходит SMS на {PHONE_TYPED}, СНИЛС {SNILS}",
            },
        ),
        now - timedelta(hours=30),
    )
    technical = await backend.appeals.create(
        NewAppeal(
            1002,
            1002,
            AppealType.TECHNICAL,
            {"description": "Ошибка 500, пишите ivan.petrov@mail.ru", "contact": "+79123456789"},
        ),
        now - timedelta(hours=5),
    )
    await backend.appeals.create(
        NewAppeal(1003, 1003, AppealType.COMPLAINT, {"topic": "Не дозвониться"}),
        now - timedelta(days=27),
    )
    for days_ago in range(1, 6):
        answered = await backend.appeals.create(
            NewAppeal(1004, 1004, AppealType.CONSULTATION, {"topic": "Вопрос"}),
            now - timedelta(days=days_ago, hours=2),
        )
        at = now - timedelta(days=days_ago, hours=2 - days_ago * 0.2)
        await backend.desk.apply(
            [
                AppealChange(
                    answered.id,
                    events=(NewEvent(EventKind.OPERATOR_MESSAGE, operator, text="Ответ"),),
                    status=AppealStatus.ANSWERED,
                    assignee=operator,
                    answered=True,
                )
            ],
            at,
        )
        await backend.desk.apply(
            [
                AppealChange(
                    answered.id,
                    events=(NewEvent(EventKind.RATED, citizen, text="5"),),
                    rating=5 if days_ago % 2 else 3,
                )
            ],
            at + timedelta(minutes=5),
        )
    await backend.desk.apply(
        [AppealChange(technical.id, status=AppealStatus.IN_PROGRESS, assignee=operator)], now
    )
    assert recovery.number == "2026-000001"


@pytest.fixture
async def dashboard(
    settings: Settings, database: BotDatabase, clock: ManualClock
) -> AsyncIterator[str]:
    """The dashboard served on a free port over the bot's own database; its address."""
    await seed(database, clock)
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with serving(build_app(settings, Backend(database), clock), sock):
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield chromium
        await chromium.close()


async def link_from_the_bot(harness: BotHarness, person: Person, dashboard: str) -> str:
    [answer] = await harness.send(person, "/dashboard")
    match = re.search(r"http://\S+/signin\?token=(\S+)", answer.text)
    assert match, answer.text
    return f"{dashboard}/signin?token={match.group(1)}"


def assert_masked(text: str) -> None:
    for unmasked in UNMASKED:
        assert unmasked not in text, unmasked
    assert not has_personal_data(text), text


async def screenshot(page: object, name: str) -> None:
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        await page.screenshot(path=str(Path(folder) / f"dashboard-{name}.png"), full_page=True)


async def test_sign_in_read_the_queue_search_and_export(
    harness: BotHarness,
    group: int,
    operator: Person,
    dashboard: str,
    browser: object,
    dispatcher: Dispatcher,
) -> None:
    context = await browser.new_context(
        accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="ru-RU"
    )
    page = await context.new_page()
    await page.goto(await link_from_the_bot(harness, operator, dashboard))
    # Opening the link spends nothing (a link preview could): the button signs in.
    assert await context.cookies() == []
    await screenshot(page, "signin")
    await page.click("#signin")

    assert page.url == f"{dashboard}/"
    [cookie] = await context.cookies()
    assert cookie["name"] == "dashboard_session"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    queue = await page.inner_text("#queue")
    assert "Очередь: открытые обращения (8)" in queue
    assert "Самое давнее: № 2026-000003 (Жалоба, новое)" in queue
    deadlines = await page.inner_text("#deadlines")
    # The technical appeal is 5 hours old against 2 working hours: breached (or at risk).
    assert "2026-000002" in deadlines and "первый ответ" in deadlines
    assert "2026-000003" in deadlines and "срок по 59-ФЗ" in deadlines
    load = await page.inner_text("#load")
    assert "Ирина (@irina)" in load
    assert await page.locator("#charts svg").count() == 2
    assert await page.locator("#charts svg circle").count() == 5
    assert_masked(await page.content())
    await screenshot(page, "overview")

    await page.click("text=Поиск")
    await page.fill("input[name=number]", "000001")
    await page.click("button:has-text('Найти')")
    results = await page.inner_text("#results")
    assert "Найдено: 1" in results
    assert "2026-000001" in results and "Восстановление доступа" in results
    assert "+7 912 ***-**-89" in results
    assert_masked(await page.content())

    await page.fill("input[name=number]", "")
    await page.select_option("select[name=status]", "new")
    await page.click("button:has-text('Найти')")
    assert "Найдено: 2" in await page.inner_text("#results")
    assert_masked(await page.content())
    await screenshot(page, "search")

    async with page.expect_download() as info:
        await page.click("#export")
    download = await info.value
    assert download.suggested_filename.startswith(
        "appeals-"
    ) and download.suggested_filename.endswith(".csv")
    exported = Path(await download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == list(t.CSV_HEADER)
    assert sorted(row[0] for row in rows[1:]) == ["2026-000001", "2026-000003"]
    assert_masked(exported)

    access = dispatcher["dashboard_access"]
    actions = [(entry.user_id, entry.action) for entry in await access.audit_log()]
    assert actions == [(operator.id, "export"), (operator.id, "sign_in")]
    # The journal is the supervisors'.
    response = await page.goto(f"{dashboard}/audit")
    assert response.status == 403
    await page.click("button:has-text('Выйти')")
    assert await page.inner_text("#message") == t.SIGNED_OFF
    assert await context.cookies() == []
    response = await page.goto(f"{dashboard}/")
    assert response.status == 401
    await context.close()


async def test_used_and_expired_links_forged_cookies_and_citizens_are_refused(
    harness: BotHarness,
    group: int,
    operator: Person,
    citizen: Person,
    dashboard: str,
    browser: object,
    clock: ManualClock,
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    link = await link_from_the_bot(harness, operator, dashboard)
    await page.goto(link)
    await page.click("#signin")
    assert page.url == f"{dashboard}/"

    # Used: a second browser opening the same link.
    other = await browser.new_context()
    stranger_page = await other.new_page()
    await stranger_page.goto(link)
    async with stranger_page.expect_navigation() as navigation:
        await stranger_page.click("#signin")
    assert (await navigation.value).status == 403
    assert await stranger_page.inner_text("#message") == t.LINK_REFUSED["used"]
    assert await other.cookies() == []
    await screenshot(stranger_page, "refused")

    # Expired: issued now, opened 10 minutes later.
    late = await link_from_the_bot(harness, operator, dashboard)
    clock.advance(minutes=10, seconds=1)
    response = await stranger_page.goto(late)
    assert response.status == 403
    assert await stranger_page.inner_text("#message") == t.LINK_REFUSED["expired"]

    # Forged: the operator's own cookie with the role changed, and plain junk.
    [cookie] = await context.cookies()
    payload, signature = cookie["value"].split(".")
    grant = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert grant["r"] == "operator"
    promoted = json.dumps({**grant, "r": "supervisor"}, separators=(",", ":")).encode()
    forged = base64.urlsafe_b64encode(promoted).rstrip(b"=").decode() + "." + signature
    for value in (forged, "junk", payload + "." + "A" * 43):
        await other.add_cookies([{"name": "dashboard_session", "value": value, "url": dashboard}])
        response = await stranger_page.goto(f"{dashboard}/")
        assert response.status == 401
        assert await stranger_page.inner_text("#message") == t.SIGNED_OUT
        assert "Очередь" not in await stranger_page.content()

    # A citizen: no link from the bot, and a link of their own making is forged.
    [answer] = await harness.send(citizen, "/dashboard")
    assert answer.text == t.REFUSED
    made_up = link.split("token=")[0] + "token=" + forged
    response = await stranger_page.goto(made_up)
    assert response.status == 403
    assert await stranger_page.inner_text("#message") == t.LINK_REFUSED["forged"]

    # A form posted without the session's CSRF token is refused, signed in or not.
    response = await page.request.post(f"{dashboard}/export", form={"csrf": "x"})
    assert response.status == 403
    await other.close()
    await context.close()

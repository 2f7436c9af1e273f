"""The dashboard's pages over HTTP: the supervisors' journal, headers, odd form values."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dashboard.server import build_app
from bot.dashboard.web import ACCESS
from bot.domain.clock import ManualClock
from bot.domain.models import AppealType, NewAppeal
from bot.domain.signin import Role
from bot.settings import Settings
from bot.storage.backends import Backend
from bot.texts import dashboard as t
from tests.conftest import BotDatabase


@pytest.fixture
async def client(
    settings: Settings, database: BotDatabase, clock: ManualClock
) -> AsyncIterator[TestClient]:
    backend = Backend(database)
    await backend.appeals.create(
        NewAppeal(1, 1, AppealType.TECHNICAL, {"description": "<b>жирный</b> & 8 912 345 67 89"}),
        clock.now() - timedelta(hours=1),
    )
    async with TestClient(TestServer(build_app(settings, backend, clock))) as client:
        yield client


async def sign_in(client: TestClient, role: Role) -> str:
    """Signs in; the CSRF token of the session."""
    link = client.app[ACCESS].link(77, role)
    token = link.split("token=")[1]
    confirm = await client.get("/signin", params={"token": token})
    assert confirm.status == 200 and "Войти" in await confirm.text()
    response = await client.post("/signin", data={"token": token})
    assert response.status == 200  # followed the redirect to the overview
    assert str(response.url).endswith("/")
    html = await (await client.get("/search")).text()
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


async def test_a_supervisor_reads_the_journal_of_sign_ins_and_exports(client: TestClient) -> None:
    csrf = await sign_in(client, Role.SUPERVISOR)
    exported = await client.post("/export", data={"csrf": csrf, "type": "technical"})
    assert exported.status == 200
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="appeals-')
    journal = await client.get("/audit")
    assert journal.status == 200
    text = await journal.text()
    assert text.index("<td>выгрузка CSV</td>") < text.index("<td>вход</td>")
    assert "type=technical" in text and "appeals: 1" in text


async def test_pages_forbid_framing_scripts_and_referers(client: TestClient) -> None:
    for path in ("/", "/signin?token=x"):
        response = await client.get(path)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


async def test_user_text_is_escaped_and_odd_criteria_are_ignored(client: TestClient) -> None:
    csrf = await sign_in(client, Role.OPERATOR)
    response = await client.post(
        "/search",
        data={
            "csrf": csrf,
            "number": "2026-000001' OR 1=1 --" + "9" * 100,
            "status": "deleted",
            "type": "<script>",
            "date_from": "вчера",
            "date_to": "2026-13-45",
        },
    )
    assert response.status == 200
    html = await response.text()
    assert "Найдено: 0" in html  # digits and dashes of the first 32 characters match nothing
    assert "<script>" not in html
    response = await client.post("/search", data={"csrf": csrf, "number": "000001"})
    html = await response.text()
    assert "Найдено: 1" in html
    assert "&lt;b&gt;жирный&lt;/b&gt; &amp; * *** *** ** 89" in html


async def test_forms_need_the_sessions_csrf_token_and_a_post(client: TestClient) -> None:
    await sign_in(client, Role.OPERATOR)
    for data in ({}, {"csrf": "forged"}):
        response = await client.post("/export", data=data)
        assert response.status == 403
        assert t.FORM_EXPIRED in await response.text()
    assert (await client.get("/export")).status == 405

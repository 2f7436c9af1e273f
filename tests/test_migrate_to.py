"""``python -m bot migrate-to``: a SQLite deployment moves to PostgreSQL with everything."""

from __future__ import annotations

import pytest

from bot.__main__ import migrate_to
from bot.app import Application
from bot.domain.clock import ManualClock
from bot.settings import Settings
from bot.storage.migrate import TargetNotEmpty
from fake_telegram import DirectSession
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, cluster_settings
from tests.test_application import file_consultation, finish_consultation

pytestmark = pytest.mark.sqlite_only(
    reason="copies a SQLite deployment into PostgreSQL: the source is SQLite by definition"
)


async def test_everything_moves_and_numbers_go_on(
    settings: Settings,
    clock: ManualClock,
    citizen: Person,
    cluster_services: tuple[str, str],
) -> None:
    # Telegram outlives the migration: its update ids go on growing.
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
    async with Application(settings, clock=clock, session=DirectSession(telegram)) as application:
        harness = BotHarness(application.dispatcher, application.bot, telegram)
        assert "Номер: 2026-000001" in await file_consultation(harness, citizen)
        before = {
            table: (await application.backend.database.fetchone(f"SELECT count(*) FROM {table}"))[0]
            for table in ("appeals", "appeal_events", "consents", "citizens", "outbox")
        }

    async with cluster_settings(settings, cluster_services) as configured:
        url = configured.database_url or ""
        copied = await migrate_to(settings, url)
        assert {table: copied[table] for table in before} == before
        assert before["appeals"] == 1 and before["consents"] == 1
        with pytest.raises(TargetNotEmpty):
            await migrate_to(settings, url)

        session = DirectSession(telegram)
        async with Application(configured, clock=clock, session=session) as application:
            harness = BotHarness(application.dispatcher, application.bot, telegram)
            # The consent came along: the dialogue opens at once; the number goes on.
            await harness.send(citizen, "/start")
            await harness.press(citizen, "Новое обращение")
            replies = await harness.press(citizen, "Консультация")
            assert "Шаг 1 из 2" in replies[0].text
            await harness.send(citizen, "Пенсия")
            assert "Номер: 2026-000002" in await finish_consultation(harness, citizen)
            database = application.backend.database
            numbers = [
                row[0]
                for row in await database.pool.fetch("SELECT number FROM appeals ORDER BY id")
            ]
            assert numbers == ["2026-000001", "2026-000002"]
            first = await database.pool.fetchrow(
                "SELECT fields, created_at FROM appeals WHERE number = '2026-000001'"
            )
            assert first["fields"]["topic"] == "Пособия"
            assert first["created_at"].tzinfo is not None

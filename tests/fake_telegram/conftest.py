from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from fake_telegram import FakeTelegram, FakeUser


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(bot_username="gosuslugi_help_bot") as server:
        yield server


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = telegram.create_bot()
    yield bot
    await bot.session.close()


@pytest.fixture
def anna(telegram: FakeTelegram) -> FakeUser:
    return telegram.add_user(
        "Анна", last_name="Петрова", username="anna_p", phone_number="+79161234567"
    )

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram import Bot, Dispatcher

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


@asynccontextmanager
async def polling(telegram: FakeTelegram, dispatcher: Dispatcher, bot: Bot) -> AsyncIterator[None]:
    """Run the dispatcher's real long polling against the fake for the duration of the block."""
    polls_before = len(telegram.calls_to("getUpdates"))
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    await telegram.wait_until(
        lambda: len(telegram.calls_to("getUpdates")) > polls_before or task.done(),
        description="the dispatcher's first getUpdates",
    )
    try:
        yield
    finally:
        await dispatcher.stop_polling()
        await task

"""The dispatcher's real long polling against the fake Telegram server, for a block."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher

from fake_telegram import FakeTelegram


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

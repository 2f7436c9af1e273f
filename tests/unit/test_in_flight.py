"""The shutdown's drain: updates in flight get the grace, the ones left are cancelled, and an
update that was waiting behind its chat's lock is cut off before it is handled."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import Chat, Message, Update, User

from bot.middlewares.in_flight import InFlightUpdates

CHAT = 4242


def text_update(update_id: int, text: str) -> Update:
    user = User(id=CHAT, is_bot=False, first_name="Анна")
    return Update(
        update_id=update_id,
        message=Message(
            message_id=update_id,
            date=datetime(2026, 12, 3),
            chat=Chat(id=CHAT, type="private"),
            from_user=user,
            text=text,
        ),
    )


async def test_the_drain_waits_cancels_what_is_left_and_cuts_off_what_comes_after() -> None:
    started: list[str] = []
    finished: list[str] = []
    slow = asyncio.Event()  # never set: the slow update outlives the grace

    router = Router()

    @router.message()
    async def handle(message: Message) -> None:
        assert message.text is not None
        started.append(message.text)
        if message.text == "slow":
            await slow.wait()
        finished.append(message.text)

    # One lock a chat, as the bot's own isolation: the second update of the chat waits for
    # the first before it reaches the middleware.
    dispatcher = Dispatcher(storage=MemoryStorage(), events_isolation=SimpleEventIsolation())
    in_flight = InFlightUpdates(timeout=0.2)
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.startup.register(in_flight.reopen)  # as bot.factory does
    dispatcher.include_router(router)
    bot = Bot("42:TEST")

    quick = asyncio.create_task(dispatcher.feed_update(bot, text_update(1, "quick")))
    await asyncio.sleep(0)
    held = asyncio.create_task(dispatcher.feed_update(bot, text_update(2, "slow")))
    behind = asyncio.create_task(dispatcher.feed_update(bot, text_update(3, "behind")))
    await asyncio.sleep(0.05)
    assert in_flight.count == 1  # "quick" is done, "behind" waits for the chat's lock

    await in_flight.drain()

    assert held.cancelled()
    await asyncio.wait({behind})
    assert behind.cancelled()
    assert quick.done() and not quick.cancelled()
    assert started == ["quick", "slow"]  # "behind" never reached its handler
    assert finished == ["quick"]
    assert in_flight.count == 0
    # Polling again after the stop: updates are taken again.
    await dispatcher.emit_startup(bot=bot)
    await dispatcher.feed_update(bot, text_update(4, "again"))
    assert finished == ["quick", "again"]
    await bot.session.close()


async def test_the_drain_returns_at_once_when_nothing_is_in_flight() -> None:
    in_flight = InFlightUpdates(timeout=30)
    loop = asyncio.get_running_loop()
    begun = loop.time()
    await in_flight.drain()
    assert loop.time() - begun < 1

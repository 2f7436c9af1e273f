"""Delivery by webhook: POSTs with the secret header, retries with backoff, max_connections."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.filters import CommandStart
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from fake_telegram import DeliveryAttempt, FakeTelegram, FakeUser

SECRET = "s3cret_Token-1"


@dataclass
class ReceivedPost:
    headers: dict[str, str]
    update: dict[str, Any]


@dataclass
class Receiver:
    """A stand-in for the bot's web server: records each POST and answers as scripted."""

    statuses: deque[int] = field(default_factory=deque)
    posts: list[ReceivedPost] = field(default_factory=list)
    hold: asyncio.Event | None = None
    in_progress: int = 0
    most_in_progress: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append(ReceivedPost(dict(request.headers), await request.json()))
        self.in_progress += 1
        self.most_in_progress = max(self.most_in_progress, self.in_progress)
        try:
            if self.hold is not None:
                await self.hold.wait()
        finally:
            self.in_progress -= 1
        return web.json_response({}, status=self.statuses.popleft() if self.statuses else 200)

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{bound_port}/hook"
        return self.url

    async def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def fast_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(webhook_retry_delay=0.05, webhook_max_retry_delay=0.2) as server:
        yield server


@pytest.fixture
async def fast_bot(fast_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = fast_telegram.create_bot()
    yield bot
    await bot.session.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """For what the receiver sees: the fake's own waits wake only on the fake's changes."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def finished(telegram: FakeTelegram) -> list[DeliveryAttempt]:
    return [attempt for attempt in telegram.webhook_attempts if attempt.finished_at is not None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_are_posted_with_the_secret_header(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    anna = fast_telegram.add_user("Анна")
    await fast_bot.set_webhook(receiver.url, secret_token=SECRET)
    await fast_telegram.send_text(anna, "Здравствуйте")

    await fast_telegram.wait_until(
        lambda: fast_telegram.updates.unconfirmed_count == 0, description="the update is delivered"
    )

    [post] = receiver.posts
    assert post.headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
    assert post.headers["Content-Type"] == "application/json"
    assert post.update["message"]["text"] == "Здравствуйте"
    assert post.update == fast_telegram.update_history[-1]
    [attempt] = fast_telegram.webhook_attempts
    assert (attempt.update_id, attempt.status, attempt.delivered) == (
        post.update["update_id"],
        200,
        True,
    )
    info = await fast_bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (receiver.url, 0, 40)
    assert info.last_error_date is None


async def test_updates_queued_before_the_webhook_is_set_are_delivered_in_order(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    anna = fast_telegram.add_user("Анна")
    for text in ("один", "два", "три"):
        await fast_telegram.send_text(anna, text)

    await fast_bot.set_webhook(receiver.url, max_connections=1)
    await fast_telegram.wait_until(lambda: len(receiver.posts) == 3)

    assert [post.update["message"]["text"] for post in receiver.posts] == ["один", "два", "три"]
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.posts[0].headers


async def test_a_non_2xx_answer_is_retried_with_growing_pauses(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    anna = fast_telegram.add_user("Анна")
    receiver.statuses.extend([500, 502, 500])
    await fast_bot.set_webhook(receiver.url, secret_token=SECRET)
    await fast_telegram.send_text(anna, "Здравствуйте")

    await fast_telegram.wait_until(lambda: len(finished(fast_telegram)) >= 2)
    info = await fast_bot.get_webhook_info()
    assert info.pending_update_count == 1  # a failed update stays pending
    assert info.last_error_message in (
        "Wrong response from the webhook: 500 Internal Server Error",
        "Wrong response from the webhook: 502 Bad Gateway",
    )
    assert info.last_error_date is not None
    await fast_telegram.wait_until(
        lambda: fast_telegram.updates.unconfirmed_count == 0,
        description="the update is delivered at last",
    )

    attempts = fast_telegram.webhook_attempts
    assert [attempt.status for attempt in attempts] == [500, 502, 500, 200]
    assert len({attempt.update_id for attempt in attempts}) == 1
    pauses = [
        later.started_at - (earlier.finished_at or 0)
        for earlier, later in itertools.pairwise(attempts)
    ]
    assert pauses[0] >= 0.04 and pauses[1] >= 0.09 and pauses[2] >= 0.18, pauses
    assert [post.update for post in receiver.posts] == [receiver.posts[0].update] * 4


async def test_a_refused_connection_is_retried_until_the_bot_listens(
    fast_telegram: FakeTelegram, fast_bot: Bot
) -> None:
    anna = fast_telegram.add_user("Анна")
    port = free_port()
    late = Receiver()
    await fast_bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    await fast_telegram.send_text(anna, "Здравствуйте")
    await fast_telegram.wait_until(lambda: len(finished(fast_telegram)) >= 2)
    assert fast_telegram.webhook_info()["last_error_message"] == "Connection refused"
    assert fast_telegram.updates.unconfirmed_count == 1

    await late.start(port)
    try:
        await fast_telegram.wait_until(
            lambda: fast_telegram.updates.unconfirmed_count == 0,
            description="delivered once the bot listens",
        )
    finally:
        await late.stop()
    assert [post.update["message"]["text"] for post in late.posts] == ["Здравствуйте"]
    assert all(attempt.status is None for attempt in fast_telegram.webhook_attempts[:-1])


async def test_no_answer_within_the_time_out_is_a_failed_attempt(receiver: Receiver) -> None:
    async with FakeTelegram(webhook_timeout=0.2, webhook_retry_delay=0.05) as telegram:
        bot = telegram.create_bot()
        try:
            receiver.hold = asyncio.Event()
            await bot.set_webhook(receiver.url)
            await telegram.send_text(telegram.add_user("Анна"), "Здравствуйте")
            await telegram.wait_until(
                lambda: any(attempt.finished_at for attempt in telegram.webhook_attempts)
            )
            assert telegram.webhook_attempts[0].error == "Read timeout expired"
            receiver.hold.set()
            await telegram.wait_until(lambda: telegram.updates.unconfirmed_count == 0)
        finally:
            await bot.session.close()


async def test_at_most_max_connections_posts_are_in_flight(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    anna = fast_telegram.add_user("Анна")
    receiver.hold = asyncio.Event()
    await fast_bot.set_webhook(receiver.url, max_connections=2)
    for number in range(5):
        await fast_telegram.send_text(anna, f"сообщение {number}")

    await until(lambda: receiver.in_progress == 2)
    await asyncio.sleep(0.2)
    assert len(receiver.posts) == 2
    assert (await fast_bot.get_webhook_info()).pending_update_count == 5
    receiver.hold.set()
    await fast_telegram.wait_until(lambda: fast_telegram.updates.unconfirmed_count == 0)

    assert receiver.most_in_progress == 2
    assert len(receiver.posts) == 5


async def test_a_redelivered_update_is_posted_again(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    await fast_bot.set_webhook(receiver.url)
    message = await fast_telegram.send_text(fast_telegram.add_user("Анна"), "Здравствуйте")
    await fast_telegram.wait_until(lambda: len(receiver.posts) == 1)
    update_id = receiver.posts[0].update["update_id"]

    await fast_telegram.redeliver_update(update_id)
    await fast_telegram.wait_until(lambda: len(receiver.posts) == 2)

    assert receiver.posts[1].update == receiver.posts[0].update
    assert receiver.posts[1].update["message"]["message_id"] == message.message_id
    assert [attempt.status for attempt in fast_telegram.webhook_attempts_for(update_id)] == [
        200,
        200,
    ]


async def test_drop_pending_updates_and_allowed_updates(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    anna = fast_telegram.add_user("Анна")
    await fast_telegram.send_text(anna, "старое")

    await fast_bot.set_webhook(
        receiver.url, drop_pending_updates=True, allowed_updates=["callback_query"]
    )
    await fast_telegram.send_text(anna, "не нужное боту")
    await asyncio.sleep(0.1)

    assert receiver.posts == []
    assert [update["message"]["text"] for update in fast_telegram.dropped_updates] == [
        "не нужное боту"
    ]
    assert (await fast_bot.get_webhook_info()).allowed_updates == ["callback_query"]


async def test_get_updates_conflicts_until_the_webhook_is_deleted(
    fast_telegram: FakeTelegram, fast_bot: Bot
) -> None:
    anna = fast_telegram.add_user("Анна")
    await fast_bot.set_webhook(f"http://127.0.0.1:{free_port()}/hook")
    await fast_telegram.send_text(anna, "Здравствуйте")

    with pytest.raises(
        TelegramConflictError, match="can't use getUpdates method while webhook is active"
    ):
        await fast_bot.get_updates()
    await fast_bot.delete_webhook()
    attempts = len(fast_telegram.webhook_attempts)
    updates = await fast_bot.get_updates()

    assert [update.message.text for update in updates if update.message] == ["Здравствуйте"]
    assert (await fast_bot.get_webhook_info()).url == ""
    await asyncio.sleep(0.3)
    assert len(fast_telegram.webhook_attempts) == attempts  # delivery stopped


@pytest.mark.parametrize(
    ("url", "secret", "description"),
    [
        ("http://bot.example.ru/hook", None, "An HTTPS URL must be provided for webhook"),
        ("https://bot.example.ru/hook", "with spaces", "secret token contains unallowed"),
        ("https://bot.example.ru/hook", "x" * 257, "secret token contains unallowed"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    fast_bot: Bot, url: str, secret: str | None, description: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=description):
        await fast_bot.set_webhook(url, secret_token=secret)


async def test_aiogram_serves_the_webhook_and_a_wrong_secret_is_a_failed_delivery(
    fast_telegram: FakeTelegram, fast_bot: Bot, anna: FakeUser
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def greet(message: Message) -> None:
        await message.answer("Здравствуйте!")

    app = web.Application()
    SimpleRequestHandler(dispatcher, fast_bot, secret_token=SECRET).register(app, path="/hook")
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/hook"
    try:
        await fast_bot.set_webhook(url, secret_token="not_the_secret")
        await fast_telegram.send_command(anna, "start")
        await fast_telegram.wait_until(lambda: len(finished(fast_telegram)) >= 2)
        assert {attempt.status for attempt in finished(fast_telegram)} == {401}
        assert fast_telegram.webhook_info()["last_error_message"] == (
            "Wrong response from the webhook: 401 Unauthorized"
        )

        await fast_bot.set_webhook(url, secret_token=SECRET)
        [reply] = await fast_telegram.wait_for_bot_messages(anna)
    finally:
        await runner.cleanup()
    assert reply.text == "Здравствуйте!"
    assert fast_telegram.webhook_attempts[-1].status == 200


async def test_the_control_api_shows_the_webhook_and_its_attempts(
    fast_telegram: FakeTelegram, fast_bot: Bot, receiver: Receiver
) -> None:
    receiver.statuses.append(503)
    await fast_bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=3)
    await fast_telegram.send_text(fast_telegram.add_user("Анна"), "Здравствуйте")
    await fast_telegram.wait_until(lambda: fast_telegram.updates.unconfirmed_count == 0)

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{fast_telegram.base_url}/_fake/webhook") as response,
    ):
        result = (await response.json())["result"]

    assert result["info"]["url"] == receiver.url
    assert result["info"]["max_connections"] == 3
    assert result["info"]["pending_update_count"] == 0
    assert [(attempt["status"], attempt["delivered"]) for attempt in result["attempts"]] == [
        (503, False),
        (200, True),
    ]
    assert result["attempts"][0]["error"] == (
        "Wrong response from the webhook: 503 Service Unavailable"
    )

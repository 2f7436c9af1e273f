"""The real bot process with METRICS_PORT and LOG_FORMAT=json, against the fake Telegram."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from fake_telegram import FakeTelegram
from tests.hardening.bot_process import bot_environment, webhook_environment
from tests.hardening.test_webhook import free_port

TOKEN = "7100000021:METRICS-test"
SECRET = "metrics_secret-for-tests"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


async def wait_for_port(
    port: int, process: asyncio.subprocess.Process, timeout: float = 60.0
) -> None:
    """Until the bot's metrics server answers (start-up is slow on a busy machine)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if process.returncode is not None:
            raise AssertionError(f"the bot stopped: {await stop(process)}")
        try:
            await get(port, "/healthz")
            return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError("the metrics port never answered")


async def scrape(port: int) -> Samples:
    status, text = await get(port, "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
    assert process.stderr is not None
    return (await process.stderr.read()).decode()


async def test_polling_process_serves_metrics_health_and_json_logs(tmp_path: Path) -> None:
    port = free_port()
    async with FakeTelegram(TOKEN) as telegram:
        anna = telegram.add_user("Анна")
        env = bot_environment(telegram, tmp_path / "bot.sqlite3")
        env.update(METRICS_PORT=str(port), LOG_FORMAT="json")
        process = await start(env, tmp_path)
        try:
            await wait_for_port(port, process)
            status, text = await get(port, "/readyz")
            assert status == 200, text
            assert json.loads(text)["checks"] == {"database": "ok", "telegram": "ok"}

            # Longer than TELEGRAM_RETRY_AFTER_MAX_SECONDS: not waited out, an error.
            telegram.fail_next("sendMessage", 429, retry_after=30)
            await telegram.send_command(anna, "start")  # its answer hits the 429
            await telegram.wait_for_bot_messages(anna, timeout=10)  # the error reply
            await telegram.send_command(anna, "start")
            [menu] = await telegram.wait_for_bot_messages(anna, timeout=10)
            await telegram.press_button(anna, menu, "🧾 Что подготовить")
            await telegram.wait_for_bot_messages(anna, timeout=10)
            await telegram.wait_until_quiet(quiet_period=0.3, timeout=10)

            samples = await scrape(port)
        finally:
            log = await stop(process)
    assert process.returncode == 0, log
    assert value(samples, "bot_updates_total", type="message", outcome="error") == 1
    assert value(samples, "bot_updates_total", type="message", outcome="handled") == 1
    assert value(samples, "bot_updates_total", type="callback_query", outcome="handled") == 1
    assert value(samples, "bot_handler_duration_seconds_count", type="message") == 2
    assert value(samples, "bot_telegram_requests_total", method="sendMessage", result="429") == 1
    assert value(samples, "bot_telegram_requests_total", method="sendMessage", result="ok") >= 2
    assert value(samples, "bot_telegram_requests_total", method="getUpdates", result="ok") >= 1
    assert value(samples, "bot_telegram_retry_after_seconds_sum") == 30
    assert value(samples, "bot_inbox_backlog") == 0
    assert value(samples, "bot_db_operation_duration_seconds_count", operation="write") > 0
    entries = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert entries and {"time", "level", "logger", "message"} <= set(entries[0])
    assert any(entry.get("update_id") for entry in entries)
    assert not any(str(anna.id) in json.dumps(entry.get("chat")) for entry in entries)


async def test_webhook_process_is_ready_only_while_its_webhook_is_set(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    async with FakeTelegram(TOKEN) as telegram:
        env = webhook_environment(telegram, tmp_path / "bot.sqlite3", port, SECRET)
        env.update(METRICS_PORT=str(metrics_port))
        process = await start(env, tmp_path)
        bot = telegram.create_bot()
        try:
            await wait_for_port(metrics_port, process)
            await telegram.wait_until(
                lambda: bool(telegram.webhook_url),
                timeout=20,
                description="the bot sets its webhook",
            )
            status, text = await get(metrics_port, "/readyz")
            assert status == 200, text

            await bot.set_webhook("https://elsewhere.example/hook")
            status, text = await get(metrics_port, "/readyz")
            assert status == 503
            assert json.loads(text)["checks"]["telegram"] == "failed: WebhookNotSet"
            assert (await get(metrics_port, "/healthz"))[0] == 200
            assert (await get(port, "/metrics"))[0] == 404  # never on the public port
        finally:
            await bot.session.close()
            log = await stop(process)
    assert process.returncode == 0, log

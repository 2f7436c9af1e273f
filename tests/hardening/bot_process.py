"""Starting the real bot process (``python -m bot``) against the fake Telegram server."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


def bot_environment(telegram: FakeTelegram, database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=telegram.token,
        BOT_API_BASE_URL=telegram.base_url,
        DATABASE_PATH=str(database),
        THROTTLE_MESSAGES="0",
        LOG_LEVEL="INFO",
    )
    return env


async def start_bot(
    telegram: FakeTelegram, database: Path, cwd: Path
) -> asyncio.subprocess.Process:
    """The bot process, once it polls; its stderr (the log) is piped."""
    polls = len(telegram.calls_to("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=bot_environment(telegram, database),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    await telegram.wait_until(
        lambda: len(telegram.calls_to("getUpdates")) > polls,
        timeout=20,
        description="the bot polls",
    )
    return process


def webhook_environment(
    telegram: FakeTelegram, database: Path, port: int, secret: str
) -> dict[str, str]:
    return {
        **bot_environment(telegram, database),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
        "WEBHOOK_SECRET": secret,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


async def start_webhook_bot(
    telegram: FakeTelegram, database: Path, cwd: Path, port: int, secret: str
) -> asyncio.subprocess.Process:
    """The bot process in webhook mode, once it has set its webhook; stderr (the log) piped."""
    registrations = len(telegram.calls_to("setWebhook"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=webhook_environment(telegram, database, port, secret),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    await telegram.wait_until(
        lambda: (
            len(telegram.calls_to("setWebhook")) > registrations or process.returncode is not None
        ),
        timeout=60,
        description="the bot sets its webhook",
    )
    return process

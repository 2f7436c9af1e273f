"""Cards per minute with one desk and with several, under a burst of appeals.

Telegram lets a bot send about 20 messages a minute into one group; the fake
Telegram server enforces it (its optional group flood limit, answering 429),
and the bot's outbox keeps a budget per desk chat. A burst of appeals is filed
at once (through the bot's own AppealService, as the dialogues file them), the
real outbox sender delivers their cards over HTTP to the fake server, and the
benchmark notes when each card arrives.

    python -m benchmarks.desks                  # 60 appeals, 1 then 3 desks
    python -m benchmarks.desks --appeals 90 --desks 1 2 3
    python -m benchmarks.desks --cluster        # PostgreSQL and Redis (TEST_POSTGRES_URL,
                                                # TEST_REDIS_URL): the budgets live in Redis

The appeals are technical faults, complaints and consultations in turn; with
three desks each type has its own chat. One desk at 20 a minute takes about two
minutes for 60 cards, so the whole run takes about two and a half.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.app import Application
from bot.domain.models import AppealType
from bot.services.appeals import AppealService
from bot.services.outbox import OutboxSender
from bot.settings import Settings
from fake_telegram.server import FakeTelegram

TOKEN = "123456789:DESKS-benchmark"
TYPES = (AppealType.TECHNICAL, AppealType.COMPLAINT, AppealType.CONSULTATION)
GROUP_LIMIT = 20  # the fake server's, and the bot's OPERATORS_CHAT_MESSAGES_PER_MINUTE
RESULTS = Path(__file__).parent / "results"


@asynccontextmanager
async def cluster_storage(cluster: bool) -> AsyncIterator[dict[str, Any]]:
    """Settings for a fresh PostgreSQL schema and Redis prefix, or none (SQLite)."""
    if not cluster:
        yield {}
        return
    from testkit.services import fresh_services

    async with fresh_services() as fresh:
        yield {
            "database_url": fresh.database_url,
            "redis_url": fresh.redis_url,
            "redis_prefix": fresh.redis_prefix,
        }


async def run(desks: int, appeals: int, workdir: Path, cluster: bool = False) -> dict[str, Any]:
    async with cluster_storage(cluster) as storage:
        result = await _run(desks, appeals, workdir, storage)
    return result | {"storage": "postgresql+redis" if cluster else "sqlite"}


async def _run(desks: int, appeals: int, workdir: Path, storage: dict[str, Any]) -> dict[str, Any]:
    async with FakeTelegram(TOKEN) as telegram:
        telegram.set_group_flood_limit(GROUP_LIMIT)
        chats = [telegram.add_group(f"Отдел {index + 1}").id for index in range(desks)]
        citizens = [telegram.add_user(f"Гражданин {index}") for index in range(appeals)]
        if desks == 1:
            desk_setting = ""
        else:
            entries = [f"{kind.value}={chat}" for kind, chat in zip(TYPES, chats, strict=False)]
            desk_setting = ";".join([*entries[: desks - 1], f"*={chats[desks - 1]}"])
        settings = Settings(
            _env_file=None,
            bot_token=SecretStr(TOKEN),
            bot_api_base_url=telegram.base_url,
            database_path=workdir / f"desks-{desks}.sqlite3",
            sms_outbox_path=workdir / "sms.jsonl",
            operators_chat_id=chats[-1],
            desks=desk_setting,
            operators_chat_messages_per_minute=GROUP_LIMIT,
            throttle_messages=0,
            log_level="WARNING",
            **storage,
        )
        async with Application(settings) as application:
            service: AppealService = application.dispatcher["appeals"]
            sender: OutboxSender = application.dispatcher["outbox_sender"]
            started = time.monotonic()
            for index, person in enumerate(citizens):
                await service.file(
                    person.id,
                    person.id,
                    TYPES[index % len(TYPES)],
                    {"topic": f"Вопрос {index}", "description": "Не работает вход на портал"},
                )
            filed = time.monotonic() - started
            sender.start(application.bot)
            arrivals = await _card_arrivals(telegram, chats, appeals, started, desks)
            await sender.stop()
        refused = sum(1 for call in telegram.calls if call.status == 429)
        per_chat = [len(telegram.bot_messages(chat)) for chat in chats]
    return _summary(desks, appeals, filed, arrivals, refused, desk_setting) | {
        "cards_per_chat": per_chat
    }


async def _card_arrivals(
    telegram: FakeTelegram, chats: list[int], expected: int, started: float, desks: int
) -> list[float]:
    """Seconds from the burst to each card's arrival in any desk chat, until all arrived."""
    seen: dict[int, int] = dict.fromkeys(chats, 0)
    arrivals: list[float] = []
    patience = math.ceil(expected / (GROUP_LIMIT * desks)) * 60 + 30
    while len(arrivals) < expected and time.monotonic() - started < patience:
        now = time.monotonic() - started
        for chat in chats:
            count = len(telegram.bot_messages(chat))
            arrivals += [now] * (count - seen[chat])
            seen[chat] = count
        await asyncio.sleep(0.05)
    return arrivals


def _summary(
    desks: int,
    appeals: int,
    filed: float,
    arrivals: list[float],
    refused: int,
    desk_setting: str,
) -> dict[str, Any]:
    minutes = math.ceil(max(arrivals, default=0) / 60) or 1
    by_minute = [
        sum(1 for moment in arrivals if minute * 60 <= moment < (minute + 1) * 60)
        for minute in range(minutes)
    ]
    return {
        "desks": desks,
        "desks_setting": desk_setting or "(unset: OPERATORS_CHAT_ID only)",
        "appeals": appeals,
        "group_limit_per_minute": GROUP_LIMIT,
        "filing_seconds": round(filed, 2),
        "cards_delivered": len(arrivals),
        "cards_in_first_minute": by_minute[0],
        "cards_by_minute": by_minute,
        "seconds_to_last_card": round(max(arrivals, default=0.0), 1),
        "refused_by_flood_limit": refused,
    }


async def main_async(
    desk_counts: list[int], appeals: int, out: Path, cluster: bool
) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="desks-bench-") as folder:
        for desks in desk_counts:
            result = await run(desks, appeals, Path(folder), cluster)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appeals", type=int, default=60, help="appeals in the burst")
    parser.add_argument("--desks", type=int, nargs="+", default=[1, 3], choices=[1, 2, 3])
    parser.add_argument("--cluster", action="store_true", help="PostgreSQL and Redis")
    parser.add_argument("--out", type=Path, default=None)
    arguments = parser.parse_args()
    out = arguments.out or RESULTS / (
        f"desks-{'cluster' if arguments.cluster else 'sqlite'}-{arguments.appeals}.json"
    )
    asyncio.run(main_async(arguments.desks, arguments.appeals, out, arguments.cluster))


if __name__ == "__main__":
    main()

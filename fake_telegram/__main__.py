"""Run the fake Telegram server on its own: ``python -m fake_telegram``.

Prints the base URL and the token to give the bot, then serves until interrupted. Drive it over
the JSON control API under ``/_fake/`` (see ``docs/fake_telegram.md``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import DEFAULT_TOKEN, FakeTelegram


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fake_telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="support_test_bot")
    parser.add_argument(
        "--reads-all-group-messages",
        action="store_true",
        help="turn the bot's privacy mode off, as /setprivacy in BotFather does",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds every Bot API call takes there and back (default 0; 0.04 is a bot in Moscow)",
    )
    parser.add_argument(
        "--telegram-limits",
        action="store_true",
        help="answer 429 beyond Telegram's limits: 30 messages/s per bot, 1/s per private chat,"
        " 20/min per group",
    )
    return parser.parse_args(argv)


async def serve(arguments: argparse.Namespace) -> None:
    telegram = FakeTelegram(
        arguments.token,
        bot_username=arguments.bot_username,
        host=arguments.host,
        port=arguments.port,
        reads_all_group_messages=arguments.reads_all_group_messages,
        latency=arguments.latency,
    )
    if arguments.telegram_limits:
        telegram.set_send_limits()
        telegram.set_group_flood_limit()
    async with telegram:
        print(f"Fake Telegram Bot API at {telegram.base_url}", flush=True)
        print(f"Bot token: {telegram.token}", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_arguments()))


if __name__ == "__main__":
    main()

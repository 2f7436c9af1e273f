"""``python -m bot``: run the bot with long polling.

Without ``BOT_TOKEN`` (or with ``--demo``) it starts the terminal demo: the
same bot against the built-in fake Telegram, with a chat in the terminal.

``python -m bot backup PATH`` writes a consistent copy of the database while
the bot may be running (SQLite's online backup API).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.demo import run_demo
from bot.factory import create_bot, create_dispatcher
from bot.logging_setup import configure_logging
from bot.runtime import settle_heap
from bot.services.content import ContentError
from bot.services.masking import TypedNames
from bot.settings import SMS_OUTBOX_REFUSED, Settings, describe_settings_error
from storage.sqlite.database import Database


async def run(settings: Settings, typed_names: TypedNames) -> None:
    database = Database(settings.database_path)
    await database.connect()
    try:
        dispatcher = create_dispatcher(settings, database, typed_names=typed_names)
    except ContentError:
        await database.close()
        raise
    bot = create_bot(settings)
    settle_heap()  # everything built so far lives as long as the process
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await dispatcher.start_polling(bot, handle_signals=True)
    finally:
        await bot.session.close()
        await dispatcher["sms_gateway"].close()
        await database.close()


async def backup(settings: Settings, target: Path) -> None:
    database = Database(settings.database_path)
    await database.connect()
    try:
        await database.backup(target)
    finally:
        await database.close()


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Бот поддержки граждан")
    parser.add_argument("--demo", action="store_true",
                        help="чат с ботом в терминале, без Telegram (по умолчанию без BOT_TOKEN)")
    commands = parser.add_subparsers(dest="command")
    backup_parser = commands.add_parser("backup", help="копия базы данных без остановки бота")
    backup_parser.add_argument("path", type=Path, help="куда записать копию")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(describe_settings_error(error), file=sys.stderr)
        return 2
    typed_names = TypedNames()
    configure_logging(settings.log_level, typed_names)
    if arguments.command == "backup":
        asyncio.run(backup(settings, arguments.path))
        print(f"Копия базы данных записана в {arguments.path}")
        return 0
    try:
        if arguments.demo or settings.bot_token is None:
            # The demo's log lines would drown the conversation; warnings still show.
            configure_logging("WARNING")
            asyncio.run(run_demo(settings))
        elif settings.sms_outbox_refused:
            print(SMS_OUTBOX_REFUSED.format(url=settings.bot_api_base_url), file=sys.stderr)
            return 2
        else:
            asyncio.run(run(settings, typed_names))
    except ContentError as error:
        print(f"Ошибка в файле справки: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

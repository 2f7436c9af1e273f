"""``python -m bot``: run the bot with long polling.

``python -m bot backup PATH`` writes a consistent copy of the database while
the bot may be running (SQLite's online backup API).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.factory import create_bot, create_dispatcher
from bot.logging_setup import configure_logging
from bot.services.content import ContentError
from bot.settings import Settings, describe_settings_error
from storage.sqlite.database import Database


async def run(settings: Settings) -> None:
    database = Database(settings.database_path)
    await database.connect()
    try:
        dispatcher = create_dispatcher(settings, database)
    except ContentError:
        await database.close()
        raise
    bot = create_bot(settings)
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
    configure_logging(settings.log_level)
    if arguments.command == "backup":
        asyncio.run(backup(settings, arguments.path))
        print(f"Копия базы данных записана в {arguments.path}")
        return 0
    if settings.bot_token is None:
        print("Ошибка настройки: BOT_TOKEN не задан (см. .env.example)", file=sys.stderr)
        return 2
    try:
        asyncio.run(run(settings))
    except ContentError as error:
        print(f"Ошибка в файле справки: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

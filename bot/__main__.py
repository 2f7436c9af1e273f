"""``python -m bot``: run the bot with long polling.

Without ``BOT_TOKEN`` (or with ``--demo``) it starts the terminal demo: the
same bot against the built-in fake Telegram, with a chat in the terminal.

``python -m bot backup PATH`` writes a consistent copy of the database while
the bot may be running (SQLite's online backup API).

Exit codes: 0 after SIGTERM/SIGINT, 2 for a configuration error, 3 when the
database is corrupt or was deleted or replaced under the running bot (one
log line says which file and what to do; a supervisor may restart the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from aiogram import Bot, Dispatcher
from pydantic import ValidationError

from bot.demo import run_demo
from bot.factory import create_bot, create_dispatcher
from bot.logging_setup import configure_logging
from bot.runtime import settle_heap
from bot.services.content import ContentError
from bot.settings import Settings, describe_settings_error
from bot.texts import common as texts
from storage.faults import FaultKind, StorageFault
from storage.sqlite.database import Database

logger = logging.getLogger("bot")

STORAGE_FAULT_EXIT = 3


def describe_storage_fault(fault: StorageFault) -> str:
    template = texts.DATABASE_CORRUPT if fault.kind == FaultKind.CORRUPT else texts.DATABASE_LOST
    return template.format(path=fault.path, detail=fault.detail)


async def run(settings: Settings) -> int:
    database = Database(settings.database_path)
    await database.connect(verify=True)
    try:
        dispatcher = create_dispatcher(settings, database)
    except ContentError:
        await database.close()
        raise
    bot = create_bot(settings)
    settle_heap()  # everything built so far lives as long as the process
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        return await poll_until_stopped(dispatcher, bot, database)
    finally:
        await bot.session.close()
        await dispatcher["sms_gateway"].close()
        await database.close()


async def poll_until_stopped(dispatcher: Dispatcher, bot: Bot, database: Database) -> int:
    """Poll until a stop signal (exit 0) or a storage fault (exit 3, one log line)."""
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=True))
    fault = asyncio.create_task(database.wait_for_fault())
    await asyncio.wait({polling, fault}, return_when=asyncio.FIRST_COMPLETED)
    if not fault.done():
        fault.cancel()
        await polling
        return 0
    logger.critical(describe_storage_fault(fault.result()))
    # Updates in flight finish (failing on the database) before the process exits.
    await dispatcher.stop_polling()
    await polling
    return STORAGE_FAULT_EXIT


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
    configure_logging(settings.log_level)
    try:
        if arguments.command == "backup":
            asyncio.run(backup(settings, arguments.path))
            print(f"Копия базы данных записана в {arguments.path}")
        elif arguments.demo or settings.bot_token is None:
            # The demo's log lines would drown the conversation; warnings still show.
            configure_logging("WARNING")
            asyncio.run(run_demo(settings))
        else:
            return asyncio.run(run(settings))
    except ContentError as error:
        print(f"Ошибка в файле справки: {error}", file=sys.stderr)
        return 2
    except StorageFault as fault:
        print(describe_storage_fault(fault), file=sys.stderr)
        return STORAGE_FAULT_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main())

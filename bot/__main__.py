"""``python -m bot``: run the bot with long polling, or by webhook with ``WEBHOOK_URL``.

Without ``BOT_TOKEN`` (or with ``--demo``) it starts the terminal demo: the
same bot against the built-in fake Telegram, with a chat in the terminal.

``python -m bot backup PATH`` writes a consistent copy of the database while
the bot may be running (SQLite's online backup API).

``python -m bot erasures --since 2026-01-01`` prints the destruction record
(every erasure of personal data: when, why, which appeals, which fields) as CSV.

Exit codes: 0 after SIGTERM/SIGINT, 2 for a configuration error, 3 when the
database is corrupt or was deleted or replaced under the running bot (one
log line says which file and what to do; a supervisor may restart the bot).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from aiogram import Bot, Dispatcher
from pydantic import ValidationError

from bot.demo import run_demo
from bot.factory import create_bot, create_dispatcher
from bot.logging_setup import configure_logging
from bot.runtime import settle_heap
from bot.domain.content import ContentError
from bot.domain.masking import TypedNames
from bot.settings import SMS_OUTBOX_REFUSED, Settings, describe_settings_error
from bot.texts import common as texts
from bot.texts import privacy as privacy_texts
from bot.storage.faults import FaultKind, StorageFault
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.privacy import SQLitePrivacyRepository
from bot.webhook import run_webhook

logger = logging.getLogger("bot")

STORAGE_FAULT_EXIT = 3


def describe_storage_fault(fault: StorageFault) -> str:
    template = texts.DATABASE_CORRUPT if fault.kind == FaultKind.CORRUPT else texts.DATABASE_LOST
    return template.format(path=fault.path, detail=fault.detail)


async def run(settings: Settings, typed_names: TypedNames) -> int:
    database = Database(settings.database_path, durability=settings.durability)
    await database.connect(verify=True)
    try:
        dispatcher = create_dispatcher(settings, database, typed_names=typed_names)
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
    database = Database(settings.database_path, durability=settings.durability)
    await database.connect()
    try:
        await database.backup(target)
    finally:
        await database.close()


async def print_erasures(settings: Settings, since: date | None, out: TextIO) -> None:
    """The destruction record as CSV; ``since`` is a day in the support's time zone."""
    moment = (datetime.combine(since, datetime.min.time(), settings.zone) if since
              else datetime.fromtimestamp(0, UTC))
    database = Database(settings.database_path, durability=settings.durability)
    await database.connect()
    try:
        records = await SQLitePrivacyRepository(database).erasures_since(moment)
    finally:
        await database.close()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(privacy_texts.ERASURES_HEADER)
    for record in records:
        writer.writerow((record.erased_at.astimezone(settings.zone).isoformat(timespec="seconds"),
                         privacy_texts.ERASURE_REASONS[record.reason],
                         " ".join(record.appeals), " ".join(record.fields)))


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Бот поддержки граждан")
    parser.add_argument("--demo", action="store_true",
                        help="чат с ботом в терминале, без Telegram (по умолчанию без BOT_TOKEN)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="процессов на одном порту (с WEBHOOK_URL и базой не SQLite)")
    commands = parser.add_subparsers(dest="command")
    backup_parser = commands.add_parser("backup", help="копия базы данных без остановки бота")
    backup_parser.add_argument("path", type=Path, help="куда записать копию")
    erasures_parser = commands.add_parser(
        "erasures", help="журнал удаления персональных данных (CSV)")
    erasures_parser.add_argument("--since", type=date.fromisoformat, metavar="ГГГГ-ММ-ДД",
                                 help="с этого дня (по TIMEZONE); без него весь журнал")
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
    if arguments.command == "erasures":
        asyncio.run(print_erasures(settings, arguments.since, sys.stdout))
        return 0
    try:
        if arguments.command == "backup":
            asyncio.run(backup(settings, arguments.path))
            print(f"Копия базы данных записана в {arguments.path}")
        elif arguments.demo or settings.bot_token is None:
            # The demo's log lines would drown the conversation; warnings still show.
            configure_logging("WARNING")
            asyncio.run(run_demo(settings))
        elif settings.sms_outbox_refused:
            print(SMS_OUTBOX_REFUSED.format(url=settings.bot_api_base_url), file=sys.stderr)
            return 2
        elif settings.webhook_url is not None or arguments.workers != 1:
            return run_webhook(settings, typed_names, arguments.workers)
        else:
            return asyncio.run(run(settings, typed_names))
    except ContentError as error:
        print(f"Ошибка в файле справки: {error}", file=sys.stderr)
        return 2
    except StorageFault as fault:
        print(describe_storage_fault(fault), file=sys.stderr)
        return STORAGE_FAULT_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main())

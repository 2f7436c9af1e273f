"""``python -m bot``: run the bot with long polling, or by webhook with ``WEBHOOK_URL``.

Without ``BOT_TOKEN`` (or with ``--demo``) it starts the terminal demo: the
same bot against the built-in fake Telegram, with a chat in the terminal.

``python -m bot backup PATH`` writes a consistent copy of the database while
the bot may be running (SQLite's online backup API) and checks the copy's integrity.
``python -m bot restore PATH`` puts such a copy back: only a sound copy, and only
while no bot has the database open (exit 2 otherwise, nothing changed).

``python -m bot dashboard`` serves the supervisors' dashboard in the browser on
DASHBOARD_HOST:DASHBOARD_PORT (bot/dashboard); ``/dashboard`` in the bot gives the links.

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

from bot.app import Application
from bot.dashboard.server import BOT_WITHOUT_SECRET, CannotListen
from bot.dashboard.server import serve as serve_dashboard
from bot.demo import run_demo
from bot.domain.content import ContentError
from bot.domain.masking import TypedNames
from bot.logging_setup import configure_logging
from bot.observability.logs import log_formatter
from bot.observability.server import serving_metrics
from bot.runtime import settle_heap
from bot.settings import SMS_OUTBOX_REFUSED, Settings, describe_settings_error
from bot.storage.backends import Backend, open_backend
from bot.storage.faults import FaultKind, StorageFault
from bot.storage.migrate import TargetNotEmpty, copy_sqlite_to_postgres
from bot.storage.sqlite.backup import DamagedCopy, DatabaseInUse, integrity_problems, restore
from bot.storage.sqlite.database import Database
from bot.storage.urls import is_postgres_url
from bot.texts import common as texts
from bot.texts import dashboard as dashboard_texts
from bot.texts import operations as ops_texts
from bot.texts import privacy as privacy_texts
from bot.webhook import run_webhook

logger = logging.getLogger("bot")

STORAGE_FAULT_EXIT = 3


def describe_storage_fault(fault: StorageFault) -> str:
    template = texts.DATABASE_CORRUPT if fault.kind == FaultKind.CORRUPT else texts.DATABASE_LOST
    return template.format(path=fault.path, detail=fault.detail)


async def run(settings: Settings, typed_names: TypedNames) -> int:
    if settings.dashboard_secret is None and settings.dashboard_public_url is not None:
        # A dashboard is deployed (its address is set): its process cannot check the links.
        logger.warning(BOT_WITHOUT_SECRET)
    async with Application(settings, typed_names=typed_names, verify=True) as application:
        settle_heap()  # everything built so far lives as long as the process
        await application.bot.delete_webhook(drop_pending_updates=False)
        async with serving_metrics(application):  # observability
            return await poll_until_stopped(
                application.dispatcher, application.bot, application.backend
            )


async def poll_until_stopped(dispatcher: Dispatcher, bot: Bot, backend: Backend) -> int:
    """Poll until a stop signal (exit 0) or a storage fault (exit 3, one log line)."""
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=True))
    fault = asyncio.create_task(backend.wait_for_fault())
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


async def backup(settings: Settings, target: Path) -> list[str]:
    """Write the copy; what ``PRAGMA integrity_check`` finds in it (nothing: sound)."""
    database = Database(settings.sqlite_path)
    await database.connect()
    try:
        await database.backup(target)
    finally:
        await database.close()
    return await asyncio.to_thread(integrity_problems, target)


def migrate_command(settings: Settings, url: str) -> int:
    """``python -m bot migrate-to URL``: 0 once copied, 2 when refused (nothing copied)."""
    if not is_postgres_url(url):
        print(ops_texts.MIGRATE_NEEDS_POSTGRES, file=sys.stderr)
        return 2
    try:
        copied = asyncio.run(migrate_to(settings, url))
    except TargetNotEmpty as error:
        print(ops_texts.MIGRATE_TARGET_NOT_EMPTY.format(detail=error), file=sys.stderr)
        return 2
    tables = ", ".join(f"{table} {count}" for table, count in copied.items() if count)
    print(ops_texts.MIGRATED.format(path=settings.sqlite_path, tables=tables))
    return 0


def restore_database(copy: Path, target: Path) -> int:
    """``python -m bot restore PATH``: 0 once restored, 2 when refused (nothing changed)."""
    try:
        restore(copy, target)
    except DamagedCopy as error:
        print(ops_texts.RESTORE_DAMAGED.format(path=copy, problems=error), file=sys.stderr)
        return 2
    except DatabaseInUse:
        print(ops_texts.RESTORE_IN_USE.format(target=target), file=sys.stderr)
        return 2
    print(ops_texts.RESTORED.format(target=target, path=copy))
    return 0


async def print_erasures(settings: Settings, since: date | None, out: TextIO) -> None:
    """The destruction record as CSV; ``since`` is a day in the support's time zone."""
    moment = (
        datetime.combine(since, datetime.min.time(), settings.zone)
        if since
        else datetime.fromtimestamp(0, UTC)
    )
    location = settings.postgres_url or f"sqlite:///{settings.sqlite_path}"
    backend = await open_backend(location, pool_size=1)
    try:
        records = await backend.privacy.erasures_since(moment)
    finally:
        await backend.close()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(privacy_texts.ERASURES_HEADER)
    for record in records:
        writer.writerow(
            (
                record.erased_at.astimezone(settings.zone).isoformat(timespec="seconds"),
                privacy_texts.ERASURE_REASONS[record.reason],
                " ".join(record.appeals),
                " ".join(record.fields),
            )
        )


async def migrate_to(settings: Settings, url: str) -> dict[str, int]:
    """Copy the SQLite database of ``settings`` into the (empty) PostgreSQL database ``url``."""
    source = Database(settings.sqlite_path)
    await source.connect(verify=True)
    try:
        target = await open_backend(url, pool_size=2)
        try:
            return await copy_sqlite_to_postgres(source, target.database)  # type: ignore[arg-type]
        finally:
            await target.close()
    finally:
        await source.close()


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Бот поддержки граждан")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="чат с ботом в терминале, без Telegram (по умолчанию без BOT_TOKEN)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="процессов на одном порту (с WEBHOOK_URL и базой не SQLite)",
    )
    commands = parser.add_subparsers(dest="command")
    backup_parser = commands.add_parser("backup", help="копия базы данных без остановки бота")
    backup_parser.add_argument("path", type=Path, help="куда записать копию")
    restore_parser = commands.add_parser(
        "restore", help="вернуть базу данных из копии (бот должен быть остановлен)"
    )
    restore_parser.add_argument("path", type=Path, help="копия, сделанная командой backup")
    erasures_parser = commands.add_parser(
        "erasures", help="журнал удаления персональных данных (CSV)"
    )
    erasures_parser.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="ГГГГ-ММ-ДД",
        help="с этого дня (по TIMEZONE); без него весь журнал",
    )
    commands.add_parser(
        "dashboard", help="панель руководителя в браузере (DASHBOARD_HOST:DASHBOARD_PORT)"
    )
    migrate_parser = commands.add_parser(
        "migrate-to", help="скопировать базу SQLite в пустую базу PostgreSQL"
    )
    migrate_parser.add_argument("url", help="postgresql://пользователь:пароль@сервер:5432/база")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(describe_settings_error(error), file=sys.stderr)
        return 2
    typed_names = TypedNames()
    configure_logging(settings.log_level, typed_names, log_formatter(settings, typed_names))
    if arguments.command == "erasures":
        asyncio.run(print_erasures(settings, arguments.since, sys.stdout))
        return 0
    if arguments.command == "dashboard":
        try:
            return asyncio.run(serve_dashboard(settings))
        except CannotListen as error:
            print(
                dashboard_texts.CANNOT_LISTEN.format(
                    host=settings.dashboard_host, port=settings.dashboard_port, error=error
                ),
                file=sys.stderr,
            )
            return 2
    if arguments.command == "restore":
        return restore_database(arguments.path, settings.sqlite_path)
    try:
        if arguments.command == "migrate-to":
            return migrate_command(settings, arguments.url)
        if arguments.command == "backup":
            if settings.postgres_url is not None:
                print(ops_texts.BACKUP_IS_PG_DUMP, file=sys.stderr)
                return 2
            problems = asyncio.run(backup(settings, arguments.path))
            if problems:
                print(
                    ops_texts.BACKUP_DAMAGED.format(
                        path=arguments.path, problems="; ".join(problems[:3])
                    ),
                    file=sys.stderr,
                )
                return STORAGE_FAULT_EXIT
            print(ops_texts.BACKUP_WRITTEN.format(path=arguments.path))
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

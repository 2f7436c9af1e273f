"""``python -m bot``: run the bot with long polling."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.factory import create_bot, create_dispatcher
from bot.services.content import ContentError
from bot.settings import Settings, describe_settings_error
from storage.sqlite.database import Database

logger = logging.getLogger("bot")


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


def main() -> int:
    try:
        settings = Settings()
    except ValidationError as error:
        print(describe_settings_error(error), file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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

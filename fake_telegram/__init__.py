"""A local fake of the Telegram Bot API, driven from tests, the demo and the fixture runner.

Start it, point a real aiogram ``Bot`` at ``server.base_url`` and play the users::

    async with FakeTelegram() as telegram:
        bot = telegram.create_bot()
        user = telegram.add_user("Анна")
        await telegram.send_command(user, "start")
        [reply] = await telegram.wait_for_bot_messages(user)

In process, without HTTP, ``Bot(token, session=DirectSession(telegram))`` talks to the same
fake (``telegram.start()`` is then not needed). See ``docs/fake_telegram.md``.
"""

from .calls import ApiCall
from .direct import DirectSession
from .errors import TelegramApiError
from .server import AlbumDocument, AlbumPhoto, ButtonNotFoundError, FakeTelegram
from .webhook import DeliveryAttempt, WebhookSettings
from .world import (
    CallbackAnswer,
    CallbackQueryRecord,
    FakeChat,
    FakeUser,
    ForumTopic,
    MemberStatus,
    MessageVersion,
    StoredMessage,
)

__all__ = [
    "AlbumDocument",
    "AlbumPhoto",
    "ApiCall",
    "ButtonNotFoundError",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "DeliveryAttempt",
    "DirectSession",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "ForumTopic",
    "MemberStatus",
    "MessageVersion",
    "StoredMessage",
    "TelegramApiError",
    "WebhookSettings",
]

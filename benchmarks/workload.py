"""What the simulated citizens send, and a Bot API session that keeps nothing.

Every citizen walks one script: ``/start``, the written complaint from the
main menu to the confirmation number (the consent screen's «Согласен», six
answers, a photo, the review, the confirmation), then a status lookup of
their own appeal, one of an archived appeal, and "my appeals". Button presses carry
the callback data the real keyboards carry: the menu's and the consent screen's
built with the same ``CallbackData`` factories, a dialogue's read from the
keyboard the bot sent last; the dispatcher sees exactly what Telegram would
deliver.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup

from bot.callback_data import (
    Menu,
    MenuItem,
)
from bot.domain.validators import find_appeal_number

if TYPE_CHECKING:
    from aiogram import Bot

FIRST_CITIZEN_ID = 700_000_000

TOPICS = (
    "Не приходит код подтверждения при входе",
    "Не могу записаться к врачу через портал",
    "Заявление на загранпаспорт висит в статусе «Отправлено»",
    "Госпошлина оплачена дважды",
)
PHONES = ("+7 912 345-67-89", "8 (495) 123-45-67", "89031234567")
ATTEMPTS = ("вчера в 10:15, позавчера", "позавчера в 18:40", "вчера")
ERRORS = ("Ошибка 500 на странице входа", "Страница не загружается", "Код ошибки EPGU-1042")
DESIRED = (
    "Прошу восстановить доступ",
    "Прошу вернуть лишнюю оплату",
    "Прошу рассмотреть заявление",
)


@dataclass(slots=True)
class Citizen:
    """One simulated person and where they are in the script."""

    user_id: int
    first_name: str
    variant: int
    position: int = 0
    own_number: str | None = None

    def as_user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "ru",
        }


def citizen(index: int) -> Citizen:
    return Citizen(FIRST_CITIZEN_ID + index, f"Гражданин {index}", index)


@dataclass
class Step:
    """One update of the script; ``expects_number`` marks the confirmation."""

    name: str
    build: Callable[[UpdateFactory, Citizen], dict[str, Any]]
    expects_number: bool = False


class UpdateFactory:
    """Raw Bot API updates (dicts) as ``getUpdates`` returns them."""

    def __init__(
        self,
        archived_numbers: Callable[[random.Random], str | None],
        buttons: Callable[[int], dict[str, str]],
        seed: int = 1,
    ) -> None:
        self._buttons = buttons
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._random = random.Random(seed)
        self._archived_numbers = archived_numbers

    def message(self, person: Citizen, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": person.user_id, "type": "private", "first_name": person.first_name},
            "from": person.as_user(),
            **content,
        }
        return {"update_id": next(self._update_ids), "message": message}

    def text(self, person: Citizen, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return self.message(person, **content)

    def photo(self, person: Citizen) -> dict[str, Any]:
        number = next(self._message_ids)
        sizes = [
            {
                "file_id": f"photo{number}-{side}",
                "file_unique_id": f"u{number}-{side}",
                "width": side,
                "height": side,
            }
            for side in (90, 320, 1280)
        ]
        return self.message(person, photo=sizes)

    def press(self, person: Citizen, data: str) -> dict[str, Any]:
        query = {
            "id": str(next(self._query_ids)),
            "from": person.as_user(),
            "chat_instance": str(person.user_id),
            "data": data,
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": person.user_id, "type": "private", "first_name": person.first_name},
                "from": {"id": 1, "is_bot": True, "first_name": "Поддержка"},
                "text": "…",
            },
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def press_label(self, person: Citizen, fragment: str) -> dict[str, Any]:
        """A press of the button whose label holds ``fragment``, under the latest keyboard.

        The dialogues' buttons carry their dialogue's id, known only from the
        keyboard the bot sent, as a person knows only the buttons they see.
        """
        buttons = self._buttons(person.user_id)
        data = next((data for label, data in buttons.items() if fragment in label), None)
        if data is None:
            raise LookupError(f"no button {fragment!r} among {list(buttons)}")
        return self.press(person, data)

    def archived_number(self) -> str | None:
        return self._archived_numbers(self._random)


def _pick(options: tuple[str, ...]) -> Callable[[UpdateFactory, Citizen], dict[str, Any]]:
    return lambda factory, person: factory.text(person, options[person.variant % len(options)])


def _status_of_own(factory: UpdateFactory, person: Citizen) -> dict[str, Any]:
    return factory.text(person, f"/status {person.own_number}")


def _status_of_archived(factory: UpdateFactory, person: Citizen) -> dict[str, Any]:
    number = factory.archived_number() or person.own_number
    return factory.text(person, f"/status {number}")


SCRIPT: tuple[Step, ...] = (
    Step("start", lambda f, p: f.text(p, "/start")),
    Step("menu: new appeal", lambda f, p: f.press(p, Menu(item=MenuItem.NEW_APPEAL).pack())),
    Step("type: complaint", lambda f, p: f.press_label(p, "Жалоба")),
    Step(
        "consent: agree",
        lambda f, p: f.press_label(p, "Согласен"),
    ),
    Step("topic", _pick(TOPICS)),
    Step("caller phone", _pick(PHONES)),
    Step("attempts", _pick(ATTEMPTS)),
    Step("errors", _pick(ERRORS)),
    Step("desired result", _pick(DESIRED)),
    Step("photo", lambda f, p: f.photo(p)),
    Step("attachments done", lambda f, p: f.press_label(p, "Готово")),
    Step("confirm", lambda f, p: f.press_label(p, "Отправить"), expects_number=True),
    Step("status: own appeal", _status_of_own),
    Step("status: archived appeal", _status_of_archived),
    Step("my appeals", lambda f, p: f.text(p, "/my")),
)


class LeanSession(BaseSession):
    """The benchmark's Bot API: answers at once and keeps only what the driver reads.

    The tests talk to the fake Telegram server in process (``fake_telegram.DirectSession``);
    the benchmark does not, on purpose: the fake keeps every message with its edits, parses
    every HTML text and checks every rule, and over a run of thousands of citizens that is the
    simulator's memory and CPU, not the bot's, while the benchmark measures the bot. This
    session answers in Telegram's JSON, parsed by aiogram's ``check_response`` as in the tests,
    and keeps only each chat's replies (until the driver takes them) and latest inline keyboard.

    It holds no messages, so an edit or deletion of one is refused as Telegram refuses one of a
    message it does not know (the driver's button presses come from messages of its own
    making); the bot then sends a new message, as it does in production for an old message.
    Removing an earlier step's buttons is answered as done.

    Every request yields to the event loop once, as a real request does while
    it waits for Telegram (the wait itself is not simulated). Without it an
    update that touches no database would run from start to end in one go,
    which no bot talking to Telegram ever does.
    """

    def __init__(self, bot_username: str = "gosuslugi_support_bot") -> None:
        super().__init__()
        self.bot_username = bot_username
        self._next_message_id = itertools.count(1)
        self.replies: defaultdict[int, list[str]] = defaultdict(list)
        self.buttons: dict[int, dict[str, str]] = {}  # the latest inline keyboard, per chat
        self.requests_made = 0

    def take_replies(self, chat_id: int) -> list[str]:
        return self.replies.pop(chat_id, [])

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests_made += 1
        await asyncio.sleep(0)
        status, payload = self._answer(bot, method)
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(payload)
        )
        return response.result  # type: ignore[return-value]

    def _answer(self, bot: Bot, method: TelegramMethod[Any]) -> tuple[int, dict[str, Any]]:
        if isinstance(method, SendMessage):
            return _ok(self._sent(bot, method.chat_id, method.text, method.reply_markup, "text"))
        if isinstance(method, SendPhoto | SendDocument):
            kind = "photo" if isinstance(method, SendPhoto) else "document"
            caption = method.caption or ""
            return _ok(self._sent(bot, method.chat_id, caption, method.reply_markup, kind))
        if isinstance(method, SendMediaGroup):
            return _ok(
                [
                    self._sent(bot, method.chat_id, item.caption or "", None, item.type)
                    for item in method.media
                ]
            )
        if isinstance(method, EditMessageText | EditMessageCaption):
            return _error(400, "Bad Request: message to edit not found")
        if isinstance(method, DeleteMessage):
            return _error(400, "Bad Request: message to delete not found")
        if isinstance(method, EditMessageReplyMarkup):
            return _ok(True)  # an earlier step's buttons removed
        if isinstance(method, GetMe):
            return _ok(self._bot_user(bot))
        if getattr(method, "__returning__", None) is bool:
            return _ok(True)  # answers to button presses, chat actions
        return _error(400, f"Bad Request: {type(method).__name__} is not answered here")

    def _sent(
        self, bot: Bot, chat_id: int | str, html_text: str, markup: Any, kind: str
    ) -> dict[str, Any]:
        chat = int(chat_id)
        self.replies[chat].append(html_text)
        if isinstance(markup, InlineKeyboardMarkup):
            self.buttons[chat] = {
                button.text: button.callback_data or ""
                for row in markup.inline_keyboard
                for button in row
            }
        message: dict[str, Any] = {
            "message_id": next(self._next_message_id),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"},
            "from": self._bot_user(bot),
        }
        if kind == "text":
            message["text"] = plain_text(html_text)
        else:
            if html_text:
                message["caption"] = plain_text(html_text)
            number = message["message_id"]
            if kind == "photo":
                message["photo"] = [
                    {
                        "file_id": f"p{number}",
                        "file_unique_id": f"u{number}",
                        "width": 1,
                        "height": 1,
                    }
                ]
            else:
                message["document"] = {"file_id": f"d{number}", "file_unique_id": f"u{number}"}
        if isinstance(markup, InlineKeyboardMarkup):
            message["reply_markup"] = markup.model_dump(exclude_none=True)
        return message

    def _bot_user(self, bot: Bot) -> dict[str, Any]:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Поддержка",
            "username": self.bot_username,
        }

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the benchmark downloads no files")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        """Nothing to close."""


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _error(code: int, description: str) -> tuple[int, dict[str, Any]]:
    return code, {"ok": False, "error_code": code, "description": description}


_TAG = re.compile(r"<[^>]+>")


def plain_text(html_text: str) -> str:
    """What a person reads of an HTML message: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", html_text))


def filed_number(replies: list[str]) -> str | None:
    for reply in replies:
        number = find_appeal_number(plain_text(reply))
        if number is not None:
            return number
    return None


@dataclass
class Tally:
    """What the driver saw: updates, unanswered updates, confirmations."""

    updates: int = 0
    unanswered: int = 0
    confirmed: int = 0
    latencies: list[float] = field(default_factory=list)

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
import itertools
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup

from bot.callback_data import (
    Menu,
    MenuItem,
)
from bot.domain.validators import find_appeal_number
from testkit.session import RecordingSession, SentMessage, plain_text

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


class LeanSession(RecordingSession):
    """The recording session's answers without its records.

    Results still go through aiogram's response parsing, as in the tests, but
    nothing is kept per chat or per request, so memory measures the bot, not
    the simulator. Replies wait in ``replies`` until the driver takes them.

    Every request yields to the event loop once, as a real request does while
    it waits for Telegram (the wait itself is not simulated). Without it an
    update that touches no database would run from start to end in one go,
    which no bot talking to Telegram ever does.
    """

    def __init__(self) -> None:
        super().__init__()
        self._next_message_id = itertools.count(1)
        self.replies: defaultdict[int, list[str]] = defaultdict(list)
        self.buttons: dict[int, dict[str, str]] = {}  # the latest inline keyboard, per chat
        self.requests_made = 0

    def next_message_id(self, chat_id: int) -> int:
        return next(self._next_message_id)

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

    def _on_EditMessageReplyMarkup(
        self, bot: Bot, method: EditMessageReplyMarkup
    ) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": True}  # an earlier step's buttons removed

    def _on_AnswerCallbackQuery(
        self, bot: Bot, method: AnswerCallbackQuery
    ) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": True}

    def _store(self, bot: Bot, method: Any, html_text: str, kind: str) -> dict[str, Any]:
        record = SentMessage(
            chat_id=int(method.chat_id),
            message_id=next(self._next_message_id),
            html=html_text,
            reply_markup=getattr(method, "reply_markup", None),
            kind=kind,
        )
        self.replies[record.chat_id].append(html_text)
        markup = record.reply_markup
        if isinstance(markup, InlineKeyboardMarkup):
            self.buttons[record.chat_id] = {
                button.text: button.callback_data or ""
                for row in markup.inline_keyboard
                for button in row
            }
        return self._message_json(bot, record)


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

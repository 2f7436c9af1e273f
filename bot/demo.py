"""The terminal demo: the real bot against the built-in fake Telegram, a chat in the terminal.

``python -m bot`` without ``BOT_TOKEN`` (or with ``--demo``) starts it. The
bot runs exactly as in production (the dispatcher from the factory, long
polling over HTTP); only Telegram is the local fake from ``fake_telegram``.
The newcomer types as a citizen or an operator; buttons are pressed by number.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr

from bot.app import Application
from bot.dashboard.server import CannotListen, bind, build_app, serving
from bot.domain.clock import RunningClock
from bot.domain.signin import Role
from bot.domain.validators import format_phone
from bot.rendering.citizen import zone_name
from bot.rendering.operators import describe_schedule
from bot.settings import Settings
from bot.texts import demo as t
from fake_telegram import FakeChat, FakeTelegram, FakeUser, StoredMessage

DEMO_TOKEN = "7000000001:DEMO-local-fake-telegram"
# Unless WORKING_HOURS says otherwise: a desk that never sleeps would offer calls at night.
DEMO_WORKING_HOURS = "mon-fri 09:00-18:00"
CITIZEN_PHONE = "+79161234567"
# A number of at most this many digits presses a button; longer ones (codes) are text.
MAX_BUTTON_DIGITS = 2
QUIET_PERIOD = 0.3
BACKGROUND_REFRESH = 0.3

ReadLine = Callable[[], Awaitable[str]]


@dataclass
class Actor:
    user: FakeUser
    chat: FakeChat
    label: str


@dataclass
class _Seen:
    versions: dict[tuple[int, int], int] = field(default_factory=dict)
    sms_lines: int = 0
    alerts: int = 0


class TerminalDemo:
    def __init__(
        self, telegram: FakeTelegram, citizen: Actor, operator: Actor, sms_outbox: Path, out: TextIO
    ) -> None:
        self.telegram = telegram
        self.citizen = citizen
        self.operator = operator
        self.active = citizen
        self._sms_outbox = sms_outbox
        self._out = out
        self._seen = _Seen()
        self._lock = asyncio.Lock()

    # --- the loop ------------------------------------------------------------

    async def run(self, read_line: ReadLine) -> None:
        refresher = asyncio.create_task(self._refresh_in_background())
        try:
            while True:
                self._write(t.PROMPT.format(who=self.active.user.first_name), end="")
                line = await read_line()
                if not line:  # end of input
                    break
                if not await self.handle(line.strip()):
                    break
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
        self._write(t.BYE)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False ends the demo."""
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line == "/demo":
            self._write(t.HELP)
            return True
        if line.startswith("/as"):
            self._switch(line.removeprefix("/as").strip())
            return True
        action = self._action_for(line)
        if action is not None:
            await action
            await self.telegram.wait_until_quiet(quiet_period=QUIET_PERIOD, timeout=10)
        await self.flush()
        return True

    def _action_for(self, line: str) -> Awaitable[object] | None:
        telegram, actor = self.telegram, self.active
        if line.isdigit() and len(line) <= MAX_BUTTON_DIGITS:
            return self._press(int(line))
        if line == "/contact":
            keyboard = actor.chat.reply_keyboard or {}
            labels = [
                str(button["text"])
                for row in keyboard.get("keyboard", [])
                for button in row
                if isinstance(button, dict) and button.get("request_contact")
            ]
            if not labels:
                self._write(t.NO_CONTACT_BUTTON)
                return None
            return telegram.press_keyboard_button(actor.user, labels[0], actor.chat)
        if line == "/photo":
            return telegram.send_photo(actor.user, chat=actor.chat)
        if line == "/doc":
            return telegram.send_document(actor.user, "скан.pdf", b"%PDF-1.4 demo", chat=actor.chat)
        if line.startswith("/reply ") and actor is self.operator:
            card = self._last_with_buttons(actor.chat)
            if card is None:
                self._write(t.NO_CARD)
                return None
            return telegram.send_text(
                actor.user,
                line.removeprefix("/reply "),
                actor.chat,
                reply_to=card,
                thread_id=card.thread_id,
            )
        return telegram.send_text(actor.user, line, actor.chat)

    async def _press(self, number: int) -> None:
        message = self._last_with_buttons(self.active.chat)
        if message is None:
            self._write(t.NO_BUTTONS)
            return
        labels = message.button_labels()
        if not 1 <= number <= len(labels):
            self._write(t.NO_SUCH_BUTTON.format(number=number, count=len(labels)))
            return
        await self.telegram.press_button(self.active.user, message, labels[number - 1])

    def _switch(self, role: str) -> None:
        if role in ("operator", "оператор"):
            self.active = self.operator
            self._write(
                t.NOW_OPERATOR.format(
                    name=self.operator.user.first_name, chat=self.operator.chat.title
                )
            )
        elif role in ("citizen", "гражданин"):
            self.active = self.citizen
            self._write(t.NOW_CITIZEN.format(name=self.citizen.user.first_name))
        else:
            self._write(t.UNKNOWN_ROLE)

    # --- printing what happened ------------------------------------------------

    async def flush(self) -> None:
        async with self._lock:
            for actor in (self.citizen, self.operator):
                for message in self.telegram.bot_messages(actor.chat):
                    self._print_if_new(actor, message)
            self._print_alerts()
            self._print_sms()

    async def _refresh_in_background(self) -> None:
        """Messages the bot sends on its own (operator answers, status changes) appear too."""
        while True:
            await asyncio.sleep(BACKGROUND_REFRESH)
            await self.flush()

    def _print_if_new(self, actor: Actor, message: StoredMessage) -> None:
        key = (message.chat.id, message.message_id)
        versions = len(message.versions)
        seen = self._seen.versions.get(key)
        if seen == versions or message.deleted:
            return
        self._seen.versions[key] = versions
        active = actor is self.active
        if not active:
            self._write(t.OTHER_CHAT.format(chat=actor.label))
        self._write(t.BOT if seen is None else t.BOT_EDITED)
        self._write(message.text or message.caption or f"[{message.content_type}]")
        is_latest_with_buttons = self._last_with_buttons(actor.chat) is message
        for number, label in enumerate(message.button_labels(), 1):
            if active and is_latest_with_buttons:
                self._write(t.BUTTON.format(number=number, label=label))
            else:
                self._write(t.OTHER_BUTTON.format(label=label))
        keyboard = actor.chat.reply_keyboard
        if active and keyboard and message is self.telegram.bot_messages(actor.chat)[-1]:
            labels = " · ".join(
                f"«{button['text'] if isinstance(button, dict) else button}»"
                for row in keyboard.get("keyboard", [])
                for button in row
            )
            self._write(t.KEYBOARD.format(labels=labels))

    def _print_alerts(self) -> None:
        answers = self.telegram.callback_answers
        for answer in answers[self._seen.alerts :]:
            if answer.text:
                self._write(t.ALERT.format(text=answer.text))
        self._seen.alerts = len(answers)

    def _print_sms(self) -> None:
        if not self._sms_outbox.exists():
            return
        lines = self._sms_outbox.read_text(encoding="utf-8").splitlines()
        for line in lines[self._seen.sms_lines :]:
            sms = json.loads(line)
            self._write(t.SMS.format(phone=format_phone(sms["to"]), text=sms["text"]))
        self._seen.sms_lines = len(lines)

    def _last_with_buttons(self, chat: FakeChat) -> StoredMessage | None:
        for message in reversed(self.telegram.bot_messages(chat)):
            if message.button_labels() and not message.deleted:
                return message
        return None

    def _write(self, text: str, end: str = "\n") -> None:
        self._out.write(text + end)
        self._out.flush()


async def _stdin_line() -> str:
    return await asyncio.to_thread(sys.stdin.readline)


async def run_demo(
    base: Settings, read_line: ReadLine = _stdin_line, out: TextIO = sys.stdout
) -> None:
    with tempfile.TemporaryDirectory(prefix="support-bot-demo-") as folder:
        work = Path(folder)
        async with FakeTelegram(
            DEMO_TOKEN, bot_username="gosuslugi_support_bot", bot_first_name="Поддержка"
        ) as telegram:
            citizen_user = telegram.add_user(
                "Анна", last_name="Иванова", phone_number=CITIZEN_PHONE
            )
            operator_user = telegram.add_user("Ольга", last_name="Смирнова")
            group = telegram.add_group(
                "Операторы поддержки", members=[operator_user], admins=[operator_user]
            )
            # The dashboard on DASHBOARD_PORT, or any free port when that one is taken.
            try:
                dashboard_socket = bind(base.dashboard_host, base.dashboard_port)
            except CannotListen:
                dashboard_socket = bind(base.dashboard_host, 0)
            dashboard_port = dashboard_socket.getsockname()[1]
            settings = base.model_copy(
                update={
                    "dashboard_public_url": f"http://{base.dashboard_host}:{dashboard_port}",
                    "bot_token": SecretStr(DEMO_TOKEN),
                    "bot_api_base_url": telegram.base_url,
                    "database_url": None,  # the demo's own file, whatever .env says
                    "redis_url": None,
                    "database_path": work / "demo.sqlite3",
                    "sms_outbox_path": work / "sms_outbox.jsonl",
                    "sms_gateway": "outbox",
                    "operators_chat_id": group.id,
                    "working_hours": base.working_hours or DEMO_WORKING_HOURS,
                }
            )
            start = settings.demo_clock_start
            async with (
                Application(settings, clock=RunningClock(start) if start else None) as application,
                serving(
                    build_app(settings, application.backend, application.clock), dashboard_socket
                ),
            ):
                dispatcher, bot = application.dispatcher, application.bot
                polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
                demo = TerminalDemo(
                    telegram,
                    Actor(citizen_user, telegram.private_chat(citizen_user), t.CHAT_CITIZEN),
                    Actor(operator_user, group, t.CHAT_OPERATORS),
                    settings.sms_outbox_path,
                    out,
                )
                out.write(
                    t.BANNER.format(
                        base_url=telegram.base_url,
                        citizen=citizen_user.full_name,
                        schedule=describe_schedule(settings.schedule),
                        zone=zone_name(settings.zone),
                    )
                )
                out.write(
                    t.DASHBOARD.format(
                        link=dispatcher["dashboard_access"].link(operator_user.id, Role.OPERATOR)
                    )
                )
                try:
                    await demo.run(read_line)
                finally:
                    await dispatcher.stop_polling()
                    with contextlib.suppress(asyncio.CancelledError):
                        await polling

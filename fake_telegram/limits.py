"""Telegram's network and its send limits, each off until enabled (the tests run without them).

* **Latency**: every Bot API call is answered ``latency`` seconds after it was made, half on the
  way to Telegram (before the method runs: a message appears in the chat then) and half on the
  way back. The end-to-end benchmark uses 40 ms: an assumption (issue 18), not a measurement,
  for a bot in a Moscow data centre; ``api.telegram.org`` is served from Amsterdam, about 2,200
  km of fibre away, which alone makes a round trip of 25-30 ms before any routing or TLS.
* **Per bot**: about 30 messages a second to all chats together.
* **Per private chat**: one message a second, "short bursts" allowed (Telegram's FAQ does not
  say how long; ``private_chat_burst`` messages at once here).

The limits count what the group flood limit counts: new messages the bot sends (an album counts
each of its items); edits, callback answers and chat actions are not counted, Telegram publishes
no limit for them. A call over a limit is answered 429 with ``retry_after`` and does nothing, as
Telegram does. The group limit (20 a minute) is ``faults.GroupFloodLimit``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from . import errors

TELEGRAM_MESSAGES_PER_SECOND = 30.0
TELEGRAM_PRIVATE_CHAT_MESSAGES_PER_SECOND = 1.0
DEFAULT_PRIVATE_CHAT_BURST = 3


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up; a message takes one."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._updated = now

    def refill(self, now: float) -> float:
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        return self._tokens

    def seconds_until(self, messages: int, now: float) -> float:
        """0 if ``messages`` fit now, else how long until they do."""
        missing = messages - self.refill(now)
        return 0.0 if missing <= 1e-9 else missing / self.rate

    def take(self, messages: int) -> None:
        self._tokens -= messages


class SendLimits:
    """The per-bot and per-private-chat limits (see the module's docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.messages_per_second: float | None = None
        self.private_chat_messages_per_second: float | None = None
        self.private_chat_burst = DEFAULT_PRIVATE_CHAT_BURST
        self._bot: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}
        self.refused = 0

    def configure(
        self,
        messages_per_second: float | None,
        private_chat_messages_per_second: float | None,
        private_chat_burst: int = DEFAULT_PRIVATE_CHAT_BURST,
    ) -> None:
        for value in (messages_per_second, private_chat_messages_per_second):
            if value is not None and value <= 0:
                raise ValueError("a limit is a positive number of messages a second, or None")
        if private_chat_burst < 1:
            raise ValueError("private_chat_burst must be at least 1")
        self.messages_per_second = messages_per_second
        self.private_chat_messages_per_second = private_chat_messages_per_second
        self.private_chat_burst = private_chat_burst
        now = self.clock()
        self._bot = (
            TokenBucket(messages_per_second, messages_per_second, now)
            if messages_per_second is not None
            else None
        )
        self._chats.clear()

    def check(self, chat_id: int, is_private: bool, messages: int = 1) -> None:
        """Raise 429 if ``messages`` to this chat don't fit now; count nothing either way."""
        now = self.clock()
        wait = 0.0
        if self._bot is not None:
            wait = self._bot.seconds_until(messages, now)
        chat = self._chat_bucket(chat_id, now) if is_private else None
        if chat is not None:
            wait = max(wait, chat.seconds_until(messages, now))
        if wait > 0:
            self.refused += 1
            raise errors.too_many_requests(max(1, math.ceil(wait)))

    def count(self, chat_id: int, is_private: bool, messages: int = 1) -> None:
        """Take ``messages`` from the budgets ``check`` just found them to fit."""
        if self._bot is not None:
            self._bot.take(messages)
        if is_private:
            chat = self._chat_bucket(chat_id, self.clock())
            if chat is not None:
                chat.take(messages)

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket | None:
        rate = self.private_chat_messages_per_second
        if rate is None:
            return None
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(rate, self.private_chat_burst, now)
        return bucket


class NetworkLatency:
    """The round trip every Bot API call takes (0: answered at once, the default)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def set(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency can't be negative")
        self.seconds = seconds

    @property
    def one_way(self) -> float:
        return self.seconds / 2

"""Who is an operator: an id in OPERATOR_IDS, or a member of the operators' chat.

Membership is asked of Telegram (getChatMember) and remembered briefly, so a
busy chat does not cost a request per message, and someone removed from the
chat loses access within ``ttl``. With several bot processes the answers are
remembered in Redis (:class:`SharedAnswers`), so every process says the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError

from bot.domain.clock import Clock

logger = logging.getLogger(__name__)

_MEMBER_STATUSES = {
    ChatMemberStatus.CREATOR,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}


class SharedAnswers(Protocol):
    """Membership answers remembered for the whole cluster, each for ``ttl``."""

    async def get(self, user_id: int) -> bool | None: ...

    async def put(self, user_id: int, allowed: bool, ttl: timedelta) -> None: ...


class OperatorAccess:
    def __init__(
        self,
        operator_ids: Iterable[int],
        operators_chat_id: int | None,
        clock: Clock,
        ttl: timedelta = timedelta(seconds=60),
        shared: SharedAnswers | None = None,
    ) -> None:
        """``shared``: where answers are remembered (default: this process's memory)."""
        self._shared = shared
        self._ids = frozenset(operator_ids)
        self._chat_id = operators_chat_id
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[int, tuple[bool, datetime]] = {}

    async def is_operator(self, bot: Bot, user_id: int) -> bool:
        if user_id in self._ids:
            return True
        if self._chat_id is None:
            return False
        now = self._clock.now()
        if self._shared is not None:
            remembered = await self._shared.get(user_id)
            if remembered is not None:
                return remembered
        else:
            cached = self._cache.get(user_id)
            if cached is not None and cached[1] > now:
                return cached[0]
        try:
            member = await bot.get_chat_member(self._chat_id, user_id)
        except TelegramAPIError as error:
            logger.warning("Cannot check operator %s: %s", user_id, error.message)
            return False
        allowed = member.status in _MEMBER_STATUSES or (
            member.status == ChatMemberStatus.RESTRICTED
            and bool(getattr(member, "is_member", False))
        )
        if self._shared is not None:
            await self._shared.put(user_id, allowed, self._ttl)
        else:
            self._cache[user_id] = (allowed, now + self._ttl)
        return allowed

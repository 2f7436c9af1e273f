"""Who is an operator: an id in OPERATOR_IDS, or a member of an operators' chat (the
one OPERATORS_CHAT_ID, or any desk's chat of DESKS).

Membership is asked of Telegram (getChatMember) and remembered briefly, so a
busy chat does not cost a request per message, and someone removed from the
chat loses access within ``ttl``. With several bot processes the answers are
remembered in Redis (:class:`SharedAnswers`), so every process says the same. The
answer remembered is for all the desks together: an operator of any desk is an operator.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Set
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
        operators_chats: Set[int],
        clock: Clock,
        ttl: timedelta = timedelta(seconds=60),
        shared: SharedAnswers | None = None,
    ) -> None:
        """``shared``: where answers are remembered (default: this process's memory)."""
        self._shared = shared
        self._ids = frozenset(operator_ids)
        self._chats = sorted(operators_chats)
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[int, tuple[bool, datetime]] = {}

    async def is_operator(self, bot: Bot, user_id: int) -> bool:
        if user_id in self._ids:
            return True
        if not self._chats:
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
        allowed = unsure = False
        for chat_id in self._chats:
            try:
                member = await bot.get_chat_member(chat_id, user_id)
            except TelegramAPIError as error:
                logger.warning("Cannot check operator %s: %s", user_id, error.message)
                unsure = True
                continue
            allowed = member.status in _MEMBER_STATUSES or (
                member.status == ChatMemberStatus.RESTRICTED
                and bool(getattr(member, "is_member", False))
            )
            if allowed:
                break
        if unsure and not allowed:
            return False  # not remembered: asked again next time
        if self._shared is not None:
            await self._shared.put(user_id, allowed, self._ttl)
        else:
            self._cache[user_id] = (allowed, now + self._ttl)
        return allowed

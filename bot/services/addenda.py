"""The citizen's messages that wait for «Это дополнение к обращению № …».

A message outside dialogues, while appeals are open, is kept with an offer to
add it to one of them (``handlers/conversation.py``); the press finds it here.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from aiogram.fsm.context import FSMContext

from bot.services.relay import Content

ADDENDA = "addenda"  # the storage destiny of messages waiting for «Это дополнение…»
ADDENDA_KEPT = 10
ADDENDA_LIFETIME = timedelta(days=1)


class WaitingMessages:
    """The citizen's messages that wait for «Это дополнение к обращению № …», by message id.

    Kept beside the dialogue state (another destiny of the same storage), so
    that opening a dialogue meanwhile does not lose them; the newest few, for
    a day; /forget erases them with every other row of the citizen.
    """

    def __init__(self, state: FSMContext, now: datetime) -> None:
        self._state = FSMContext(state.storage, replace(state.key, destiny=ADDENDA))
        self._now = now

    async def _fresh(self) -> dict[str, Any]:
        kept = (await self._state.get_data()).get("messages", {})
        since = (self._now - ADDENDA_LIFETIME).isoformat()
        return {key: item for key, item in kept.items() if item["at"] >= since}

    async def keep(self, message_id: int, content: Content, targets: list[str]) -> None:
        """``targets``: the routing's suggestions shown with the offer, shown again after it."""
        kept = await self._fresh()
        kept[str(message_id)] = {
            "at": self._now.isoformat(),
            "content": asdict(content),
            "targets": targets,
        }
        newest = sorted(kept, key=int)[-ADDENDA_KEPT:]
        await self._state.set_data({"messages": {key: kept[key] for key in newest}})

    async def take(self, message_id: int) -> tuple[Content, list[str]] | None:
        kept = await self._fresh()
        item = kept.pop(str(message_id), None)
        await self._state.set_data({"messages": kept} if kept else {})
        return None if item is None else (Content(**item["content"]), item["targets"])

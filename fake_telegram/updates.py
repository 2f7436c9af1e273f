"""The bot's update queue: ``getUpdates`` long polling with Telegram's semantics.

* An update stays queued until a later ``getUpdates`` confirms it with ``offset``.
* A negative ``offset`` keeps only that many of the newest updates and forgets the rest.
* ``allowed_updates`` applies to updates created after it is set, as Telegram documents;
  updates it filters out are never delivered (they are kept in ``dropped`` for tests).
* A second ``getUpdates`` while one is waiting ends the first with 409 Conflict.

While a webhook is set, ``webhook.WebhookDelivery`` takes the updates from here instead:
``undelivered`` lists them, ``acknowledge`` removes one the bot's server answered with 2xx.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from . import errors
from .notify import ChangeNotifier

ALL_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "message_reaction", "message_reaction_count",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
        "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
        "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip
# Without an explicit list Telegram sends everything except these, which must be asked for.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - OPT_IN_UPDATE_TYPES
MAX_UPDATES_PER_REQUEST = 100
FIRST_UPDATE_ID = 700_000_001


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


class UpdateQueue:
    def __init__(self, changes: ChangeNotifier) -> None:
        self._changes = changes
        self._next_update_id = FIRST_UPDATE_ID
        self._pending: list[dict[str, Any]] = []
        self._redeliveries: list[dict[str, Any]] = []
        self._allowed_types = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._closed = False
        self.history: list[dict[str, Any]] = []
        self.dropped: list[dict[str, Any]] = []

    @property
    def unconfirmed_count(self) -> int:
        return len(self._pending) + len(self._redeliveries)

    def push(self, content: dict[str, Any]) -> dict[str, Any]:
        """Queue an update; ``content`` is everything but ``update_id``, which is assigned here."""
        return self.push_raw({"update_id": self._next_update_id, **content})

    def push_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update as given; a given ``update_id`` also moves the numbering past it."""
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self.history.append(update)
        if update_type(update) in self._allowed_types:
            self._pending.append(update)
            self._pending.sort(key=lambda queued: queued["update_id"])
        else:
            self.dropped.append(update)
        self._changes.notify()
        return update

    def redeliver(self, update_id: int) -> dict[str, Any]:
        """Deliver an already delivered update once more, with the same ``update_id``.

        It reaches the next ``getUpdates`` whatever its offset, the way a duplicate does when
        Telegram resends an update whose confirmation it did not see.
        """
        original = next(
            (update for update in self.history if update["update_id"] == update_id), None
        )
        if original is None:
            raise KeyError(f"no update with update_id {update_id} was ever queued")
        duplicate = copy.deepcopy(original)
        self._redeliveries.append(duplicate)
        self._changes.notify()
        return duplicate

    def undelivered(self) -> list[dict[str, Any]]:
        """Every update not yet delivered, duplicates included, in ``update_id`` order."""
        return sorted([*self._redeliveries, *self._pending], key=lambda update: update["update_id"])

    def acknowledge(self, update: dict[str, Any]) -> None:
        """The bot's webhook took this very update (a duplicate is told apart from its original)."""
        self._pending = [queued for queued in self._pending if queued is not update]
        self._redeliveries = [queued for queued in self._redeliveries if queued is not update]
        self._changes.notify()

    def set_allowed_types(self, allowed_types: list[str]) -> None:
        requested = frozenset(allowed_types) & ALL_UPDATE_TYPES
        self._allowed_types = requested or DEFAULT_UPDATE_TYPES

    def drop_pending(self) -> None:
        self._pending.clear()
        self._redeliveries.clear()
        self._changes.notify()

    def close(self) -> None:
        """Release every waiting ``getUpdates`` with an empty answer (the server is stopping)."""
        self._closed = True
        self._changes.notify()

    async def get_updates(
        self, offset: int | None, limit: int | None, timeout: int | None
    ) -> list[dict[str, Any]]:
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._changes.notify()
        limit = min(max(limit or MAX_UPDATES_PER_REQUEST, 1), MAX_UPDATES_PER_REQUEST)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout or 0, 0)
        while True:
            if generation != self._poll_generation:
                raise errors.polling_conflict()
            batch = self._take(offset, limit)
            remaining = deadline - loop.time()
            if batch or self._closed or remaining <= 0:
                return batch
            await self._changes.wait(remaining)

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            del self._pending[: max(len(self._pending) + offset, 0)]
        else:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]
        self._changes.notify()

    def _take(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        eligible = [
            update
            for update in self._pending
            if offset is None or offset <= 0 or update["update_id"] >= offset
        ]
        batch = sorted([*self._redeliveries, *eligible], key=lambda update: update["update_id"])
        batch = batch[:limit]
        taken = {id(update) for update in batch}
        self._redeliveries = [update for update in self._redeliveries if id(update) not in taken]
        return batch

"""Each update id is handled once, and an update confirmed to Telegram is never lost.

aiogram's polling handles updates as concurrent tasks and confirms them (the
``offset`` of the next ``getUpdates``) while they may still be running;
Telegram never sends a confirmed update again. So every update is written,
with the claim of its id, to the inbox (``processed_updates``) before it is
confirmed: :class:`ClaimOnFetch` claims the updates a ``getUpdates`` brought
(one statement for the batch) before polling sees them, so the next
``getUpdates`` is sent only once they are all in the inbox. The claim comes
before the dispatcher, not in it: an update that waits for its chat's lock
(a second message of a chat whose first is still being answered) would
otherwise hold every other chat's updates back until the first one is done.
An update a dead process left claimed and unfinished is handled again at the
next start (:meth:`DeduplicationMiddleware.handle_unfinished`), before
polling begins. An update whose handling is cancelled (a shutdown cut it off)
is left unfinished the same way; one whose handler failed is done.

By webhook the claim comes first too: the web server claims an update
(:meth:`DeduplicationMiddleware.claim_ahead`) and answers Telegram once the
claim is committed, then feeds it to the dispatcher, whose pass through this
middleware finds it already taken by this run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from bot.domain.clock import Clock
from bot.storage.faults import StorageFault

logger = logging.getLogger(__name__)

RETENTION = timedelta(days=1)
PRUNE_EVERY = 1000  # updates between two prunes of old ids
PRUNE_JOB = "prune-processed-updates"


def _inbox_payload(update: Update) -> str:
    return update.model_dump_json(by_alias=True, exclude_none=True)


class ProcessedUpdates(Protocol):
    async def claim(
        self, bot_id: int, update_id: int, run_id: str, now: Any, payload: str
    ) -> bool: ...

    async def finish(self, bot_id: int, update_id: int) -> None: ...

    async def renew(self, run_id: str, now: Any) -> int: ...

    async def unfinished(self, bot_id: int, now: Any = None) -> list[tuple[int, str]]: ...

    async def prune(self, older_than: Any) -> int: ...


class ClaimOnFetch(BaseRequestMiddleware):
    """Bot session middleware: ``getUpdates`` returns its updates once they are claimed.

    A claim that fails fails the ``getUpdates``: aiogram's polling asks again with the same
    offset, so nothing is confirmed that is not in the inbox.
    """

    def __init__(self, claim: Callable[[Bot, Update], Awaitable[None]]) -> None:
        self._claim = claim

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        request = method  # as declared: the check below narrows `method` only
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        # The chain passes on the method's result (the updates), whatever the annotation says.
        updates = cast(list[Update], await make_request(bot, request))
        await asyncio.gather(*(self._claim(bot, update) for update in updates))
        return cast(Response[TelegramType], updates)


class DeduplicationMiddleware(BaseMiddleware):
    """Outer update middleware: skips update ids already taken by this or an earlier run."""

    def __init__(
        self,
        processed: ProcessedUpdates,
        clock: Clock,
        once_per_cluster: Callable[[str], AbstractAsyncContextManager[bool]] | None = None,
        *,
        sweep_every: float | None = None,
    ) -> None:
        """``once_per_cluster``: the lock that lets one process of several prune old ids.

        ``sweep_every`` (several processes share the inbox): every so many seconds, renew the
        leases of this run's updates in flight and handle the updates whose taker died.
        """
        self._processed = processed
        self._clock = clock
        self._once = once_per_cluster
        self._sweep_every = sweep_every
        self._sweeper: asyncio.Task[None] | None = None
        # Which process holds an update in flight, for whoever reads the inbox.
        self.run_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:16]}"
        self._since_prune = 0
        # Update ids claimed before the dispatcher: whether this run handles them.
        self._claimed_ahead: dict[int, bool] = {}

    async def claim_ahead(self, bot: Bot, update: Update) -> bool:
        """Claim an update before the dispatcher sees it; committed, with its JSON, on return.

        True: this run handles it (feed it to the dispatcher next). False: it was taken
        already, by this run or by one that finished it.
        """
        claimed = await self._processed.claim(
            bot.id, update.update_id, self.run_id, self._clock.now(), _inbox_payload(update)
        )
        if claimed:
            self._claimed_ahead[update.update_id] = True
        return claimed

    async def claim_fetched(self, bot: Bot, update: Update) -> None:
        """:meth:`claim_ahead` for polling, which feeds the update either way: this
        middleware then skips one taken already without asking the inbox again."""
        self._claimed_ahead[update.update_id] = await self.claim_ahead(bot, update)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        now = self._clock.now()
        claimed = self._claimed_ahead.pop(event.update_id, None)
        if claimed is None:
            try:
                claimed = await self._processed.claim(
                    bot.id, event.update_id, self.run_id, now, _inbox_payload(event)
                )
            except StorageFault:
                # Not confirmed to Telegram, which sends it again after the restart the
                # application is heading for (it reports the fault).
                return None
        if not claimed:
            logger.info("Skipped update %s: it was already handled", event.update_id)
            return None
        return await self._handle_claimed(handler, event, data, bot.id, now)

    async def _handle_claimed(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: Update,
        data: dict[str, Any],
        bot_id: int,
        now: datetime,
    ) -> Any:
        try:
            result = await handler(event, data)
        except asyncio.CancelledError:
            # Cut off (a shutdown that could not wait for it), as if the process had died
            # here: the update stays unfinished, and the next run (or, in a cluster, another
            # process once its lease runs out) handles it again. Marking it done would lose
            # what it had not done yet (a filed appeal's number, see AppealService.file).
            raise
        except BaseException:
            await self._finish(bot_id, event.update_id, now)
            raise
        await self._finish(bot_id, event.update_id, now)
        return result

    async def _finish(self, bot_id: int, update_id: int, now: datetime) -> None:
        try:
            await self._processed.finish(bot_id, update_id)
        except StorageFault:
            return  # left unfinished: handled again after the restart, if the file comes back
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            if self._once is None:
                await self._processed.prune(now - RETENTION)
                return
            async with self._once(PRUNE_JOB) as holding:
                if holding:  # else another process is pruning right now
                    await self._processed.prune(now - RETENTION)

    async def on_startup(self, bot: Bot, dispatcher: Dispatcher) -> None:
        """Before polling: confirm only claimed updates, and finish what a dead run left."""
        bot.session.middleware(ClaimOnFetch(self.claim_fetched))
        await self.handle_unfinished(bot, dispatcher)
        if self._sweep_every is not None and self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(bot, dispatcher), name="inbox-sweep")

    async def stop(self) -> None:
        """Stop renewing leases: the updates still in flight go to other processes."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _sweep(self, bot: Bot, dispatcher: Dispatcher) -> None:
        assert self._sweep_every is not None
        while True:
            await asyncio.sleep(self._sweep_every)
            try:
                await self._processed.renew(self.run_id, self._clock.now())
                await self.handle_unfinished(bot, dispatcher)
            except Exception as error:  # noqa: BLE001 - the next sweep tries again
                logger.warning("Inbox sweep failed: %s: %s", type(error).__name__, error)

    async def handle_unfinished(self, bot: Bot, dispatcher: Dispatcher) -> None:
        """Handle again, oldest first and one at a time, what a dead process left unfinished."""
        unfinished = await self._processed.unfinished(bot.id, self._clock.now())
        if unfinished:
            logger.info(
                "Handling %s update(s) left unfinished by the previous run", len(unfinished)
            )
        for update_id, payload in unfinished:
            update = Update.model_validate_json(payload, context={"bot": bot})
            try:
                await dispatcher.feed_update(bot, update)
            except Exception:
                logger.exception("Update %s left unfinished failed again", update_id)

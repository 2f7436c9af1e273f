"""Requests that arrive while the event loop is busy, served together.

The group commit (:meth:`Database.commit_grouped`) and the claims of update
ids (:class:`bot.storage.sqlite.updates.SQLiteProcessedUpdates`) work the same
way: each caller queues its request and waits; one task serves everything
queued since it last looked, in one trip to the database thread, and tells
every caller its own result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")


class Batches(Generic[Request, Result]):
    """Serves queued requests with ``serve``, ``most`` of them a batch (all, if None).

    ``serve`` settles every future of its batch (see :func:`settle`); an
    exception it raises fails the callers it has not settled.
    """

    def __init__(
        self,
        serve: Callable[[list[tuple[Request, asyncio.Future[Result]]]], Awaitable[None]],
        most: int | None = None,
    ) -> None:
        self._serve = serve
        self.most = most
        self._waiting: list[tuple[Request, asyncio.Future[Result]]] = []
        self._server: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Result:
        """Queue ``request``; return its result once a batch has served it."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, done))
        if self._server is None:
            self._server = asyncio.create_task(self._serve_all())
        return await done

    async def drain(self) -> None:
        """Wait until everything queued so far is served."""
        if self._server is not None:
            await self._server

    async def _serve_all(self) -> None:
        try:
            while self._waiting:
                cut = len(self._waiting) if self.most is None else self.most
                batch, self._waiting = self._waiting[:cut], self._waiting[cut:]
                try:
                    await self._serve(batch)
                except Exception as error:  # noqa: BLE001 - handed to the callers
                    for _, done in batch:
                        settle(done, error=error)
        finally:
            self._server = None


def settle(
    done: asyncio.Future[Result], result: Result | None = None, error: Exception | None = None
) -> None:
    """Tell a waiting caller how its request went (unless it stopped waiting)."""
    if done.done():
        return
    if error is None:
        done.set_result(result)  # type: ignore[arg-type]
    else:
        done.set_exception(error)

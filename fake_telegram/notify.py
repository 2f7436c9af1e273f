"""A wake-up call for coroutines waiting on the fake's state ("has the bot replied yet?")."""

from __future__ import annotations

import asyncio


class ChangeNotifier:
    """Wakes every waiter on any change; each waiter then re-checks its own condition.

    One broadcast primitive keeps the waits simple. A waiter that checks its condition and calls
    ``wait`` without awaiting in between cannot miss a change: on one event loop nothing else
    runs in that gap, and a notification replaces the event rather than resetting it.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float | None) -> None:
        """Sleep until the next change or until ``timeout`` seconds pass, whichever is first."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return

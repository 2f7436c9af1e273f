"""Storage faults: the database that must not be used any more, and failures that repeat.

:class:`StorageFault`: the database file is corrupt, or was deleted or replaced
while the bot had it open. Nothing can be saved any more; the application
stops taking updates and exits, and a supervisor restarts it once the file is
restored.

:class:`FaultEpisode`: a background loop whose work keeps failing logs one
line, backs off, and says when it clears. A full disk makes every pass of a
loop fail the same way within milliseconds; a traceback per pass would bury
everything else in the log (88 of them in 25 s) and the retries would keep
the disk busy. An episode is the run of
failures between two successes: its first failure is logged (one line, the
error's type and message), the following ones are only counted, the pause
before the next try doubles up to a ceiling, and the first success logs one
line with how many tries failed and for how long.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path


class FaultKind(StrEnum):
    CORRUPT = "corrupt"  # SQLite found the file malformed, or it is not a database
    LOST = "lost"  # the file was deleted or replaced while the bot had it open


class StorageFault(Exception):
    """The database can no longer be trusted: stop taking updates and exit."""

    def __init__(self, kind: FaultKind, path: Path, detail: str) -> None:
        super().__init__(f"{kind}: {path}: {detail}")
        self.kind = kind
        self.path = path
        self.detail = detail


class FaultEpisode:
    def __init__(
        self,
        logger: logging.Logger,
        work: str,
        *,
        first_delay: float,
        max_delay: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._work = work
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._clock = clock
        self.failures = 0
        self._started = 0.0

    def failed(self, error: BaseException) -> float:
        """Count a failure; the seconds to wait before the next try."""
        self.failures += 1
        if self.failures == 1:
            self._started = self._clock()
            self._logger.error(
                "%s failed: %s: %s; retrying with backoff up to %g s, quietly until it works",
                self._work,
                type(error).__name__,
                error,
                self._max_delay,
            )
            self._logger.debug("%s failure", self._work, exc_info=error)
        return min(self._first_delay * 2 ** (self.failures - 1), self._max_delay)

    def succeeded(self) -> None:
        if self.failures:
            self._logger.warning(
                "%s works again after %d failed tries in %.1f s",
                self._work,
                self.failures,
                self._clock() - self._started,
            )
            self.failures = 0

"""Several worker processes serving one listening socket (``python -m bot --workers N``).

The parent binds the socket once, forks the workers, and only supervises: each worker inherits
the socket and accepts connections from it, so the kernel hands every new connection to one
idle worker. This was chosen over each worker binding the port itself with ``SO_REUSEPORT``
(aiohttp's ``reuse_port``):

* the port is bound once, so a port taken by another program fails start-up with one error,
  before anything else starts;
* with ``SO_REUSEPORT`` every worker has an accept queue of its own and the kernel assigns
  connections to a queue by a hash; connections queued on a worker that dies are reset. A
  shared queue loses nothing when a worker dies: the others take what is waiting;
* the parent restarts a worker that was killed (by the OOM killer, or ``kill -9``), which
  separate processes would leave to a supervisor.

A worker that exits by itself with a non-zero code (bad configuration, a storage fault) stops
the others: a new one would fail the same way. SIGTERM or SIGINT to the parent stops every
worker gracefully; the parent exits with the highest code they exited with.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from types import FrameType

logger = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before a killed worker is replaced
LISTEN_BACKLOG = 1024
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def bind_listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (an IPv6 address if ``host`` holds a colon)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=LISTEN_BACKLOG)


class WorkerPool:
    """Forks ``count`` workers running ``work(index)`` and supervises them (see the module)."""

    def __init__(self, count: int, work: Callable[[int], int]) -> None:
        if count < 1:
            raise ValueError("at least one worker")
        self._count = count
        self._work = work
        self._children: dict[int, int] = {}  # pid -> worker index
        self._stopping = False

    def run(self) -> int:
        previous = {signum: signal.signal(signum, self._stop) for signum in STOP_SIGNALS}
        try:
            for index in range(self._count):
                self._spawn(index)
            return self._supervise()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _supervise(self) -> int:
        exit_code = 0
        while self._children:
            pid, status = os.wait()
            index = self._children.pop(pid, None)
            if index is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if self._stopping:
                exit_code = max(exit_code, code)
            elif code < 0:
                logger.warning(
                    "Worker %s (pid %s) was killed by signal %s; starting another",
                    index,
                    pid,
                    -code,
                )
                time.sleep(RESTART_PAUSE)
                if not self._stopping:
                    self._spawn(index)
            else:
                logger.critical(
                    "Worker %s (pid %s) exited with code %s; stopping the others", index, pid, code
                )
                exit_code = code or 1
                self._stop(signal.SIGTERM, None)
        return exit_code

    def _spawn(self, index: int) -> None:
        # A stop signal between the fork and the bookkeeping would miss the new child.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                self._become_worker(index, blocked)
            self._children[pid] = index
            logger.info("Worker %s started (pid %s)", index, pid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _become_worker(self, index: int, signal_mask: set[int | signal.Signals]) -> None:
        code = 1
        try:
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, signal_mask)
            code = self._work(index)
        except BaseException:  # the exit code says that it failed, the log says why
            logger.exception("Worker %s failed", index)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            # Never back into the parent's code: the forked copy of its stack must not run.
            os._exit(code)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True
        for pid in self._children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue

"""``bot.workers``: forked workers share one listening socket; the parent supervises them.

The pool runs in a child process of its own (a small script below), so that forking never
copies pytest's process. Each worker serves ``GET /pid`` with its process id.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import textwrap
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]

POOL_SCRIPT = textwrap.dedent("""
    import asyncio, logging, os, sys
    from aiohttp import web
    from bot.workers import WorkerPool, bind_listener

    logging.basicConfig(level=logging.INFO)
    listener = bind_listener("127.0.0.1", int(sys.argv[1]))

    async def serve() -> int:
        async def pid(request: web.Request) -> web.Response:
            return web.Response(text=str(os.getpid()))
        app = web.Application()
        app.router.add_get("/pid", pid)
        app.router.add_get("/exit", lambda request: os._exit(5))
        # No access log: the test reads stderr for the pool's own lines.
        runner = web.AppRunner(app, handle_signals=True, access_log=None)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
        return 0

    def work(index: int) -> int:
        try:
            return asyncio.run(serve())
        except (KeyboardInterrupt, SystemExit):  # aiohttp's handle_signals raises GracefulExit
            return 0

    sys.exit(WorkerPool(int(sys.argv[2]), work).run())
""")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Pool:
    """The pool's process, with its stderr read as it comes (a full pipe would block it)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pid = process.pid
        self._log = bytearray()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self._log += chunk

    async def log(self) -> str:
        await self._reader
        return self._log.decode()


async def start_pool(port: int, workers: int) -> Pool:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        POOL_SCRIPT,
        str(port),
        str(workers),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.PIPE,
    )
    return Pool(process)


async def pids_answering(port: int, requests: int) -> set[int]:
    """The workers that answered ``requests`` requests, each on a new connection."""
    seen: set[int] = set()
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        for _ in range(requests):
            async with http.get(f"http://127.0.0.1:{port}/pid") as response:
                seen.add(int(await response.text()))
    return seen


async def wait_for_workers(port: int, count: int, timeout: float = 60) -> set[int]:
    """Pids of ``count`` workers, once that many answer; keeps asking in bursts."""
    seen: set[int] = set()
    async with asyncio.timeout(timeout):
        while len(seen) < count:
            try:
                seen |= await pids_answering(port, 20)
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
    return seen


async def test_two_workers_share_one_port_and_a_killed_one_is_replaced() -> None:
    port = free_port()
    pool = await start_pool(port, 2)
    try:
        first = await wait_for_workers(port, 2)
        assert pool.pid not in first
        victim = min(first)
        os.kill(victim, signal.SIGKILL)

        survivors: set[int] = set()
        async with asyncio.timeout(60):
            while len(survivors) < 2:
                survivors = await wait_for_workers(port, 2) - {victim}
        assert len(survivors - first) == 1  # one new worker
    finally:
        pool.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(pool.process.wait(), 30)
    assert pool.process.returncode == 0
    log = await pool.log()
    assert f"pid {victim}) was killed by signal 9; starting another" in log
    for pid in survivors:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"worker {pid} outlived the pool")


async def test_a_worker_that_exits_by_itself_stops_the_pool_with_its_code() -> None:
    port = free_port()
    pool = await start_pool(port, 2)
    try:
        await wait_for_workers(port, 2)
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            # The worker is gone before it answers.
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/exit") as response:
                    await response.read()
        await asyncio.wait_for(pool.process.wait(), 30)
    finally:
        if pool.process.returncode is None:
            pool.process.send_signal(signal.SIGTERM)
            await pool.process.wait()
        await pool.log()
    assert pool.process.returncode == 5

"""Status lookup and "my appeals" against archives of growing size.

Both must stay flat as the appeals table grows: each is an index search
(the plans SQLite chose are printed with the timings), never a scan.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from benchmarks import seed
from benchmarks.measure import LatencyHistogram
from benchmarks.workload import FIRST_CITIZEN_ID
from bot.domain.clock import SystemClock
from bot.services.appeals import AppealService
from bot.services.desk import OutboxSignal
from bot.storage.sqlite.appeals import SQLiteAppealRepository
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.desk import SQLiteDeskRepository


def _read_through(path: Path) -> None:
    """Bring the file into the operating system's cache, as a running bot's database is.

    Otherwise the sizes would be compared in whatever cache state the cases
    before left them (a cold million-appeal file reads from disk).
    """
    with open(path, "rb") as source:
        while source.read(1 << 20):
            pass


async def measure_lookups(
    workdir: Path, sizes: list[int], samples: int, per_citizen: list[int] | None = None
) -> dict[str, Any]:
    """Timings for every archive size and number of appeals per citizen.

    The plans are SQLite's for the statements the repositories ran while
    timed (traced on the connection), not for copies of their SQL.
    """
    results: dict[str, Any] = {"sizes": {}, "cases": [], "plans": {}}
    for size in sizes:
        for per_owner in per_citizen or [seed.APPEALS_PER_OWNER]:
            if per_owner > size:
                continue
            row, plans = await _measure(workdir, size, per_owner, samples)
            results["cases"].append(row)
            if per_owner == seed.APPEALS_PER_OWNER:
                results["sizes"][size] = row
            results["plans"] = plans
    return results


async def _measure(
    workdir: Path, size: int, per_owner: int, samples: int
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    path = await seed.template(workdir, size, per_owner)
    _read_through(path)
    database = Database(path)
    await database.connect()
    try:
        repository = SQLiteAppealRepository(database)
        service = AppealService(
            repository, SQLiteDeskRepository(database), SystemClock(), OutboxSignal()
        )
        generator = random.Random(size)
        status, listing = LatencyHistogram(), LatencyHistogram()
        owners = seed.archive_owners(size, per_owner)
        statements: dict[str, set[str]] = {"status by number": set(), "my appeals": set()}
        for sample in range(samples):
            traced = sample == 0  # the first of each: the statements, untimed
            number = seed.random_archived_number(size, generator)
            assert number is not None
            async with _tracing(database, statements["status by number"], traced):
                started = time.perf_counter()
                appeal = await service.find(number)
                elapsed = time.perf_counter() - started
            if not traced:
                status.add(elapsed)
            assert appeal is not None, number
            owner = FIRST_CITIZEN_ID + generator.randrange(owners)
            async with _tracing(database, statements["my appeals"], traced):
                started = time.perf_counter()
                page = await service.page_for(owner, 0)
                elapsed = time.perf_counter() - started
            if not traced:
                listing.add(elapsed)
            assert page.total == per_owner, (owner, page.total)
        row = {
            "archived_appeals": size,
            "appeals_per_citizen": per_owner,
            "status_p50_us": status.percentile(0.5) * 1e6,
            "status_p99_us": status.percentile(0.99) * 1e6,
            "my_appeals_p50_us": listing.percentile(0.5) * 1e6,
            "my_appeals_p99_us": listing.percentile(0.99) * 1e6,
        }
        plans = {}
        for lookup, sqls in statements.items():
            for sql in sorted(sqls):
                explained = await database.fetchall(f"EXPLAIN QUERY PLAN {sql}")
                plans[f"{lookup}: {_shorten(sql)}"] = [item["detail"] for item in explained]
        return row, plans
    finally:
        await database.close()


@asynccontextmanager
async def _tracing(database: Database, into: set[str], on: bool) -> AsyncIterator[None]:
    """Collect the statements the connection runs meanwhile (bound values expanded)."""
    if not on:
        yield
        return
    await database.connection.set_trace_callback(into.add)
    try:
        yield
    finally:
        await database.connection.set_trace_callback(None)


def _shorten(sql: str) -> str:
    return sql if len(sql) <= 90 else sql[:87] + "..."

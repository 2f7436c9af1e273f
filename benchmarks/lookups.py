"""Status lookup and "my appeals" against archives of growing size.

Both must stay flat as the appeals table grows: each is an index search
(the plans SQLite chose are printed with the timings), never a scan.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from benchmarks import seed
from benchmarks.measure import LatencyHistogram
from benchmarks.workload import FIRST_CITIZEN_ID
from bot.services.appeals import AppealService
from bot.domain.clock import SystemClock
from bot.services.desk import OutboxSignal
from bot.storage.sqlite.appeals import SQLiteAppealRepository
from bot.storage.sqlite.archive import lookup_plans
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


async def measure_lookups(workdir: Path, sizes: list[int], samples: int) -> dict[str, Any]:
    results: dict[str, Any] = {"sizes": {}, "plans": {}}
    for size in sizes:
        path = await seed.template(workdir, size)
        _read_through(path)
        database = Database(path)
        await database.connect()
        try:
            repository = SQLiteAppealRepository(database)
            service = AppealService(
                repository, SQLiteDeskRepository(database), SystemClock(), OutboxSignal()
            )
            results["plans"] = await lookup_plans(database)
            generator = random.Random(size)
            status, listing = LatencyHistogram(), LatencyHistogram()
            owners = seed.archive_owners(size)
            for _ in range(samples):
                number = seed.random_archived_number(size, generator)
                assert number is not None
                started = time.perf_counter()
                appeal = await service.find(number)
                status.add(time.perf_counter() - started)
                assert appeal is not None, number
                owner = FIRST_CITIZEN_ID + generator.randrange(owners)
                started = time.perf_counter()
                page = await service.page_for(owner, 0)
                listing.add(time.perf_counter() - started)
                assert page.total > 0
            results["sizes"][size] = {
                "status_p50_us": status.percentile(0.5) * 1e6,
                "status_p99_us": status.percentile(0.99) * 1e6,
                "my_appeals_p50_us": listing.percentile(0.5) * 1e6,
                "my_appeals_p99_us": listing.percentile(0.99) * 1e6,
                "appeals_per_citizen": size / owners,
            }
        finally:
            await database.close()
    return results

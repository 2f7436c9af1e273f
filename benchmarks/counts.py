"""What one closed-loop case does per update, counted rather than timed.

``python -m benchmarks.counts '<case json>'`` (the case as ``benchmarks.case``
takes it; ours on SQLite) prints, per measured update: the routers it entered,
the database operations it asked for (by kind: a read, a write, a transaction),
the trips to aiosqlite's thread (each call of ``execute``, ``execute_fetchall``
or ``executemany``), and the statements SQLite ran (BEGIN and COMMIT included). Counts do
not move with the machine's load, so they show what a change saved where the
timings of a noisy machine cannot; they count the warm-up's updates too (none
in the closed loop).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from aiogram import Router

from benchmarks import case as cases
from bot.storage.sqlite.database import Database


async def count(case: cases.Case) -> dict[str, Any]:
    routers = 0
    operations: Counter[str] = Counter()
    statements = 0
    trips = 0
    propagate = Router.propagate_event
    measure = cases._measure

    async def entered(self: Router, update_type: str, event: Any, **kwargs: Any) -> Any:
        nonlocal routers
        routers += 1
        return await propagate(self, update_type, event, **kwargs)

    def ran(_: str) -> None:
        nonlocal statements
        statements += 1

    def tripping(call: Any) -> Any:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal trips
            trips += 1
            return await call(*args, **kwargs)

        return counted

    async def counted(case: cases.Case, database: Database, scratch: Path) -> dict[str, Any]:
        database.observe = lambda operation, _: operations.update([operation])
        connection = database.connection
        await connection.set_trace_callback(ran)
        for name in ("execute", "execute_fetchall", "executemany"):
            setattr(connection, name, tripping(getattr(connection, name)))
        return await measure(case, database, scratch)

    Router.propagate_event = entered  # type: ignore[method-assign]
    cases._measure = counted
    try:
        result = await cases.run_case(case)
    finally:
        Router.propagate_event = propagate  # type: ignore[method-assign]
        cases._measure = measure
    updates = result["updates"]
    return {
        "case": {key: result[key] for key in ("storage", "shape", "citizens", "durability")},
        "updates": updates,
        "routers_entered": routers / updates,
        "database_operations": sum(operations.values()) / updates,
        "database_operations_by_kind": {
            kind: number / updates for kind, number in sorted(operations.items())
        },
        "trips": trips / updates,
        "statements": statements / updates,
    }


def main() -> None:
    print(json.dumps(asyncio.run(count(cases.Case(**json.loads(sys.argv[1])))), indent=2))


if __name__ == "__main__":
    main()

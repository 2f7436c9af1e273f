"""Reads of appeals on PostgreSQL: a status lookup and a page of «Мои обращения».

``python -m benchmarks.postgres_reads [--reads N]`` files 50 appeals with an attachment
each in a fresh schema of the test server (``POSTGRES_URL`` or the default), then times
``get_by_number`` N times (and a page of five with every third) and prints one JSON
line: the process's CPU (asyncpg's decoding included) and the wall time per lookup.
The server runs on this machine, so a round trip costs
tens of microseconds, not a network's milliseconds: what a statement fewer saves
is larger between machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from bot.domain.models import AppealType, Attachment, NewAppeal
from bot.storage.postgres.appeals import PostgresAppealRepository
from bot.storage.postgres.database import PostgresDatabase
from testkit.services import fresh_services

APPEALS = 50
CITIZENS = 5
WARM_UP = 200


async def measure(reads: int) -> dict[str, float]:
    async with fresh_services() as fresh:
        database = PostgresDatabase(fresh.database_url)
        await database.connect()
        try:
            repository = PostgresAppealRepository(database)
            start = datetime(2026, 12, 1, tzinfo=UTC)
            numbers = []
            for n in range(APPEALS):
                appeal = await repository.create(
                    NewAppeal(
                        citizen_id=n % CITIZENS,
                        chat_id=n % CITIZENS,
                        type=AppealType.COMPLAINT,
                        fields={"description": f"обращение {n}"},
                        attachments=[Attachment("photo", f"F{n}", f"U{n}")],
                    ),
                    start + timedelta(minutes=n),
                )
                numbers.append(appeal.number)
            for n in range(WARM_UP):
                await repository.get_by_number(numbers[n % APPEALS])
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(reads):
                await repository.get_by_number(numbers[n % APPEALS])
                if n % 3 == 0:
                    await repository.list_for_citizen(n % CITIZENS, 5, 0)
            return {
                "reads": reads,
                "cpu_us_per_lookup": (time.process_time() - cpu) / reads * 1e6,
                "wall_us_per_lookup": (time.perf_counter() - wall) / reads * 1e6,
            }
        finally:
            await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=3000)
    print(json.dumps(asyncio.run(measure(parser.parse_args().reads))))


if __name__ == "__main__":
    main()

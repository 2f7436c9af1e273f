"""A database that already holds an archive of appeals (1,000,000 by default).

Building a million appeals takes a while, so each size is built once into a
template file under the work directory and copied for every measured case.
The template's name carries the schema version, so a new migration rebuilds it.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.workload import FIRST_CITIZEN_ID
from bot.domain.models import AppealStatus, AppealType, ArchivedAppeal
from bot.storage.sqlite.appeals import format_appeal_number
from bot.storage.sqlite.archive import import_archive
from bot.storage.sqlite.database import Database, latest_schema_version

ARCHIVE_FIRST_YEAR = 2015
PER_YEAR = 200_000  # six-digit numbers: at most 999,999 a year
APPEALS_PER_OWNER = 10  # the first citizens own ten archived appeals each
_CHUNK = 50_000
_STATUSES = (
    (AppealStatus.CLOSED,) * 6
    + (AppealStatus.ANSWERED,) * 2
    + (AppealStatus.IN_PROGRESS, AppealStatus.NEW)
)
_TYPES = tuple(AppealType)


def archived_number(index: int) -> str:
    year, sequence = divmod(index, PER_YEAR)
    return format_appeal_number(ARCHIVE_FIRST_YEAR + year, sequence + 1)


def random_archived_number(count: int, generator: random.Random) -> str | None:
    return archived_number(generator.randrange(count)) if count else None


def archive_owners(count: int, per_owner: int = APPEALS_PER_OWNER) -> int:
    """How many simulated citizens (the first ones) own the archived appeals."""
    return max(1, count // per_owner)


def _archive(count: int, per_owner: int) -> Iterator[ArchivedAppeal]:
    generator = random.Random(2015)
    owners = archive_owners(count, per_owner)
    for index in range(count):
        year = ARCHIVE_FIRST_YEAR + index // PER_YEAR
        created = datetime(year, 1, 1, tzinfo=UTC) + timedelta(seconds=(index % PER_YEAR) * 150)
        status = _STATUSES[generator.randrange(len(_STATUSES))]
        owner = FIRST_CITIZEN_ID + index % owners
        yield ArchivedAppeal(
            number=archived_number(index),
            citizen_id=owner,
            chat_id=owner,
            type=_TYPES[index % len(_TYPES)],
            status=status,
            fields={"topic": "Обращение из архива", "description": f"Архивная запись {index}"},
            created_at=created,
            closed_at=created + timedelta(days=3) if status == AppealStatus.CLOSED else None,
        )


async def template(workdir: Path, appeals: int, per_owner: int = APPEALS_PER_OWNER) -> Path:
    """The template database holding ``appeals`` archived appeals (built if missing),
    ``per_owner`` of them for each of the first citizens."""
    path = workdir / f"archive-v{latest_schema_version()}-{appeals}x{per_owner}.sqlite3"
    if path.exists():
        return path
    building = path.with_suffix(".building")
    for leftover in workdir.glob(building.name + "*"):
        leftover.unlink()
    database = Database(building)
    await database.connect()
    try:
        chunk: list[ArchivedAppeal] = []
        for appeal in _archive(appeals, per_owner):
            chunk.append(appeal)
            if len(chunk) == _CHUNK:
                await import_archive(database, chunk)
                chunk = []
        if chunk:
            await import_archive(database, chunk)
        await database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await database.close()
    building.rename(path)
    return path


def copy_template(source: Path, target: Path) -> None:
    """A private copy, flushed to disk before the measurement starts.

    Otherwise the first WAL checkpoint's fsync would write back the whole
    fresh copy (hundreds of MiB) in the middle of the measured run.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    with open(target, "rb+") as copy:
        os.fsync(copy.fileno())

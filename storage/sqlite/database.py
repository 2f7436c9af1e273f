"""One SQLite database shared by the FSM storage and the repositories.

aiosqlite runs a single connection in a worker thread. Several handlers run
concurrently on it, so every statement and every transaction is serialised by
one asyncio lock: a transaction of one handler never interleaves with the
statements of another. The bot is the database's only writer.

Each call into aiosqlite is a round trip to its thread, which costs more than
the bot's statements themselves (index lookups and small writes), so the code
here makes as few as it can: a read is one trip (``execute_fetchall``), a
write is one trip (its cursor is not closed separately: a finished statement
holds nothing), and small writes of concurrent handlers share a transaction
(:meth:`Database.commit_grouped`, a group commit): each caller returns once
the commit that holds its statements is done, and the many handlers waiting
pay for one BEGIN and one COMMIT.

Commits in WAL mode with ``synchronous=NORMAL`` only append to the log; the
fsyncs happen when a checkpoint copies the log into the database file. SQLite
would do that inside whichever commit crosses 1,000 pages, and every
statement queued behind that commit would wait for the disk (measured: p99
latency 49 ms instead of 3 ms at 300 updates/s). So the bot's connection never
checkpoints; a background task does it every second on a connection of its
own, in a thread (PASSIVE: it never blocks the bot's writes).

How far a commit is kept is the ``durability`` (the ``DURABILITY`` setting).
``full`` (``synchronous=FULL``): the log is fsynced at every commit, before
the caller goes on, so what the citizen was told (an appeal's number)
survives a power failure. The group commit makes that cheap: the handlers
whose writes share a commit share its fsync, and while one fsync runs in
aiosqlite's thread the next group gathers. ``process``
(``synchronous=NORMAL``): a commit survives a crash of the bot process (the
log is in the operating system's hands once written); a power failure may
lose the last commits.

Once the file exists, connections open it without the right to create it
(``mode=rw``): a file deleted under the running bot is not silently replaced
by an empty one. Before every statement, and every second in the
checkpointer, the file at the path is checked to still be the one opened
(device and inode); a file deleted or replaced, or SQLite reporting the file
corrupt, is a :class:`StorageFault`: every later statement fails with it, and
:meth:`Database.wait_for_fault` tells the application to stop.

Erased personal data must not outlive its erasure on disk. Every connection
runs with ``secure_delete``, so a deleted or overwritten value and a freed
page are zeroed, not left behind as free space; and after an erasure
:meth:`Database.truncate_log` copies the log into the database file and
empties it, because the log keeps every earlier version of the pages it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from bot.storage.faults import FaultEpisode, FaultKind, StorageFault
from bot.storage.sqlite.batching import Batches, settle

logger = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
Statement = tuple[str, Params]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
CHECKPOINT_INTERVAL = 1.0  # seconds between WAL checkpoints in the background
CHECKPOINT_MAX_BACKOFF = 60.0  # seconds between tries while checkpoints keep failing
_CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

FileIdentity = tuple[int, int]  # device, inode

Durability = Literal["full", "process"]
# SQLite's ``synchronous`` for each durability (see the module's docstring).
SYNCHRONOUS: dict[str, str] = {"full": "FULL", "process": "NORMAL"}


def is_corruption(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _CORRUPTION_CODES


BUSY_TIMEOUT_MS = 5000
TRUNCATE_ATTEMPTS = 50
TRUNCATE_PAUSE = 0.1  # seconds between attempts: about 5 s in all


class Transaction:
    """Statements run inside one open transaction (see :meth:`Database.transaction`)."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the row id it inserted (or 0)."""
        cursor = await self._connection.execute(sql, params)
        return cursor.lastrowid or 0

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._connection.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        rows = await self._connection.execute_fetchall(sql, params)
        return list(rows)


class Database:
    """Connection, pragmas, migrations and serialised access to one SQLite file."""

    def __init__(self, path: Path | str, *, durability: Durability = "full") -> None:
        if durability not in SYNCHRONOUS:
            raise ValueError(f"durability must be one of {sorted(SYNCHRONOUS)}: {durability!r}")
        self.path = Path(path)
        self.durability = durability
        self._connection: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._groups: Batches[Sequence[Statement], None] = Batches(self._commit_group)
        self._checkpointer: asyncio.Task[None] | None = None
        # Metrics (bot/observability): called with an operation's name and its seconds.
        self.observe: Callable[[str, float], None] | None = None
        self._identity: FileIdentity | None = None
        self._fault: StorageFault | None = None
        self._faulted = asyncio.Event()
        # A checkpoint fails at once while another one runs: ours take turns.
        self._checkpointing = asyncio.Lock()
        self._truncation_owed = False  # an erasure's truncation is still to be done

    @property
    def _in_memory(self) -> bool:
        return str(self.path) == ":memory:"

    async def connect(self, *, verify: bool = False) -> None:
        """Open (and on first use create) the file and migrate it.

        ``verify``: run ``PRAGMA quick_check`` first (the bot's start-up).
        A corrupt file raises :class:`StorageFault`.
        """
        if self._in_memory:
            connection = await aiosqlite.connect(":memory:", isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            create = not self.path.exists()
            connection = await aiosqlite.connect(
                _uri(self.path, create=create), uri=True, isolation_level=None
            )
            self._identity = _identity(self.path)
        try:
            await self._prepare(connection, verify=verify)
        except BaseException as error:
            self._connection = None
            await connection.close()
            if isinstance(error, sqlite3.DatabaseError) and is_corruption(error):
                raise StorageFault(FaultKind.CORRUPT, self.path, str(error)) from None
            raise
        if not self._in_memory:
            self._checkpointer = asyncio.create_task(self._checkpoint_periodically())

    async def _prepare(self, connection: aiosqlite.Connection, *, verify: bool) -> None:
        connection.row_factory = sqlite3.Row
        if verify:
            problems = [row[0] for row in await connection.execute_fetchall("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StorageFault(FaultKind.CORRUPT, self.path, "; ".join(problems[:3]))
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute(f"PRAGMA synchronous={SYNCHRONOUS[self.durability]}")
        await connection.execute("PRAGMA foreign_keys=ON")
        await connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA secure_delete=ON")
        self._connection = connection
        await self.migrate()
        if not self._in_memory:
            await connection.execute("PRAGMA wal_autocheckpoint=0")

    async def wait_for_fault(self) -> StorageFault:
        """Return once the database is found lost or corrupt (see :class:`StorageFault`)."""
        await self._faulted.wait()
        assert self._fault is not None
        return self._fault

    def _record_fault(self, fault: StorageFault) -> StorageFault:
        """The first fault found is the one reported; every later statement fails with it."""
        if self._fault is None:
            self._fault = fault
            self._faulted.set()
        return self._fault

    def _check_usable(self) -> None:
        if self._fault is not None:
            raise self._fault
        if self._identity is not None and _identity(self.path) != self._identity:
            raise self._record_fault(
                StorageFault(
                    FaultKind.LOST, self.path, "the file was deleted or replaced while in use"
                )
            )

    @asynccontextmanager
    async def _access(self, operation: str) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, exclusively; refused once the file is lost, watched for corruption.

        ``operation`` names it for :attr:`observe`, which gets the seconds it took, the wait
        for the lock included (that wait is what handlers feel).
        """
        started = time.perf_counter()
        try:
            async with self._lock:
                self._check_usable()
                try:
                    yield self.connection
                except sqlite3.DatabaseError as error:
                    if is_corruption(error):
                        raise self._record_fault(
                            StorageFault(FaultKind.CORRUPT, self.path, str(error))
                        ) from error
                    raise
        finally:
            if self.observe is not None:
                self.observe(operation, time.perf_counter() - started)

    async def close(self) -> None:
        await self._groups.drain()
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
            self._checkpointer = None
        if self._connection is not None:
            async with self._lock:
                await self._connection.close()
                self._connection = None

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise RuntimeError("Database is not connected: call connect() first")
        return self._connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """An IMMEDIATE transaction: committed on success, rolled back on error."""
        async with self._access("transaction") as connection:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(connection)
                await connection.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself failed (a deferred constraint): the
                # transaction is still open then and would block the next BEGIN.
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Transaction]:
        """Several reads that see one state of the database, without a write lock.

        The bot is the only writer and every write holds the same asyncio lock,
        so nothing changes between the reads of this block.
        """
        async with self._access("read") as connection:
            yield Transaction(connection)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._access("read") as connection:
            rows = await connection.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._access("read") as connection:
            return await Transaction(connection).fetchall(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own (autocommit) transaction."""
        async with self._access("write") as connection:
            return await Transaction(connection).execute(sql, params)

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own (autocommit) transaction; return the rows it changed."""
        async with self._access("write") as connection:
            return await Transaction(connection).execute_rowcount(sql, params)

    async def _checkpoint_periodically(self) -> None:
        trouble = FaultEpisode(
            logger,
            "WAL checkpoint",
            first_delay=CHECKPOINT_INTERVAL,
            max_delay=CHECKPOINT_MAX_BACKOFF,
        )
        pause = CHECKPOINT_INTERVAL
        while True:
            await asyncio.sleep(pause)
            try:
                # Also notices a lost file while the bot is idle.
                self._check_usable()
                async with self._checkpointing:
                    await asyncio.to_thread(_checkpoint, self.path)
                if self._truncation_owed and await self._truncate_once():
                    self._truncation_owed = False
                    logger.info("WAL truncated at last: erased data is gone from it")
            except StorageFault:
                return
            except sqlite3.Error as error:
                if is_corruption(error):
                    self._record_fault(StorageFault(FaultKind.CORRUPT, self.path, str(error)))
                    return
                pause = trouble.failed(error)
            else:
                trouble.succeeded()
                pause = CHECKPOINT_INTERVAL

    async def truncate_log(self) -> bool:
        """Copy the whole log into the database file and empty the log; False if not yet.

        A TRUNCATE checkpoint needs every reader to have moved past the log's
        old pages. The bot's own connection is idle while it holds the lock,
        but another process (a backup) may be reading: rather than stall the
        bot behind it, each attempt gives up at once and the next one comes
        after a pause. After a bounded number of attempts the background
        checkpoint takes over and tries again every time it runs.
        """
        if self._in_memory:
            return True
        for _ in range(TRUNCATE_ATTEMPTS):
            if await self._truncate_once():
                self._truncation_owed = False
                return True
            await asyncio.sleep(TRUNCATE_PAUSE)
        self._truncation_owed = True
        logger.warning(
            "WAL not truncated: readers kept it busy for %.1f s;"
            " the background checkpoint keeps trying",
            TRUNCATE_ATTEMPTS * TRUNCATE_PAUSE,
        )
        return False

    async def _truncate_once(self) -> bool:
        async with self._checkpointing, self._access("truncate_log") as connection:
            await connection.execute("PRAGMA busy_timeout=0")
            try:
                rows = await connection.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        busy = next(iter(rows))[0]
        return not busy

    async def commit_grouped(self, statements: Sequence[Statement]) -> None:
        """Run the statements in the next group commit; return once it is committed.

        The statements of one call are atomic. The commit runs when the event
        loop next gets to it, so the calls of all handlers that wrote in the
        meantime (or while a transaction held the database) share it. If a
        shared transaction fails, each call is retried in a transaction of its
        own, so one caller's error never fails another's statements.
        """
        await self._groups.submit(statements)

    async def _commit_group(
        self, group: list[tuple[Sequence[Statement], asyncio.Future[None]]]
    ) -> None:
        try:
            await self._commit([s for statements, _ in group for s in statements])
        except Exception as error:  # noqa: BLE001 - handed to the callers below
            if len(group) == 1:
                settle(group[0][1], error=error)
            else:
                await self._commit_one_by_one(group)
        else:
            for _, done in group:
                settle(done)

    async def _commit_one_by_one(
        self, group: list[tuple[Sequence[Statement], asyncio.Future[None]]]
    ) -> None:
        for statements, done in group:
            try:
                await self._commit(statements)
            except Exception as error:  # noqa: BLE001 - handed to its caller
                settle(done, error=error)
            else:
                settle(done)

    async def _commit(self, statements: Sequence[Statement]) -> None:
        if len(statements) == 1:
            # A statement alone is atomic in autocommit mode: one trip to the
            # thread instead of three (BEGIN, the statement, COMMIT).
            await self.execute(*statements[0])
            return
        async with self.transaction() as tx:
            # In order; runs of the same statement go to SQLite in one call.
            for sql, run in itertools.groupby(statements, key=itemgetter(0)):
                await tx.executemany(sql, [params for _, params in run])

    async def migrate(self) -> list[int]:
        """Apply every numbered migration not yet recorded; return the versions applied."""
        connection = self.connection
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        applied = {
            row[0]
            for row in await connection.execute_fetchall("SELECT version FROM schema_migrations")
        }
        done: list[int] = []
        for version, name, script in _available_migrations():
            if version in applied:
                continue
            # Foreign keys are off while a migration runs, as SQLite prescribes for
            # rebuilding a table that others refer to (the only way to change a CHECK),
            # and checked before it commits. executescript() commits first, so the
            # BEGIN inside the script makes the migration and its record one step.
            await connection.execute("PRAGMA foreign_keys=OFF")
            try:
                await connection.executescript(
                    "BEGIN IMMEDIATE;\n"
                    f"{script}\n;"
                    f"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}');"
                )
                if await connection.execute_fetchall("PRAGMA foreign_key_check"):
                    raise sqlite3.IntegrityError(
                        f"migration {version:04d}_{name} breaks a foreign key"
                    )
                await connection.execute("COMMIT")
            finally:
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                await connection.execute("PRAGMA foreign_keys=ON")
            logger.info("Applied migration %04d_%s", version, name)
            done.append(version)
        return done

    async def backup(self, target: Path | str) -> None:
        """A consistent online copy through SQLite's backup API."""
        target_path = Path(target)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        async with (
            self._access("backup") as connection,
            aiosqlite.connect(target_path) as destination,
        ):
            await connection.backup(destination)


def _uri(path: Path, *, create: bool) -> str:
    return f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"


def _identity(path: Path) -> FileIdentity | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _checkpoint(path: Path) -> None:
    """Copy the log into the database file (PASSIVE: never waits for nor blocks writers)."""
    connection = sqlite3.connect(_uri(path, create=False), uri=True)
    try:
        connection.execute("PRAGMA secure_delete=ON")  # on every connection: none leaves freed data
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()


def latest_schema_version() -> int:
    """The version the database has once every migration is applied."""
    return max(version for version, _, _ in _available_migrations())


def _available_migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)

"""A fault that repeats (a full disk) gives one log line when it starts and one when it
clears, with backoff in between, not a traceback per try."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.services.outbox import OutboxSender
from bot.storage.faults import FaultEpisode
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase, failing_writes
from tests.desk_helpers import file_consultation


@pytest.mark.errors_expected
def test_an_episode_logs_its_start_and_its_end_and_backs_off_in_between(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.episode")
    now = [100.0]
    episode = FaultEpisode(logger, "Work", first_delay=0.5, max_delay=4.0, clock=lambda: now[0])
    caplog.set_level(logging.DEBUG, logger="tests.episode")

    delays = [episode.failed(OSError("disk full")) for _ in range(6)]
    now[0] += 12.5
    episode.succeeded()
    episode.succeeded()

    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    shown = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert [record.getMessage() for record in shown] == [
        "Work failed: OSError: disk full; retrying with backoff up to 4 s, quietly until it works",
        "Work works again after 6 failed tries in 12.5 s",
    ]
    assert all(record.exc_info is None for record in shown)  # no traceback at INFO and above


@pytest.mark.errors_expected
async def test_the_outbox_on_a_full_disk_logs_once_backs_off_and_says_when_it_clears(
    harness: BotHarness,
    group: int,
    citizen: Person,
    database: BotDatabase,
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness.auto_deliver = False
    await file_consultation(harness, citizen)
    sender: OutboxSender = harness.dispatcher["outbox_sender"]
    caplog.set_level(logging.INFO, logger="bot.services.outbox")
    # A real database failure on every write to the outbox while reads go on.
    async with failing_writes(database, "outbox", "UPDATE") as error:
        sender.start(harness.bot)
        await asyncio.sleep(2.0)  # dozens of tries without backoff, a traceback each
        during = [record for record in caplog.records if record.name == "bot.services.outbox"]
    await harness.send(citizen, "Дополнение")  # a new row wakes the sender from its pause
    for _ in range(100):
        statuses = {row[0] for row in await database.fetchall("SELECT status FROM outbox")}
        if statuses == {"delivered"}:
            break
        await asyncio.sleep(0.05)
    await sender.stop()

    assert [record.getMessage() for record in during] == [
        (
            f"Outbox delivery failed: {error}: database or disk is full;"
            " retrying with backoff up to 60 s, quietly until it works"
        )
    ]
    assert during[0].exc_info is None
    records = [record for record in caplog.records if record.name == "bot.services.outbox"]
    assert len(records) == 2, [record.getMessage() for record in records]
    cleared = re.fullmatch(
        r"Outbox delivery works again after (\d+) failed tries in [\d.]+ s", records[1].getMessage()
    )
    assert cleared is not None, records[1].getMessage()
    # Two passes in the 2 s (the first pause 1 s, the next 4 s), each counting the failure of
    # its row and its own.
    assert 2 <= int(cleared.group(1)) <= 6
    assert statuses == {"delivered"}

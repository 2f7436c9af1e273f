"""Claims of the outbox: each due row to one sender, each lane in order (both backends);
two senders in two processes at once (PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.domain.models import (
    AppealChange,
    AppealType,
    Audience,
    NewAppeal,
    NewOutboxMessage,
    OutboxKind,
)
from bot.storage.postgres.appeals import PostgresAppealRepository
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.desk import PostgresDeskRepository
from bot.storage.postgres.outbox import PostgresOutboxRepository
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


def operators_message(text: str) -> NewOutboxMessage:
    return NewOutboxMessage(
        Audience.OPERATORS, OutboxKind.MESSAGE, {"method": "sendMessage", "params": {"text": text}}
    )


async def lanes(store: Store, *texts_per_lane: tuple[str, ...]) -> list[int]:
    """One appeal per lane, its operators' messages queued in order; the appeals' ids."""
    ids = []
    for n, texts in enumerate(texts_per_lane):
        appeal = await store.appeals.create(NewAppeal(n, n, AppealType.TECHNICAL, {}), NOW)
        await store.desk.apply(
            [AppealChange(appeal.id, outbox=tuple(operators_message(text) for text in texts))], NOW
        )
        ids.append(appeal.id)
    return ids


def texts(items: list) -> list[str]:
    return [item.payload["params"]["text"] for item in items]


async def test_a_claim_takes_the_first_due_row_of_each_lane_oldest_first(store: Store) -> None:
    await lanes(store, ("a1", "a2"), ("b1",), ("c1", "c2"))
    [_, b1, _] = await store.outbox.due(NOW, 10)
    await store.outbox.postpone(b1.id, NOW + timedelta(seconds=30), "flood control")

    assert texts(await store.outbox.claim("one", NOW, 1, LEASE)) == ["a1"]
    assert texts(await store.outbox.claim("two", NOW, 10, LEASE)) == ["c1"]  # b1 waits
    assert await store.outbox.claim("two", NOW, 10, LEASE) == []


async def test_a_claimed_row_is_nobodys_else_until_its_lease_runs_out(store: Store) -> None:
    await lanes(store, ("a1", "a2"))
    [claimed] = await store.outbox.claim("one", NOW, 10, LEASE)

    assert await store.outbox.claim("one", NOW, 10, LEASE) == []  # not even its own again
    assert await store.outbox.claim("two", NOW + timedelta(seconds=59), 10, LEASE) == []
    assert await store.outbox.next_due() == NOW + LEASE
    # Its claimer died: the row goes to another once the lease has run out; a2 still waits.
    [again] = await store.outbox.claim("two", NOW + LEASE, 10, LEASE)
    assert again.id == claimed.id


async def test_the_lanes_next_row_waits_for_the_delivery_of_the_claimed_one(
    store: Store,
) -> None:
    await lanes(store, ("a1", "a2", "a3"))
    [a1] = await store.outbox.claim("one", NOW, 10, LEASE)
    assert await store.outbox.claim("two", NOW, 10, LEASE) == []

    assert await store.outbox.mark_delivered(a1.id, NOW, 501)
    [a2] = await store.outbox.claim("two", NOW, 10, LEASE)
    await store.outbox.mark_failed(a2.id, NOW, "refused")
    assert texts(await store.outbox.claim("one", NOW, 10, LEASE)) == ["a3"]


async def test_postponing_ends_the_lease_and_sets_the_next_try(store: Store) -> None:
    await lanes(store, ("a1",))
    [a1] = await store.outbox.claim("one", NOW, 10, LEASE)
    later = NOW + timedelta(seconds=5)

    await store.outbox.postpone(a1.id, later, "429")

    assert await store.outbox.next_due() == later
    assert await store.outbox.claim("two", NOW, 10, LEASE) == []
    [retried] = await store.outbox.claim("two", later, 10, LEASE)
    assert (retried.id, retried.attempts) == (a1.id, 1)


async def test_a_sender_stopping_releases_its_claims(store: Store) -> None:
    await lanes(store, ("a1",), ("b1",))
    await store.outbox.claim("stopping", NOW, 1, LEASE)
    await store.outbox.claim("staying", NOW, 1, LEASE)

    assert await store.outbox.release("stopping") == 1

    assert texts(await store.outbox.claim("other", NOW, 10, LEASE)) == ["a1"]


# --- two processes at once (PostgreSQL) ----------------------------------------------------


async def postgres_lanes(database: PostgresDatabase, lanes_count: int, per_lane: int) -> list[int]:
    appeal_ids = [
        (
            await PostgresAppealRepository(database).create(
                NewAppeal(n, n, AppealType.TECHNICAL, {}), NOW
            )
        ).id
        for n in range(lanes_count)
    ]
    await PostgresDeskRepository(database).apply(
        [
            AppealChange(
                appeal_id,
                outbox=tuple(operators_message(f"{appeal_id}:{k}") for k in range(per_lane)),
            )
            for appeal_id in appeal_ids
        ],
        NOW,
    )
    return appeal_ids


async def test_two_senders_never_take_one_row_and_keep_each_lanes_order(
    processes: list[PostgresDatabase],
) -> None:
    lanes_count, per_lane = 12, 6
    appeal_ids = await postgres_lanes(processes[0], lanes_count, per_lane)
    delivered: list[tuple[str, int, str]] = []  # (sender, row id, text), in delivery order
    behind: list[int] = []  # rows claimed while an earlier row of their lane was pending

    async def sender(name: str, database: PostgresDatabase) -> None:
        outbox = PostgresOutboxRepository(database)
        idle = 0
        while idle < 3:
            batch = await outbox.claim(name, NOW, 4, timedelta(minutes=5))
            if not batch:
                idle += 1
                await asyncio.sleep(0.01)
                continue
            idle = 0
            # Nothing turns pending again, so a right claim passes this check whenever it
            # runs; a wrong one is caught while the other sender still holds the row.
            behind.extend(
                row["id"]
                for row in await database.pool.fetch(
                    "SELECT o.id FROM outbox AS o WHERE o.id = ANY($1::bigint[]) AND EXISTS ("
                    " SELECT 1 FROM outbox AS e WHERE e.lane = o.lane AND e.id < o.id"
                    " AND e.status = 'pending')",
                    [item.id for item in batch],
                )
            )
            for item in batch:
                await asyncio.sleep(0.002)  # the other sender claims meanwhile
                assert await outbox.mark_delivered(item.id, NOW, item.id)
                delivered.append((name, item.id, item.payload["params"]["text"]))

    await asyncio.gather(sender("process-a", processes[0]), sender("process-b", processes[1]))

    assert behind == []
    ids = [row_id for _, row_id, _ in delivered]
    assert len(ids) == len(set(ids)) == lanes_count * per_lane  # every row once
    for appeal_id in appeal_ids:
        lane_texts = [text for _, _, text in delivered if text.startswith(f"{appeal_id}:")]
        assert lane_texts == [f"{appeal_id}:{k}" for k in range(per_lane)]
    assert {name for name, _, _ in delivered} == {"process-a", "process-b"}


async def test_claims_racing_for_the_same_rows_split_them(
    processes: list[PostgresDatabase],
) -> None:
    appeal_ids = await postgres_lanes(processes[0], 40, 2)
    outboxes = [PostgresOutboxRepository(database) for database in processes]

    batches = await asyncio.gather(
        *(outboxes[n % 2].claim(f"claimer-{n}", NOW, 10, timedelta(minutes=5)) for n in range(8))
    )

    claimed = [item for batch in batches for item in batch]
    assert len(claimed) == len({item.id for item in claimed}) == 40  # the lanes' heads, once
    assert {item.appeal_id for item in claimed} == set(appeal_ids)

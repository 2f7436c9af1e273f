from datetime import timedelta

from bot.domain.clock import ManualClock
from bot.domain.models import (
    SYSTEM,
    AppealChange,
    AppealStatus,
    AppealType,
    Audience,
    EventKind,
    MessageRef,
    NewAppeal,
    NewEvent,
    NewOutboxMessage,
    OutboxKind,
)
from bot.storage.sqlite.appeals import SQLiteAppealRepository
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.desk import SQLiteDeskRepository
from bot.storage.sqlite.outbox import SQLiteOutboxRepository
from bot.storage.sqlite.templates import SQLiteTemplateRepository


def message(text: str) -> NewOutboxMessage:
    return NewOutboxMessage(Audience.OPERATORS, OutboxKind.MESSAGE,
                            {"method": "sendMessage", "params": {"text": text}})


async def new_appeal(database: Database, clock: ManualClock, citizen_id: int = 1) -> int:
    appeal = await SQLiteAppealRepository(database).create(
        NewAppeal(citizen_id, citizen_id, AppealType.CONSULTATION, {"topic": "t"}), clock.now())
    return appeal.id


async def test_migration_0002_is_recorded(database: Database) -> None:
    rows = await database.fetchall("SELECT version, name FROM schema_migrations")
    assert (2, "operator_desk") in [tuple(row) for row in rows]
    tables = {row[0] for row in await database.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"outbox", "appeal_events", "appeal_threads", "reply_templates",
            "citizen_flags"} <= tables


async def test_lanes_deliver_in_order_and_independently(database: Database,
                                                        clock: ManualClock) -> None:
    desk, outbox = SQLiteDeskRepository(database), SQLiteOutboxRepository(database)
    first, second = await new_appeal(database, clock), await new_appeal(database, clock, 2)
    await desk.apply([AppealChange(first, outbox=(message("a1"), message("a2"))),
                      AppealChange(second, outbox=(message("b1"),))], clock.now())
    heads = await outbox.due(clock.now(), 10)
    assert [item.payload["params"]["text"] for item in heads] == ["a1", "b1"]

    # a1 must wait: a2 waits behind it, b1 does not.
    await outbox.postpone(heads[0].id, clock.now() + timedelta(seconds=5), "later")
    assert [item.payload["params"]["text"] for item in await outbox.due(clock.now(), 10)] == [
        "b1"]
    assert await outbox.next_due() == clock.now()
    await outbox.mark_failed(heads[0].id, clock.now(), "refused")
    assert [item.payload["params"]["text"] for item in await outbox.due(clock.now(), 10)] == [
        "a2", "b1"]


async def test_a_row_is_marked_delivered_once_and_fills_in_its_copy(
    database: Database, clock: ManualClock
) -> None:
    desk, outbox = SQLiteDeskRepository(database), SQLiteOutboxRepository(database)
    appeal_id = await new_appeal(database, clock)
    await desk.apply([AppealChange(appeal_id, outbox=(message("hi"),), events=(
        NewEvent(EventKind.CITIZEN_MESSAGE, SYSTEM, origin=MessageRef(1, 10), outbox_index=0),
    ))], clock.now())
    [item] = await outbox.due(clock.now(), 10)
    assert await outbox.mark_delivered(item.id, clock.now(), 77, MessageRef(-100, 77))
    assert not await outbox.mark_delivered(item.id, clock.now(), 78, MessageRef(-100, 78))
    found = await desk.find_by_message(MessageRef(-100, 77))
    assert found is not None and found[1].origin == MessageRef(1, 10)
    assert await desk.find_by_message(MessageRef(-100, 78)) is None
    assert await outbox.pending() == []


async def test_a_refused_guard_leaves_no_trace(database: Database, clock: ManualClock) -> None:
    desk = SQLiteDeskRepository(database)
    appeal_id = await new_appeal(database, clock)
    [refused] = await desk.apply([AppealChange(
        appeal_id, allowed_statuses=frozenset({AppealStatus.IN_PROGRESS}),
        status=AppealStatus.CLOSED, events=(NewEvent(EventKind.CLOSED, SYSTEM),),
        outbox=(message("closed"),),
    )], clock.now())
    assert refused is None
    assert await desk.events(appeal_id) == []
    assert await SQLiteOutboxRepository(database).pending() == []
    appeal = await desk.get(appeal_id)
    assert appeal is not None and appeal.status == AppealStatus.NEW


async def test_rating_only_once(database: Database, clock: ManualClock) -> None:
    desk = SQLiteDeskRepository(database)
    appeal_id = await new_appeal(database, clock)
    assert (await desk.apply([AppealChange(appeal_id, rating_comment="рано")], clock.now())) == [
        None]
    [rated] = await desk.apply([AppealChange(appeal_id, rating=4)], clock.now())
    assert rated is not None and rated.rating == 4
    assert await desk.apply([AppealChange(appeal_id, rating=1)], clock.now()) == [None]


async def test_templates_are_unique_regardless_of_case(database: Database,
                                                       clock: ManualClock) -> None:
    templates = SQLiteTemplateRepository(database)
    assert await templates.add("Ёлка", "текст", 1, clock.now()) is not None
    assert await templates.add("ЕЛКА", "другой", 1, clock.now()) is None
    assert [item.text for item in await templates.all()] == ["текст"]
    assert await templates.delete("ёлка")
    assert not await templates.delete("ёлка")

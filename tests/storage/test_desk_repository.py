"""The operator desk's storage: atomic changes, lanes of the outbox, templates (both backends)."""

from datetime import timedelta

from bot.domain.clock import ManualClock
from bot.domain.models import (
    SYSTEM,
    Actor,
    AppealChange,
    AppealStatus,
    AppealThread,
    AppealType,
    Audience,
    CitizenFlags,
    EventKind,
    MessageAuthor,
    MessageRef,
    NewAppeal,
    NewEvent,
    NewOutboxMessage,
    OutboxKind,
)
from bot.storage.sqlite.database import Database
from tests.storage.conftest import Store


def message(text: str) -> NewOutboxMessage:
    return NewOutboxMessage(
        Audience.OPERATORS, OutboxKind.MESSAGE, {"method": "sendMessage", "params": {"text": text}}
    )


async def new_appeal(store: Store, clock: ManualClock, citizen_id: int = 1) -> int:
    appeal = await store.appeals.create(
        NewAppeal(citizen_id, citizen_id, AppealType.CONSULTATION, {"topic": "t"}), clock.now()
    )
    return appeal.id


async def test_migration_0002_is_recorded(database: Database) -> None:
    rows = await database.fetchall("SELECT version, name FROM schema_migrations")
    assert (2, "operator_desk") in [tuple(row) for row in rows]
    tables = {
        row[0]
        for row in await database.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {
        "outbox",
        "appeal_events",
        "appeal_threads",
        "reply_templates",
        "citizen_flags",
    } <= tables


async def test_lanes_deliver_in_order_and_independently(store: Store, clock: ManualClock) -> None:
    desk, outbox = store.desk, store.outbox
    first, second = await new_appeal(store, clock), await new_appeal(store, clock, 2)
    await desk.apply(
        [
            AppealChange(first, outbox=(message("a1"), message("a2"))),
            AppealChange(second, outbox=(message("b1"),)),
        ],
        clock.now(),
    )
    heads = await outbox.due(clock.now(), 10)
    assert [item.payload["params"]["text"] for item in heads] == ["a1", "b1"]

    # a1 must wait: a2 waits behind it, b1 does not.
    await outbox.postpone(heads[0].id, clock.now() + timedelta(seconds=5), "later")
    assert [item.payload["params"]["text"] for item in await outbox.due(clock.now(), 10)] == ["b1"]
    assert await outbox.next_due() == clock.now()
    await outbox.mark_failed(heads[0].id, clock.now(), "refused")
    assert [item.payload["params"]["text"] for item in await outbox.due(clock.now(), 10)] == [
        "a2",
        "b1",
    ]


async def test_a_row_is_marked_delivered_once_and_fills_in_its_copy(
    store: Store, clock: ManualClock
) -> None:
    desk, outbox = store.desk, store.outbox
    appeal_id = await new_appeal(store, clock)
    await desk.apply(
        [
            AppealChange(
                appeal_id,
                outbox=(message("hi"),),
                events=(
                    NewEvent(
                        EventKind.CITIZEN_MESSAGE, SYSTEM, origin=MessageRef(1, 10), outbox_index=0
                    ),
                ),
            )
        ],
        clock.now(),
    )
    [item] = await outbox.due(clock.now(), 10)
    assert await outbox.mark_delivered(item.id, clock.now(), 77, MessageRef(-100, 77))
    assert not await outbox.mark_delivered(item.id, clock.now(), 78, MessageRef(-100, 78))
    found = await desk.find_by_message(MessageRef(-100, 77))
    assert found is not None and found[1].origin == MessageRef(1, 10)
    assert await desk.find_by_message(MessageRef(-100, 78)) is None
    assert await outbox.pending() == []


async def test_a_refused_guard_leaves_no_trace(store: Store, clock: ManualClock) -> None:
    desk = store.desk
    appeal_id = await new_appeal(store, clock)
    [refused] = await desk.apply(
        [
            AppealChange(
                appeal_id,
                allowed_statuses=frozenset({AppealStatus.IN_PROGRESS}),
                status=AppealStatus.CLOSED,
                events=(NewEvent(EventKind.CLOSED, SYSTEM),),
                outbox=(message("closed"),),
            )
        ],
        clock.now(),
    )
    assert refused is None
    assert await desk.events(appeal_id) == []
    assert await store.outbox.pending() == []
    appeal = await desk.get(appeal_id)
    assert appeal is not None and appeal.status == AppealStatus.NEW


async def test_rating_only_once(store: Store, clock: ManualClock) -> None:
    desk = store.desk
    appeal_id = await new_appeal(store, clock)
    assert (await desk.apply([AppealChange(appeal_id, rating_comment="рано")], clock.now())) == [
        None
    ]
    [rated] = await desk.apply([AppealChange(appeal_id, rating=4)], clock.now())
    assert rated is not None and rated.rating == 4
    assert await desk.apply([AppealChange(appeal_id, rating=1)], clock.now()) == [None]


async def test_templates_are_unique_regardless_of_case(store: Store, clock: ManualClock) -> None:
    templates = store.templates
    assert await templates.add("Ёлка", "текст", 1, clock.now()) is not None
    assert await templates.add("ЕЛКА", "другой", 1, clock.now()) is None
    assert [item.text for item in await templates.all()] == ["текст"]
    assert await templates.delete("ёлка")
    assert not await templates.delete("ёлка")


async def test_a_transition_is_recorded_on_the_first_event_with_its_history_text(
    store: Store, clock: ManualClock
) -> None:
    appeal_id = await new_appeal(store, clock)
    operator = Actor(MessageAuthor.OPERATOR, 2001, "Ирина")
    [taken] = await store.desk.apply(
        [
            AppealChange(
                appeal_id,
                status=AppealStatus.IN_PROGRESS,
                assignee=operator,
                answered=True,
                events=(
                    NewEvent(EventKind.TAKEN, operator),
                    NewEvent(
                        EventKind.OPERATOR_MESSAGE,
                        operator,
                        text="Смотрю",
                        content={"kind": "text"},
                        history_text="Смотрю",
                    ),
                ),
            )
        ],
        clock.now(),
    )
    clock.advance(minutes=5)
    [reassigned] = await store.desk.apply(
        [
            AppealChange(
                appeal_id,
                assignee=Actor(MessageAuthor.OPERATOR, 2002, "Пётр"),
                answered=True,
            )
        ],
        clock.now(),
    )

    assert taken is not None and taken.status == AppealStatus.IN_PROGRESS
    assert (taken.assignee_id, taken.assignee_name) == (2001, "Ирина")
    assert reassigned is not None and reassigned.assignee_id == 2001  # only when unassigned
    assert reassigned.first_answered_at == taken.first_answered_at
    events = await store.desk.events(appeal_id)
    assert [(event.kind, event.status_before, event.status_after) for event in events] == [
        (EventKind.TAKEN, AppealStatus.NEW, AppealStatus.IN_PROGRESS),
        (EventKind.OPERATOR_MESSAGE, None, None),
    ]
    assert events[1].actor == operator and events[1].content == {"kind": "text"}
    assert await store.desk.event(events[1].id) == events[1]
    assert [
        (message.author, message.text) for message in await store.appeals.messages(appeal_id)
    ] == [(MessageAuthor.OPERATOR, "Смотрю")]


async def test_threads_are_found_by_topic_and_saved_with_their_events(
    store: Store, clock: ManualClock
) -> None:
    appeal_id = await new_appeal(store, clock)
    await store.desk.save_thread(
        AppealThread(appeal_id, -100, 7, 70),
        clock.now(),
        [NewEvent(EventKind.TOPIC_CREATED, SYSTEM)],
    )
    await store.desk.save_thread(AppealThread(appeal_id, -100, 7, 71), clock.now())

    assert await store.desk.thread(appeal_id) == AppealThread(appeal_id, -100, 7, 71)
    found = await store.desk.find_by_topic(-100, 7)
    assert found is not None and found.id == appeal_id
    assert await store.desk.find_by_topic(-100, 8) is None
    assert [event.kind for event in await store.desk.events(appeal_id)] == [EventKind.TOPIC_CREATED]


async def test_every_message_of_an_album_finds_its_appeal(store: Store, clock: ManualClock) -> None:
    appeal_id = await new_appeal(store, clock)
    await store.desk.apply(
        [
            AppealChange(
                appeal_id,
                outbox=(message("album"),),
                events=(
                    NewEvent(
                        EventKind.CITIZEN_MESSAGE, SYSTEM, origin=MessageRef(1, 10), outbox_index=0
                    ),
                ),
            )
        ],
        clock.now(),
    )
    [item] = await store.outbox.due(clock.now(), 10)
    await store.outbox.mark_delivered(item.id, clock.now(), 80, MessageRef(-100, 80), (81, 82))

    first = await store.desk.find_by_message(MessageRef(-100, 80))
    later = await store.desk.find_by_message(MessageRef(-100, 82))
    original = await store.desk.find_by_message(MessageRef(1, 10))
    assert first is not None and first[1] is not None and first[1].copy == MessageRef(-100, 80)
    assert later is not None and later[0].id == appeal_id and later[1] is None
    assert original is not None and original[1] == first[1]
    assert await store.desk.find_by_message(MessageRef(-100, 83)) is None


async def test_open_appeals_flags_and_stats(store: Store, clock: ManualClock) -> None:
    first = await new_appeal(store, clock, citizen_id=1)
    clock.advance(minutes=1)
    second = await new_appeal(store, clock, citizen_id=2)
    third = await new_appeal(store, clock, citizen_id=1)
    clock.advance(minutes=9)
    await store.desk.apply(
        [
            AppealChange(
                first,
                answered=True,
                rating=5,
                status=AppealStatus.CLOSED,
                citizen_banned=True,
                banned_by=2001,
            ),
            AppealChange(third, rating=2, citizen_blocked_bot=True),
        ],
        clock.now(),
    )

    assert [appeal.id for appeal in await store.desk.open_appeals()] == [second, third]
    assert [appeal.id for appeal in await store.desk.open_for_citizen(1)] == [third]
    assert await store.desk.flags(1) == CitizenFlags(1, banned=True, bot_blocked=True)
    assert await store.desk.flags(2) == CitizenFlags(2)
    stats = await store.desk.stats()
    assert stats.by_status == {
        AppealStatus.NEW: 2,
        AppealStatus.IN_PROGRESS: 0,
        AppealStatus.ANSWERED: 0,
        AppealStatus.CLOSED: 1,
    }
    assert stats.by_type == {AppealType.CONSULTATION: 3}
    assert stats.first_answer_seconds == [600.0]
    assert (stats.rating_count, stats.rating_average) == (2, 3.5)
    assert isinstance(stats.rating_average, float)


async def test_templates_are_listed_by_title_and_found_by_id(
    store: Store, clock: ManualClock
) -> None:
    for title in ("Сроки", "адрес", "Zoom", "Ёмкость"):
        await store.templates.add(title, f"текст: {title}", None, clock.now())
    listed = await store.templates.all()
    # Case-folded titles in code point order, on either backend.
    assert [item.title for item in listed] == ["Zoom", "адрес", "Ёмкость", "Сроки"]
    assert await store.templates.get(listed[1].id) == listed[1]
    assert await store.templates.get(10_000) is None

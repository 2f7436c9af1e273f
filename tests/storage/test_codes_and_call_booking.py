"""Verification codes and booked calls, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import (
    AppealChange,
    AppealStatus,
    AppealType,
    CallChange,
    CallStatus,
    CodeStatus,
    NewAppeal,
    SlotClaim,
)
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PHONE = "+79120000001"


async def issue(store: Store, user_id: int, at: datetime, phone: str = PHONE) -> int:
    code = await store.codes.issue(user_id, phone, "hash", "salt", at, at + timedelta(minutes=5))
    return code.id


async def test_a_new_code_supersedes_the_users_active_ones(store: Store) -> None:
    first = await issue(store, 1, NOW)
    second = await issue(store, 1, NOW + timedelta(minutes=1))
    other_user = await issue(store, 2, NOW)

    latest = await store.codes.latest(1, PHONE)
    assert latest is not None and latest.id == second and latest.status == CodeStatus.ACTIVE
    assert latest.expires_at == NOW + timedelta(minutes=6)
    statuses = dict(await store.rows("SELECT id, status FROM verification_codes"))
    assert statuses == {first: "superseded", second: "active", other_user: "active"}


async def test_codes_are_counted_and_found_per_phone(store: Store) -> None:
    await issue(store, 1, NOW)
    await issue(store, 2, NOW + timedelta(minutes=2))
    await issue(store, 3, NOW + timedelta(minutes=3), phone="+79120000002")

    assert await store.codes.count_issued_since(PHONE, NOW + timedelta(minutes=1)) == 1
    assert await store.codes.count_issued_since(PHONE, NOW) == 2
    last = await store.codes.last_issued_for_phone(PHONE)
    assert last is not None and last.user_id == 2
    assert await store.codes.latest(1, "+79120000002") is None


async def test_failures_count_up_and_exhaust_the_code(store: Store) -> None:
    code_id = await issue(store, 1, NOW)
    await store.codes.record_failure(code_id, exhausted=False)
    code = await store.codes.latest(1, PHONE)
    assert code is not None and (code.failed_attempts, code.status) == (1, CodeStatus.ACTIVE)
    await store.codes.record_failure(code_id, exhausted=True)
    code = await store.codes.latest(1, PHONE)
    assert code is not None and (code.failed_attempts, code.status) == (2, CodeStatus.EXHAUSTED)
    await store.codes.mark_used(code_id)
    code = await store.codes.latest(1, PHONE)
    assert code is not None and code.status == CodeStatus.USED


async def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.consents.give(1, "1", datetime(2026, 11, 23, 9, 0))


def callback(citizen_id: int = 5) -> NewAppeal:
    return NewAppeal(citizen_id, citizen_id, AppealType.CALLBACK, {"callback_phone": PHONE})


def slot(hour: int, capacity: int = 1) -> SlotClaim:
    start = NOW.replace(hour=hour) + timedelta(days=1)
    return SlotClaim(start, start + timedelta(minutes=30), capacity)


async def test_a_slot_takes_calls_up_to_its_capacity(store: Store) -> None:
    first = await store.call_booking.book(callback(5), slot(10, capacity=2), NOW)
    second = await store.call_booking.book(callback(6), slot(10, capacity=2), NOW)
    full = await store.call_booking.book(callback(7), slot(10, capacity=2), NOW)

    assert first is not None and second is not None and full is None
    assert first.call is not None and first.call.status == CallStatus.SCHEDULED
    assert first.call.start == slot(10).start
    assert await store.value("SELECT COUNT(*) FROM appeals") == 2  # nothing of the refused one
    window = (slot(9).start, slot(12).start)
    assert await store.call_booking.booked(*window) == [(slot(10).start, slot(10).end)] * 2
    calls = await store.call_booking.calls_between(*window)
    assert [appeal.number for appeal in calls] == [first.number, second.number]


async def test_a_closed_appeals_call_frees_its_slot_and_a_cancelled_one_is_not_listed(
    store: Store,
) -> None:
    booked = await store.call_booking.book(callback(5), slot(10), NOW)
    assert booked is not None
    await store.desk.apply([AppealChange(booked.id, status=AppealStatus.CLOSED)], NOW)
    assert await store.call_booking.book(callback(6), slot(10), NOW) is not None
    assert [
        appeal.citizen_id
        for appeal in await store.call_booking.calls_between(slot(9).start, slot(12).start)
    ] == [5, 6]

    await store.desk.apply(
        [AppealChange(booked.id, call=CallChange(status=CallStatus.CANCELLED))], NOW
    )
    assert [
        appeal.citizen_id
        for appeal in await store.call_booking.calls_between(slot(9).start, slot(12).start)
    ] == [6]


async def test_moving_a_call_is_guarded_by_the_slot_it_was_decided_on_and_by_room(
    store: Store,
) -> None:
    moving = await store.call_booking.book(callback(5), slot(10), NOW)
    await store.call_booking.book(callback(6), slot(11), NOW)
    assert moving is not None

    [stale] = await store.desk.apply(
        [AppealChange(moving.id, call=CallChange(claim=slot(12), expected_start=slot(9).start))],
        NOW,
    )
    [no_room] = await store.desk.apply(
        [AppealChange(moving.id, call=CallChange(claim=slot(11), expected_start=slot(10).start))],
        NOW,
    )
    [moved] = await store.desk.apply(
        [AppealChange(moving.id, call=CallChange(claim=slot(12), expected_start=slot(10).start))],
        NOW + timedelta(minutes=1),
    )

    assert stale is None and no_room is None
    assert moved is not None and moved.call is not None
    assert (moved.call.start, moved.call.end) == (slot(12).start, slot(12).end)


async def test_a_call_is_confirmed_once_and_marked_with_its_result(store: Store) -> None:
    booked = await store.call_booking.book(callback(5), slot(10), NOW)
    assert booked is not None
    later = NOW + timedelta(days=1, hours=2)
    [done] = await store.desk.apply(
        [
            AppealChange(
                booked.id,
                call=CallChange(
                    status=CallStatus.DONE,
                    result="Помогли",
                    marked_by=2001,
                    allowed_statuses=frozenset({CallStatus.SCHEDULED}),
                ),
            )
        ],
        later,
    )
    [again] = await store.desk.apply(
        [
            AppealChange(
                booked.id,
                call=CallChange(
                    status=CallStatus.NOT_REACHED,
                    allowed_statuses=frozenset({CallStatus.SCHEDULED}),
                ),
            )
        ],
        later,
    )
    [confirmed] = await store.desk.apply(
        [AppealChange(booked.id, call=CallChange(confirmed=True))], later
    )
    [twice] = await store.desk.apply(
        [AppealChange(booked.id, call=CallChange(confirmed=True))], later
    )

    assert again is None and twice is None
    assert done is not None and done.call is not None
    assert (done.call.status, done.call.result, done.call.marked_by, done.call.marked_at) == (
        CallStatus.DONE,
        "Помогли",
        2001,
        later,
    )
    assert confirmed is not None and confirmed.call is not None
    assert confirmed.call.confirmed_at == later

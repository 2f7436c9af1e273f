"""Erasure on both backends: every place a value was written, and the destruction record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey

from bot.domain.models import (
    ERASED_VALUE,
    Actor,
    AppealChange,
    AppealStatus,
    AppealThread,
    AppealType,
    Attachment,
    Audience,
    CallChange,
    ErasureReason,
    EventKind,
    MessageAuthor,
    MessageRef,
    NewAppeal,
    NewEvent,
    NewOutboxMessage,
    OutboxKind,
    SlotClaim,
)
from tests.storage.conftest import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CITIZEN = 1001
OTHER = 1002
OPERATORS = -100
SECRET = "Иванова Анна, СНИЛС 112-233-445 95"
PHONE = "+79123456789"
OLD_PHONE = "+79120000001"
OPERATOR = Actor(MessageAuthor.OPERATOR, 2001, "Ирина")


def relay(text: str, audience: Audience = Audience.OPERATORS) -> NewOutboxMessage:
    return NewOutboxMessage(
        audience, OutboxKind.MESSAGE, {"method": "sendMessage", "params": {"text": text}}
    )


async def citizen_with_everything(store: Store) -> tuple[int, str]:
    """A citizen whose data is in every table that can hold it; their appeal's id and number."""
    await store.citizens.change_phone(CITIZEN, CITIZEN, OLD_PHONE, NOW)
    await store.citizens.change_phone(CITIZEN, CITIZEN, PHONE, NOW)
    await store.codes.issue(CITIZEN, PHONE, "hash", "salt", NOW, NOW + timedelta(minutes=5))
    await store.consents.give(CITIZEN, "1", NOW)
    await store.fsm.set_data(
        StorageKey(bot_id=42, chat_id=CITIZEN, user_id=CITIZEN), {"description": SECRET}
    )
    start = NOW + timedelta(days=1)
    appeal = await store.call_booking.book(
        NewAppeal(
            CITIZEN,
            CITIZEN,
            AppealType.CALLBACK,
            {"callback_phone": PHONE, "question": SECRET},
            [Attachment("document", "FILE", "UNIQUE", "паспорт.pdf")],
        ),
        SlotClaim(start, start + timedelta(minutes=30), 1),
        NOW,
    )
    assert appeal is not None
    await store.appeals.add_message(appeal.id, MessageAuthor.CITIZEN, CITIZEN, SECRET, NOW)
    await store.desk.save_thread(AppealThread(appeal.id, OPERATORS, 7, 70), NOW)
    await store.desk.apply(
        [
            AppealChange(
                appeal.id,
                status=AppealStatus.IN_PROGRESS,
                assignee=OPERATOR,
                resolution=SECRET,
                outbox=(relay(SECRET), relay(SECRET, Audience.CITIZEN)),
                events=(
                    NewEvent(
                        EventKind.CITIZEN_MESSAGE,
                        Actor(MessageAuthor.CITIZEN, CITIZEN),
                        text=SECRET,
                        content={"kind": "photo", "caption": SECRET},
                        origin=MessageRef(CITIZEN, 10),
                        outbox_index=0,
                    ),
                ),
                call=CallChange(result=SECRET),
            )
        ],
        NOW,
    )
    delivered, _ = await store.outbox.due(NOW, 10)
    await store.outbox.mark_delivered(delivered.id, NOW, 80, MessageRef(OPERATORS, 80), (81,))
    # Still pending at the erasure: a relay for the operators, after the one delivered.
    await store.desk.apply([AppealChange(appeal.id, outbox=(relay(SECRET),))], NOW)
    await store.desk.apply([AppealChange(appeal.id, rating=2)], NOW)
    await store.desk.apply([AppealChange(appeal.id, rating_comment=SECRET)], NOW)
    return appeal.id, appeal.number


async def test_forget_erases_every_place_the_citizens_data_was_written(store: Store) -> None:
    appeal_id, number = await citizen_with_everything(store)
    kept = await store.appeals.create(
        NewAppeal(OTHER, OTHER, AppealType.COMPLAINT, {"description": "Другой гражданин"}), NOW
    )

    assert await store.privacy.citizen_phones(CITIZEN) == {PHONE, OLD_PHONE}
    assert await store.privacy.erase_citizen(CITIZEN, NOW + timedelta(hours=1), ["sms_outbox"]) == 1

    leftovers = {
        table: rows
        for table, rows in (await store.everything()).items()
        if any(value in str(rows) for value in (SECRET, PHONE, OLD_PHONE, "паспорт"))
    }
    assert leftovers == {}
    erased = await store.appeals.get_by_number(number)
    assert erased is not None and erased.erasure == ErasureReason.REQUEST
    assert erased.fields == {"callback_phone": ERASED_VALUE, "question": ERASED_VALUE}
    assert erased.attachments == [] and erased.resolution == ERASED_VALUE
    assert erased.rating_comment == ERASED_VALUE
    assert erased.call is not None and erased.call.status == "cancelled"
    assert await store.privacy.citizen_phones(CITIZEN) == set()
    assert not await store.consents.has(CITIZEN, "1")
    citizen = await store.citizens.get(CITIZEN)
    assert citizen is not None and citizen.phone is None
    other = await store.appeals.get_by_number(kept.number)
    assert other is not None and other.fields == {"description": "Другой гражданин"}

    [record] = await store.privacy.erasures_since(NOW)
    assert (record.reason, record.appeals) == (ErasureReason.REQUEST, (number,))
    assert record.fields == (
        "attachments",
        "callback_phone",
        "callback_result",
        "comments",
        "dialogue_state",
        "outbox_payloads",
        "phone",
        "phone_history",
        "question",
        "rating_comment",
        "relayed_messages",
        "resolution",
        "sms_outbox",
        "verification_codes",
    )

    events = await store.desk.events(appeal_id)
    assert [event.kind for event in events].count(EventKind.RELAY_DROPPED_ERASED) == 2
    # The card is redrawn and the copies in the operators' chat are queued for deletion.
    pending = await store.outbox.pending()
    assert [(item.kind, item.payload) for item in pending] == [
        (OutboxKind.CARD_UPDATE, {}),
        (OutboxKind.DELETE, {"chat_id": OPERATORS, "message_id": 80}),
        (OutboxKind.DELETE, {"chat_id": OPERATORS, "message_id": 81}),
    ]


async def test_retention_erases_only_appeals_closed_before_the_cutoff(store: Store) -> None:
    old = await store.appeals.create(
        NewAppeal(CITIZEN, CITIZEN, AppealType.COMPLAINT, {"description": SECRET}), NOW
    )
    recent = await store.appeals.create(
        NewAppeal(OTHER, OTHER, AppealType.COMPLAINT, {"description": "свежее"}), NOW
    )
    still_open = await store.appeals.create(
        NewAppeal(OTHER, OTHER, AppealType.COMPLAINT, {"description": "открыто"}), NOW
    )
    await store.desk.apply([AppealChange(old.id, status=AppealStatus.CLOSED)], NOW)
    await store.desk.apply(
        [AppealChange(recent.id, status=AppealStatus.CLOSED)], NOW + timedelta(days=40)
    )
    now = NOW + timedelta(days=45)

    assert await store.privacy.erase_closed_before(now - timedelta(days=30), now) == 1
    assert await store.privacy.erase_closed_before(now - timedelta(days=30), now) == 0

    fields = {
        appeal.number: (await store.appeals.get_by_number(appeal.number)).fields
        for appeal in (old, recent, still_open)
    }
    assert fields == {
        old.number: {"description": ERASED_VALUE},
        recent.number: {"description": "свежее"},
        still_open.number: {"description": "открыто"},
    }
    [record] = await store.privacy.erasures_since(NOW)
    assert (record.reason, record.appeals, record.fields, record.erased_at) == (
        ErasureReason.RETENTION,
        (old.number,),
        ("description",),
        now,
    )
    assert await store.outbox.pending() == []  # retention leaves the operators' chat alone


async def test_an_erasure_outside_the_database_is_recorded_too(store: Store) -> None:
    await store.privacy.record_erasure(ErasureReason.RETENTION, ["sms_outbox"], NOW)
    await store.privacy.record_erasure(ErasureReason.REQUEST, ["b", "a"], NOW + timedelta(1))

    records = await store.privacy.erasures_since(NOW + timedelta(hours=1))
    assert [(record.reason, record.appeals, record.fields) for record in records] == [
        (ErasureReason.REQUEST, (), ("a", "b"))
    ]

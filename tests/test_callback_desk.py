"""Callback requests on the operators' side, end to end through the dispatcher:
/callbacks, «Позвонил» with a result, «Не дозвонился», unmarked calls in /open,
and the citizen's confirmation with the appeal's record.

Monday 23.11.2026, 12:00 in Moscow; operators work mon-fri 09:00-18:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.callback_data import CallDesk, CallDeskAction
from bot.domain.clock import ManualClock
from bot.domain.models import AppealStatus, EventKind
from bot.settings import Settings
from bot.states.call_booking import OperatorCallResult
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import (
    book_call,
    call_of,
    card_of,
    event_kinds,
    events_of,
    file_consultation,
    follow_up,
    operators_messages,
    status_of,
)

# 14:00 in Moscow, the default booked call's time: operators mark calls once it has come.
CALL_TIME = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def call_time_has_come(harness: BotHarness) -> None:
    harness.dispatcher["clock"].set(CALL_TIME)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"working_hours": "mon-fri 09:00-18:00"})


@pytest.fixture
def third_citizen() -> Person:
    return Person(id=1003, first_name="Вера")


async def test_callbacks_lists_todays_calls_in_time_order_with_masked_phones(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    third_citizen: Person,
    operator: Person,
) -> None:
    late = await book_call(harness, citizen, phone="+7 912 345-67-89", time="16:30")
    early = await book_call(harness, other_citizen, phone="8 (495) 123-45-67", time="13:00")
    await book_call(harness, third_citizen, day="Завтра", time="10:00")
    await file_consultation(harness, Person(id=1004, first_name="Глеб"))

    replies = await harness.send_to_group(operator, group, "/callbacks")
    assert [reply.chat.id for reply in replies] == [group]
    assert replies[0].text.splitlines() == [
        "📞 Обратные звонки на 23.11.2026: 2",
        f"13:00 · № {early} · +7 495 ***-**-67 · ⏳ ждёт звонка",
        f"16:30 · № {late} · +7 912 ***-**-89 · ⏳ ждёт звонка",
        "",
        (
            "Полный номер: «👁 Показать данные» на карточке (/appeal номер). "
            "После звонка нажмите на карточке «Позвонил» или «Не дозвонился»."
        ),
    ]
    assert "345-67" not in replies[0].text and "123-45" not in replies[0].text


async def test_callbacks_is_for_operators_only(
    harness: BotHarness,
    group: int,
    citizen: Person,
    stranger: Person,
) -> None:
    replies = await harness.send_to_group(stranger, group, "/callbacks")
    assert replies[0].text == "Это доступно только операторам поддержки."
    replies = await harness.send(citizen, "/callbacks")
    assert replies[0].text == (
        "Эта команда доступна только операторам поддержки в их рабочем чате."
    )
    empty = await harness.send_to_group(Person(id=2001, first_name="Ирина"), group, "/callbacks")
    assert empty[0].text == "На 23.11.2026 обратных звонков нет."


async def test_called_asks_a_result_then_the_citizen_confirms_and_gets_the_record(
    harness: BotHarness,
    forum: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, question="Не приходит код", time="14:00")
    card = card_of(harness, number)

    # 12:00: the call's time has not come, the mark is asked about first.
    asked = await harness.press(operator, "Позвонил", card)
    assert asked[0].text == (
        f"Звонок по обращению № {number} назначен на 23.11.2026 (пн) "
        "в 14:00: это время ещё не наступило. Отметить, что звонок "
        "состоялся?"
    )
    assert asked[0].button_labels() == ["📞 Да, звонок состоялся", "Не отмечать"]
    assert await harness.state(operator, forum) is None
    prompt = await harness.press(operator, "Да, звонок состоялся", asked[0])
    assert asked[0].button_labels() == []
    assert prompt[0].text.startswith(
        f"Звонок по обращению № {number}. Напишите одним сообщением краткий итог разговора"
    )
    assert prompt[0].button_labels() == ["Не отмечать"]
    assert await harness.state(operator, forum) == OperatorCallResult.waiting_for_result.state

    await harness.send_to_group(operator, forum, thread_id=card.thread_id, **harness.photo())
    assert harness.messages_in(forum)[-1].text.startswith("Итог нужен текстом.")
    sent = await harness.send_to_group(
        operator, forum, "Объяснил, как войти <по СНИЛС>", thread_id=card.thread_id
    )
    notice = next(message for message in sent if message.chat.id == citizen.id)
    assert notice.text == (
        f"📞 Звонок по обращению № {number} состоялся.\n"
        "Итог: Объяснил, как войти <по СНИЛС>\n\n"
        "Подтвердите, пожалуйста, что разговор был: пришлём запись "
        "обращения с историей."
    )
    assert notice.button_labels() == ["✅ Подтвердить звонок", "↩️ Ответить по обращению"]
    reply = next(message for message in sent if message.chat.id == forum)
    assert reply.text == f"📞 Звонок по обращению № {number} отмечен: состоялся (Ирина (@irina))."
    assert await harness.state(operator, forum) is None
    # The result went to the citizen once, as the call's result, not as a relayed answer.
    assert [message.chat.id for message in sent].count(citizen.id) == 1

    assert await status_of(database, number) == AppealStatus.ANSWERED
    call = await call_of(database, number)
    assert (call["status"], call["result"], call["marked_by"]) == (
        "done",
        "Объяснил, как войти <по СНИЛС>",
        operator.id,
    )
    assert "📞 Звонок: 23.11.2026 (пн) в 14:00–14:30, состоялся" in card.text
    assert "Итог звонка: Объяснил, как войти <по СНИЛС>" in card.text
    assert (
        "📞 Позвонил" not in card.button_labels() and "Ответственный: Ирина (@irina)" in card.text
    )

    replies = await harness.press(citizen, "Подтвердить звонок")
    record = "\n".join(reply.text for reply in replies)
    assert record.startswith(
        f"✅ Спасибо! Звонок по обращению № {number} подтверждён. "
        f"Запись обращения:\n\nОбращение № {number}\n"
        "Тип: Обратный звонок\nСтатус: закрыто"
    )
    assert "Телефон для звонка: +7 912 345-67-89" in record
    assert "Вы: Звонок назначен: 23.11.2026 (пн) в 14:00" in record
    assert "Специалист: Звонок состоялся. Итог: Объяснил, как войти <по СНИЛС>" in record
    assert "Вы: Звонок подтверждён" in record
    assert replies[-1].text.startswith("Оцените, пожалуйста, ответ")
    assert await status_of(database, number) == AppealStatus.CLOSED
    assert (await call_of(database, number))["confirmed_at"] is not None
    assert "✔️ Гражданин подтвердил звонок" in card.text

    again = await harness.press_data(citizen, f"cbm:ok:{number}")
    assert again[0].text.startswith("Звонок уже подтверждён. Запись обращения:")
    assert (await event_kinds(database, number)).count(EventKind.CALL_CONFIRMED) == 1


async def test_a_long_record_is_split(
    harness: BotHarness, group: int, citizen: Person, operator: Person
) -> None:
    number = await book_call(harness, citizen)
    card = card_of(harness, number)
    for index in range(3):
        await follow_up(harness, citizen, f"{index} " + "подробности " * 150)
    call_time_has_come(harness)
    await harness.press(operator, "Позвонил", card)
    await harness.send_to_group(operator, group, "Поговорили", reply_to=card)
    replies = await harness.press(citizen, "Подтвердить звонок")
    assert len(replies) >= 3 and all(len(reply.text) <= 4096 for reply in replies)
    assert replies[-1].text.startswith("Оцените")


async def test_not_marking_after_all(
    harness: BotHarness, group: int, citizen: Person, operator: Person, database: BotDatabase
) -> None:
    number = await book_call(harness, citizen)
    call_time_has_come(harness)
    prompt = (await harness.press(operator, "Позвонил", card_of(harness, number)))[0]
    await harness.press(operator, "Не отмечать", prompt)
    assert prompt.text == f"Звонок по обращению № {number} не отмечен."
    assert await harness.state(operator, group) is None
    await harness.press(operator, "Позвонил", card_of(harness, number))
    replies = await harness.send_to_group(operator, group, "/cancel")
    assert replies[0].text == f"Звонок по обращению № {number} не отмечен."
    assert (await call_of(database, number))["status"] == "scheduled"


async def test_not_reached_tells_the_citizen_who_picks_a_new_time(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, phone="8 (495) 123-45-67", time="14:00")
    card = card_of(harness, number)
    call_time_has_come(harness)
    sent = await harness.press(operator, "Не дозвонился", card)
    assert harness.telegram.callback_answers[-1].text == (
        f"📵 Отмечено: не дозвонились (№ {number}). Гражданину предложено выбрать новое время."
    )
    notice = next(message for message in sent if message.chat.id == citizen.id)
    assert notice.text == (
        f"📵 Специалист не смог дозвониться по обращению № {number} "
        "(23.11.2026 (пн) в 14:00, номер +7 495 123-45-67).\n\n"
        "Выберите новое время звонка или отмените его."
    )
    assert notice.button_labels() == ["📅 Выбрать новое время", "❌ Отменить звонок"]
    assert (await call_of(database, number))["status"] == "not_reached"
    assert "не дозвонились, гражданин выбирает новое время" in card.text
    assert "📵 Не дозвонился" not in card.button_labels()

    # The citizen answers after the old time: the one-hour rule does not apply to a missed call.
    harness.dispatcher["clock"].set(datetime(2026, 11, 23, 11, 30, tzinfo=UTC))
    await harness.press(citizen, "Выбрать новое время", notice)
    await harness.press(citizen, "Сегодня")
    before = len(operators_messages(harness))
    replies = await harness.press(citizen, "16:00")
    assert replies[0].text.startswith(
        f"📅 Звонок по обращению № {number} перенесён: 23.11.2026 (пн) в 16:00"
    )
    assert operators_messages(harness)[before].text == (
        f"📅 Гражданин выбрал новое время звонка · № {number}: 23.11.2026 (пн) в 16:00"
    )
    call = await call_of(database, number)
    assert (call["status"], call["slot_start"]) == ("scheduled", "2026-11-23T13:00:00.000000Z")
    assert card.button_labels()[3:5] == ["📞 Позвонил", "📵 Не дозвонился"]
    assert await event_kinds(database, number) == [
        EventKind.FILED,
        EventKind.CALL_SCHEDULED,
        EventKind.CARD_POSTED,
        EventKind.CALL_NOT_REACHED,
        EventKind.CALL_MOVED,
    ]


async def test_marks_are_operator_only_and_happen_once(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    second_operator: Person,
    stranger: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen)
    card = card_of(harness, number)
    for action in (CallDeskAction.CALLED, CallDeskAction.NOT_REACHED):
        data = CallDesk(action=action, number=number).pack()
        assert await harness.press_data(stranger, data, card) == []
        answer = harness.telegram.callback_answers[-1]
        assert answer.text == "Это доступно только операторам поддержки." and answer.show_alert
    assert (await call_of(database, number))["status"] == "scheduled"

    call_time_has_come(harness)
    await harness.press(operator, "Не дозвонился", card)
    await harness.press_data(
        second_operator, CallDesk(action=CallDeskAction.NOT_REACHED, number=number).pack(), card
    )
    assert harness.telegram.callback_answers[-1].text == (
        f"Звонок по обращению № {number} уже отмечен или отменён."
    )
    await harness.press_data(
        second_operator, CallDesk(action=CallDeskAction.CALLED, number=number).pack(), card
    )
    assert harness.telegram.callback_answers[-1].text == (
        f"Звонок по обращению № {number} уже отмечен или отменён."
    )
    assert (await event_kinds(database, number)).count(EventKind.CALL_NOT_REACHED) == 1

    consultation = await file_consultation(harness, citizen)
    await harness.press_data(
        operator, CallDesk(action=CallDeskAction.CALLED, number=consultation).pack(), card
    )
    assert harness.telegram.callback_answers[-1].text == (
        f"Обращение № {consultation} не обратный звонок."
    )


async def test_a_result_typed_after_the_citizen_cancelled_is_refused(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen)
    card = card_of(harness, number)
    await harness.press(operator, "Позвонил", card)
    await harness.press(operator, "Да, звонок состоялся", operators_messages(harness)[-1])
    await harness.send(citizen, f"/status {number}")
    await harness.press(citizen, "Отменить звонок")
    await harness.press(citizen, "Да, отменить звонок")
    replies = await harness.send_to_group(operator, group, "Поговорили", reply_to=card)
    assert [reply.chat.id for reply in replies] == [group]
    assert replies[0].text == f"Звонок по обращению № {number} уже отмечен или отменён."
    assert (await call_of(database, number))["status"] == "cancelled"


async def test_a_call_not_marked_an_hour_after_its_time_is_flagged_in_open(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
    clock: ManualClock,
) -> None:
    missed = await book_call(harness, citizen, time="14:00")
    later = await book_call(harness, other_citizen, time="15:30")
    clock.set(datetime(2026, 11, 23, 11, 59, tzinfo=UTC))  # 14:59
    replies = await harness.send_to_group(operator, group, "/open")
    assert "⚠️" not in replies[0].text

    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # 15:00
    replies = await harness.send_to_group(operator, group, "/open")
    lines = replies[0].text.splitlines()
    assert lines[0] == f"⚠️ Звонки не отмечены больше часа: № {missed} (23.11 14:00)"
    assert lines[2] == (
        f"№ {missed} · Обратный звонок · новое · ждёт 3 ч 0 мин · ⚠️ звонок в 23.11 14:00 не отмечен"
    )
    assert lines[3].startswith(f"№ {later} · Обратный звонок · новое") and "⚠️" not in lines[3]

    listed = await harness.send_to_group(operator, group, "/callbacks")
    assert f"14:00 · № {missed} · +7 912 ***-**-89 · ⚠️ не отмечен" in listed[0].text

    await harness.press(operator, "Не дозвонился", card_of(harness, missed))
    replies = await harness.send_to_group(operator, group, "/open")
    assert "⚠️" not in replies[0].text


async def test_help_and_commands_mention_callbacks(
    harness: BotHarness, group: int, operator: Person
) -> None:
    replies = await harness.send_to_group(operator, group, "/help")
    assert "/callbacks" in replies[0].text and "«Позвонил»" in replies[0].text


async def test_forget_cancels_the_call_and_erases_the_number_and_result(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen)
    call_time_has_come(harness)
    await harness.press(operator, "Позвонил", card_of(harness, number))
    await harness.send_to_group(
        operator, group, "Перезвоню на +79123456789", reply_to=card_of(harness, number)
    )
    second = await book_call(harness, citizen, time="16:00")
    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")
    assert (await call_of(database, number))["result"] == "удалено"
    assert (await call_of(database, second))["status"] == "cancelled"
    free = await harness.dispatcher["call_bookings"].free_slots(datetime(2026, 11, 23).date())
    assert "16:00" in [f"{slot:%H:%M}" for slot in free]
    for event in await events_of(database, number):
        assert "+79123456789" not in (event.text or "")


async def test_closing_the_appeal_without_a_mark_frees_the_slot(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    operator: Person,
) -> None:
    number = await book_call(harness, citizen, time="14:00")
    card = card_of(harness, number)
    prompt = (await harness.press(operator, "Закрыть", card))[0]
    await harness.press(operator, "Закрыть без итога", prompt)
    assert "обращение закрыто без отметки о звонке" in card.text
    assert "📞 Позвонил" not in card.button_labels()
    listed = await harness.send_to_group(operator, group, "/callbacks")
    assert f"14:00 · № {number} · +7 912 ***-**-89 · ✖️ обращение закрыто" in listed[0].text
    details = await harness.send(citizen, f"/status {number}")
    assert "не состоится: обращение закрыто" in details[0].text
    assert "Перенести звонок" not in str(details[0].button_labels())
    await harness.consent(other_citizen)
    await harness.send(other_citizen, "/callback")
    await harness.send(other_citizen, "+79990001122")
    await harness.send(other_citizen, "Вопрос")
    replies = await harness.press(other_citizen, "Сегодня")
    assert "14:00" in replies[0].button_labels()

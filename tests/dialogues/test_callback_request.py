"""Ordering a call back, driven through the dispatcher: the citizen's side.

Monday 23.11.2026, 12:00 in Moscow; operators work mon-fri 09:00-18:00; slots
of 30 minutes, one call each, offered from 15 minutes ahead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.callback_data import CallAction, CallManage
from bot.domain.clock import ManualClock
from bot.domain.models import AppealStatus, AppealType, EventKind
from bot.settings import Settings
from bot.states.call_booking import CallbackRequest, CallRescheduling
from bot.storage.backends import Backend
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import (
    book_call,
    call_of,
    card_of,
    event_kinds,
    operators_messages,
    status_of,
)

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"working_hours": "mon-fri 09:00-18:00", "callback_operators_per_slot": 1}
    )


async def verify_phone(
    database: BotDatabase, citizen: Person, clock: ManualClock, phone: str = "+79123456789"
) -> None:
    await Backend(database).citizens.change_phone(citizen.id, citizen.id, phone, clock.now())


async def test_menu_button_and_the_whole_booking(
    harness: BotHarness,
    group: int,
    citizen: Person,
    database: BotDatabase,
    clock: ManualClock,
) -> None:
    await verify_phone(database, citizen, clock)
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Обратный звонок")
    assert replies[0].text.startswith("Обратный звонок")
    assert "Или нажмите кнопку с подтверждённым номером +7 912 345-67-89." in replies[0].text
    assert replies[0].button_labels() == ["📱 Позвонить на +7 912 345-67-89", "✖️ Отмена"]
    assert await harness.state(citizen) == CallbackRequest.waiting_for_phone.state

    replies = await harness.press(citizen, "Позвонить на")
    assert replies[0].text.startswith("Шаг 2 из 3")
    assert (await harness.data(citizen))["phone"] == "+79123456789"

    replies = await harness.send(citizen, "Не приходит <код> на новый номер")
    assert replies[0].text == "Шаг 3 из 3. Выберите день звонка (по московскому времени):"
    assert replies[0].button_labels() == [
        "Сегодня, 23.11",
        "Завтра, 24.11",
        "ср, 25.11",
        "чт, 26.11",
        "пт, 27.11",
        "пн, 30.11",
        "⬅️ Назад",
        "✖️ Отмена",
    ]
    assert await harness.state(citizen) == CallbackRequest.choosing_day.state

    replies = await harness.press(citizen, "Сегодня")
    # 12:00 has begun and 12:30 is within the hour in which a call can no longer be moved
    # or cancelled: the first slot offered is 13:00.
    assert replies[0].button_labels()[:3] == ["13:00", "13:30", "14:00"]
    assert replies[0].button_labels()[-3:] == ["17:30", "📅 Другой день", "✖️ Отмена"]
    replies = await harness.press(citizen, "14:00")
    assert await harness.state(citizen) == CallbackRequest.confirming.state
    assert replies[0].text == (
        "Проверьте заказ обратного звонка\n\nТелефон: +7 912 345-67-89\n"
        "Вопрос: Не приходит <код> на новый номер\n"
        "Когда: 23.11.2026 (пн) в 14:00 (по московскому времени)\n\n"
        "Всё верно? Нажмите «Отправить»."
    )

    replies = await harness.press(citizen, "Отправить")
    receipt = replies[0]
    assert receipt.chat.id == citizen.id
    assert receipt.text.startswith(
        "✅ Обращение зарегистрировано: обратный звонок заказан.\n"
        "Номер: 2026-000001\n"
        "Позвоним: 23.11.2026 (пн) в 14:00 (по московскому времени)\n"
        "На номер: +7 912 345-67-89"
    )
    assert await harness.state(citizen) is None

    call = await call_of(database, "2026-000001")
    assert (call["slot_start"], call["slot_end"], call["status"]) == (
        "2026-11-23T11:00:00.000000Z",
        "2026-11-23T11:30:00.000000Z",
        "scheduled",
    )
    appeal = await database.fetchone("SELECT type, fields FROM appeals")
    assert appeal["type"] == AppealType.CALLBACK
    assert await event_kinds(database, "2026-000001") == [
        EventKind.FILED,
        EventKind.CALL_SCHEDULED,
        EventKind.CARD_POSTED,
    ]

    card = card_of(harness, "2026-000001")
    assert "Тип: Обратный звонок" in card.text
    assert "Телефон для звонка: +7 912 ***-**-89" in card.text and "345-67" not in card.text
    assert "Описание: Не приходит <код> на новый номер" in card.text
    assert "📞 Звонок: 23.11.2026 (пн) в 14:00–14:30, назначен" in card.text
    assert card.button_labels() == [
        "✅ Закрыть",
        "📋 Шаблоны",
        "👁 Показать данные",
        "📞 Позвонил",
        "📵 Не дозвонился",
        "🛠 Взять в работу",
    ]


async def test_another_number_landlines_welcome_bad_ones_explained(
    harness: BotHarness,
    citizen: Person,
    database: BotDatabase,
) -> None:
    replies = await harness.send(citizen, "/callback")
    assert replies[0].button_labels() == ["✖️ Отмена"]  # no verified phone to offer
    replies = await harness.send(citizen, "123")
    assert "слишком мало цифр" in replies[0].text
    replies = await harness.send(citizen, "позвоните на домашний")
    assert "не похоже на номер телефона" in replies[0].text
    assert await harness.state(citizen) == CallbackRequest.waiting_for_phone.state
    await harness.send_sticker(citizen)
    assert harness.last(citizen).text.startswith("Отправьте номер телефона текстом.")
    replies = await harness.send(citizen, "8 (495) 123-45-67")
    assert replies[0].text.startswith("Шаг 2 из 3")
    assert (await harness.data(citizen))["phone"] == "+74951234567"


async def test_a_shared_contact_is_a_number_too(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/callback")
    await harness.send_contact(citizen, "79991234567")
    assert (await harness.data(citizen))["phone"] == "+79991234567"
    assert await harness.state(citizen) == CallbackRequest.waiting_for_description.state


async def test_every_step_explains_and_asks_again(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/callback")
    await harness.send(citizen, "+79123456789")
    await harness.send_photo(citizen)
    assert harness.last(citizen).text.startswith("Пожалуйста, отправьте ответ текстом.\n\nШаг 2")
    replies = await harness.send(citizen, "я" * 501)
    assert "501 символов, допустимо не более 500" in replies[0].text
    assert await harness.state(citizen) == CallbackRequest.waiting_for_description.state

    await harness.send(citizen, "Вопрос про пенсию")
    replies = await harness.send(citizen, "завтра в 10")
    assert replies[0].text.startswith("Пожалуйста, выберите вариант кнопкой под сообщением.")
    assert "Завтра, 24.11" in replies[0].button_labels()
    await harness.press(citizen, "Завтра")
    replies = await harness.send(citizen, "10:00")
    assert replies[0].text.startswith("Пожалуйста, выберите вариант кнопкой")
    assert replies[0].button_labels()[0] == "09:00"
    assert await harness.state(citizen) == CallbackRequest.choosing_time.state
    await harness.press(citizen, "10:00")
    replies = await harness.send(citizen, "да")
    assert replies[0].text.startswith("Нажмите «Отправить»")
    assert await harness.state(citizen) == CallbackRequest.confirming.state


async def test_back_goes_one_step_back(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/callback")
    await harness.send(citizen, "+79123456789")
    await harness.send(citizen, "Вопрос")
    await harness.press(citizen, "Завтра")
    await harness.press(citizen, "09:30")
    replies = await harness.press(citizen, "Назад")
    assert replies[0].text.startswith("Выберите время звонка на завтра, 24.11")
    replies = await harness.press(citizen, "Другой день")
    assert replies[0].text.startswith("Шаг 3 из 3")
    replies = await harness.press(citizen, "Назад")
    assert replies[0].text.startswith("Шаг 2 из 3")
    replies = await harness.press(citizen, "Назад")
    assert replies[0].text.startswith("Обратный звонок")
    assert await harness.state(citizen) == CallbackRequest.waiting_for_phone.state


async def test_full_slots_are_not_offered_and_a_slot_taken_meanwhile_is_refused(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
) -> None:
    await book_call(harness, other_citizen, time="14:00")
    await harness.send(citizen, "/callback")
    await harness.send(citizen, "+79123456789")
    await harness.send(citizen, "Вопрос")
    replies = await harness.press(citizen, "Сегодня")
    assert "14:00" not in replies[0].button_labels() and "14:30" in replies[0].button_labels()
    await harness.press(citizen, "14:30")

    # Meanwhile someone else books 14:30 (the last call a slot holds).
    service = harness.dispatcher["call_bookings"]
    taken = await service.book(
        other_citizen.id + 1,
        other_citizen.id + 1,
        "+79990001122",
        "Другой вопрос",
        datetime(2026, 11, 23, 11, 30, tzinfo=UTC),
    )
    assert taken.appeal is not None

    replies = await harness.press(citizen, "Отправить")
    assert replies[0].text.startswith("Это время только что заняли. Выберите другое.")
    assert "14:30" not in replies[0].button_labels() and "15:00" in replies[0].button_labels()
    assert await harness.state(citizen) == CallbackRequest.choosing_time.state
    count = await database.fetchone(
        "SELECT COUNT(*) FROM appeals WHERE citizen_id = ?", (citizen.id,)
    )
    assert count[0] == 0
    await harness.press(citizen, "15:00")
    replies = await harness.press(citizen, "Отправить")
    assert "Позвоним: 23.11.2026 (пн) в 15:00" in replies[0].text


async def test_no_free_time_at_all_offers_a_written_appeal(
    harness: BotHarness,
    citizen: Person,
    clock: ManualClock,
) -> None:
    service = harness.dispatcher["call_bookings"]
    service.policy = replace(service.policy, days_ahead=0)  # as CALLBACK_DAYS_AHEAD=0
    clock.set(datetime(2026, 11, 23, 14, 50, tzinfo=UTC))  # 17:50: the day's slots are gone
    await harness.send(citizen, "/callback")
    await harness.send(citizen, "+79123456789")
    replies = await harness.send(citizen, "Вопрос")
    assert replies[0].text.startswith("К сожалению, всё время для звонков")
    assert replies[0].button_labels() == ["✉️ Новое обращение", "🏠 Главное меню"]
    assert await harness.state(citizen) is None


async def test_one_call_at_a_time(harness: BotHarness, citizen: Person) -> None:
    number = await book_call(harness, citizen)
    replies = await harness.send(citizen, "/callback")
    assert replies[0].text == (
        f"У вас уже заказан звонок по обращению № {number}: "
        "23.11.2026 (пн) в 14:00. Перенести или отменить его можно "
        "кнопками ниже."
    )
    assert replies[0].button_labels() == [
        "📅 Перенести звонок",
        "❌ Отменить звонок",
        "🏠 Главное меню",
    ]


async def test_my_appeals_shows_the_call_and_moves_it(
    harness: BotHarness,
    group: int,
    citizen: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, time="14:00")
    replies = await harness.send(citizen, "/my")
    assert (
        f"№ {number} · Обратный звонок · новое · 23.11.2026 · 📞 23.11.2026 (пн) в 14:00"
        in replies[0].text
    )
    replies = await harness.press(citizen, number)
    assert "Звонок: 23.11.2026 (пн) в 14:00 (по московскому времени), назначен" in replies[0].text
    assert replies[0].button_labels()[:2] == ["📅 Перенести звонок", "❌ Отменить звонок"]

    replies = await harness.press(citizen, "Перенести звонок")
    assert replies[0].text.startswith(f"Выберите новый день звонка по обращению № {number}")
    assert (
        replies[0].button_labels()[-1] == "✖️ Отмена" and "⬅️ Назад" not in replies[0].button_labels()
    )
    assert await harness.state(citizen) == CallRescheduling.choosing_day.state
    await harness.press(citizen, "Завтра")
    operators_before = len(operators_messages(harness))
    replies = await harness.press(citizen, "11:00")
    assert replies[0].text == (
        f"📅 Звонок по обращению № {number} перенесён: "
        "24.11.2026 (вт) в 11:00 (по московскому времени)."
    )
    assert await harness.state(citizen) is None
    assert (await call_of(database, number))["slot_start"] == "2026-11-24T08:00:00.000000Z"
    notice = operators_messages(harness)[operators_before:]
    assert notice[0].text == (
        f"📅 Гражданин перенёс звонок · № {number}\n"
        "Было: 23.11.2026 (пн) в 14:00\nСтало: 24.11.2026 (вт) в 11:00"
    )
    assert "📞 Звонок: 24.11.2026 (вт) в 11:00–11:30, назначен" in card_of(harness, number).text
    assert EventKind.CALL_MOVED in await event_kinds(database, number)

    # The old slot is free again for others.
    free = await harness.dispatcher["call_bookings"].free_slots(datetime(2026, 11, 23).date())
    assert "14:00" in [f"{slot:%H:%M}" for slot in free]


async def test_moving_re_checks_capacity(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, time="14:00")
    await harness.send(citizen, f"/status {number}")
    await harness.press(citizen, "Перенести звонок")
    times = (await harness.press(citizen, "Сегодня"))[0]
    await book_call(harness, other_citizen, time="16:00")  # while the citizen looks at 16:00
    replies = await harness.press(citizen, "16:00", message=times)
    assert replies[0].text.startswith("Это время только что заняли. Выберите другое.")
    assert "16:00" not in replies[0].button_labels()
    assert await harness.state(citizen) == CallRescheduling.choosing_time.state
    assert (await call_of(database, number))["slot_start"] == "2026-11-23T11:00:00.000000Z"


async def test_cancelling_frees_the_slot_and_closes_the_appeal(
    harness: BotHarness,
    group: int,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, time="14:00")
    await harness.send(citizen, f"/status {number}")
    replies = await harness.press(citizen, "Отменить звонок")
    assert replies[0].text == (
        f"Отменить звонок по обращению № {number} "
        "(23.11.2026 (пн) в 14:00)? Обращение будет закрыто."
    )
    replies = await harness.press(citizen, "Оставить как есть")
    assert replies[0].text == "Хорошо, звонок остаётся: 23.11.2026 (пн) в 14:00."
    assert (await call_of(database, number))["status"] == "scheduled"

    await harness.send(citizen, f"/status {number}")
    await harness.press(citizen, "Отменить звонок")
    operators_before = len(operators_messages(harness))
    replies = await harness.press(citizen, "Да, отменить звонок")
    assert replies[0].text == f"❌ Звонок по обращению № {number} отменён, обращение закрыто."
    assert (await call_of(database, number))["status"] == "cancelled"
    assert await status_of(database, number) == AppealStatus.CLOSED
    card = card_of(harness, number)
    assert card.text.startswith(f"✅ Обращение № {number}")
    assert "отменён гражданином" in card.text and "📞 Позвонил" not in card.button_labels()
    assert operators_messages(harness)[operators_before].text == (
        f"❌ Гражданин отменил звонок · № {number} (23.11.2026 (пн) в 14:00)"
    )

    await harness.consent(other_citizen)
    replies = await harness.send(other_citizen, "/callback")
    await harness.send(other_citizen, "+79990001122")
    replies = await harness.send(other_citizen, "Вопрос")
    replies = await harness.press(other_citizen, "Сегодня")
    assert "14:00" in replies[0].button_labels()

    # The button pressed again: refused clearly, nothing changes.
    replies = await harness.press_data(citizen, f"cbm:sure:{number}")
    assert replies[0].text == (
        f"Звонок по обращению № {number} уже состоялся или отменён: изменить его нельзя."
    )


async def test_the_one_hour_rule(
    harness: BotHarness,
    citizen: Person,
    clock: ManualClock,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, time="14:00")
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # 13:00: exactly an hour before
    await harness.send(citizen, f"/status {number}")
    replies = await harness.press(citizen, "Перенести звонок")
    assert replies[0].text.startswith("Выберите новый день")
    await harness.send(citizen, "/cancel")
    details = (await harness.send(citizen, f"/status {number}"))[0]
    assert details.button_labels()[:2] == ["📅 Перенести звонок", "❌ Отменить звонок"]

    clock.advance(minutes=1)  # 13:01: the buttons that can no longer work are not shown
    replies = await harness.send(citizen, f"/status {number}")
    assert "📅 Перенести звонок" not in replies[0].button_labels()
    assert "❌ Отменить звонок" not in replies[0].button_labels()
    replies = await harness.send(citizen, "/callback")
    assert replies[0].text == (
        f"У вас уже заказан звонок по обращению № {number}: "
        "23.11.2026 (пн) в 14:00. До звонка меньше часа: перенести или "
        "отменить его уже нельзя."
    )
    assert replies[0].button_labels() == ["🏠 Главное меню"]
    # Buttons shown before 13:00 and pressed now say why they no longer work. (The
    # details' buttons are taken away when the next screen is shown; a press of one that
    # stayed, e.g. when Telegram refused the removal, carries this data.)
    for action in (CallAction.MOVE, CallAction.CANCEL):
        replies = await harness.press_data(citizen, CallManage(action=action, number=number).pack())
        assert replies[0].text == (
            "Перенести или отменить звонок можно не позже чем за час до него, а до звонка "
            f"по обращению № {number} (23.11.2026 (пн) в 14:00) осталось меньше часа. "
            "Дождитесь звонка, пожалуйста."
        )
    assert await harness.state(citizen) is None
    assert (await call_of(database, number))["status"] == "scheduled"


async def test_a_move_started_in_time_but_finished_too_late_is_refused(
    harness: BotHarness,
    citizen: Person,
    clock: ManualClock,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen, time="14:00")
    await harness.send(citizen, f"/status {number}")
    await harness.press(citizen, "Перенести звонок")
    await harness.press(citizen, "Завтра")
    clock.set(datetime(2026, 11, 23, 10, 30, tzinfo=UTC))  # 13:30
    replies = await harness.press(citizen, "10:00")
    assert replies[0].text.startswith("Перенести или отменить звонок можно не позже чем за час")
    assert await harness.state(citizen) is None
    assert (await call_of(database, number))["slot_start"] == "2026-11-23T11:00:00.000000Z"


async def test_someone_elses_call_cannot_be_touched(
    harness: BotHarness,
    citizen: Person,
    other_citizen: Person,
    database: BotDatabase,
) -> None:
    number = await book_call(harness, citizen)
    for action in ("move", "cancel", "sure", "ok"):
        replies = await harness.press_data(other_citizen, f"cbm:{action}:{number}")
        shown = replies[0].text if replies else harness.telegram.callback_answers[-1].text
        assert shown == "Это обращение вам недоступно."
    assert (await call_of(database, number))["status"] == "scheduled"


async def test_free_text_asking_for_a_call_offers_it(harness: BotHarness, citizen: Person) -> None:
    replies = await harness.send(citizen, "перезвоните мне, пожалуйста")
    assert replies[0].button_labels()[0] == "📞 Обратный звонок"
    replies = await harness.press(citizen, "Обратный звонок")
    assert replies[0].text.startswith("Обратный звонок")


async def test_stale_day_and_time_buttons(
    harness: BotHarness, citizen: Person, clock: ManualClock
) -> None:
    await harness.press_data(citizen, "cbt:2026-11-23:840")
    assert harness.telegram.callback_answers[-1].text.startswith("Эта кнопка больше не действует")
    clock.set(datetime(2026, 11, 23, 13, 30, tzinfo=UTC))  # 16:30: 17:30 is today's last time
    await harness.send(citizen, "/callback")
    await harness.send(citizen, "+79123456789")
    days = (await harness.send(citizen, "Вопрос"))[0]
    assert days.button_labels()[0] == "Сегодня, 23.11"
    clock.set(datetime(2026, 11, 23, 13, 31, tzinfo=UTC))  # 16:31: 17:30 is within the hour
    replies = await harness.press(citizen, "Сегодня", message=days)
    assert harness.telegram.callback_answers[-1].text == (
        "На этот день свободного времени уже нет. Выберите другой день."
    )
    assert replies[0].text.startswith("Шаг 3 из 3")
    assert replies[0].button_labels()[0] == "Завтра, 24.11"

    times = (await harness.press(citizen, "Завтра"))[0]
    clock.set(datetime(2026, 11, 24, 5, 1, tzinfo=UTC))  # tomorrow, 08:01: 09:00 is too soon
    replies = await harness.press(citizen, "09:00", message=times)
    assert replies[0].text.startswith("Это время уже недоступно. Выберите другое.")
    assert replies[0].button_labels()[0] == "09:30"
    # Forged times (a junk minute, a minute past the day's end) are refused the same way.
    data = next(
        button["callback_data"]
        for button in replies[0].inline_buttons()
        if button["text"] == "09:30"
    )
    for item in ("junk", "5000"):
        forged = await harness.press_data(citizen, data.rsplit(":", 1)[0] + ":" + item, replies[0])
        assert forged[0].text.startswith("Это время уже недоступно.")


async def test_recovery_guidance_ends_with_a_callback_button(
    harness: BotHarness, citizen: Person
) -> None:
    await harness.send(citizen, "/recovery")
    await harness.press(citizen, "Не приходит код")
    replies = await harness.press(citizen, "Обратный звонок")
    assert replies[0].text.startswith("Обратный звонок")
    assert await harness.state(citizen) == CallbackRequest.waiting_for_phone.state


async def test_a_finished_bookings_buttons_are_stale(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await harness.send(citizen, "/callback")
    await harness.send(citizen, "+79123456789")
    await harness.send(citizen, "Вопрос")
    await harness.press(citizen, "Завтра")
    summary = (await harness.press(citizen, "10:00"))[0]
    send = summary.inline_buttons()[0]["callback_data"]
    await harness.press(citizen, "Отправить")
    assert summary.button_labels() == []  # the finished step's buttons are gone...
    replies = await harness.press_data(citizen, send, summary)  # ...a press sent before is stale
    assert replies == []
    assert harness.telegram.callback_answers[-1].text.startswith("Эта кнопка больше не действует")
    count = await database.fetchone("SELECT COUNT(*) FROM appeals")
    assert count[0] == 1

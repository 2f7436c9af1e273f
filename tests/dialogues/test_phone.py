from __future__ import annotations

import pytest
from aiogram import Dispatcher

from bot.domain.clock import ManualClock
from bot.states.phone import PhoneChange
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase, SmsOutbox

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")


async def open_phone_dialogue(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Сменить номер")
    assert "Профиль" in replies[0].text and "Изменить" in replies[0].text
    assert replies[0].keyboard_labels() == ["📱 Отправить мой номер", "⬅️ Назад", "✖️ Отмена"]
    assert await harness.state(citizen) == PhoneChange.waiting_for_phone.state


async def test_phone_change_with_code(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, database: BotDatabase
) -> None:
    await open_phone_dialogue(harness, citizen)
    replies = await harness.send(citizen, "8 (912) 345-67-89")
    assert "+7 912 345-67-89" in replies[0].text and "6 цифр" in replies[0].text
    assert await harness.state(citizen) == PhoneChange.waiting_for_code.state
    assert (await harness.data(citizen)) == {"phone": "+79123456789"}
    assert sms.messages()[-1]["to"] == "+79123456789"
    replies = await harness.send(citizen, sms.last_code())
    assert "подтверждён" in replies[0].text
    assert await harness.state(citizen) is None
    row = await database.fetchone("SELECT phone FROM citizens WHERE user_id = ?", (citizen.id,))
    assert row["phone"] == "+79123456789"


async def test_second_change_says_the_old_number_no_longer_works(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, database: BotDatabase, clock: ManualClock
) -> None:
    for number in ("+79123456789", "89990001122"):
        await open_phone_dialogue(harness, citizen)
        await harness.send(citizen, number)
        replies = await harness.send(citizen, sms.last_code())
        clock.advance(minutes=2)
    assert "+7 999 000-11-22" in replies[0].text
    assert "Прежний номер +7 912 345-67-89 больше не действует" in replies[0].text
    history = await database.fetchall(
        "SELECT phone FROM phone_history WHERE user_id = ?", (citizen.id,)
    )
    assert [row["phone"] for row in history] == ["+79123456789"]


async def test_own_contact_is_accepted_and_foreign_refused(
    harness: BotHarness, citizen: Person, sms: SmsOutbox
) -> None:
    await open_phone_dialogue(harness, citizen)
    replies = await harness.send_contact(citizen, "+79123456789", owner_id=999)
    assert "только свой" in replies[0].text
    assert await harness.state(citizen) == PhoneChange.waiting_for_phone.state
    assert sms.messages() == []
    replies = await harness.send_contact(citizen, "79123456789")
    assert "код из 6 цифр" in replies[0].text
    assert await harness.state(citizen) == PhoneChange.waiting_for_code.state


async def test_landline_short_and_foreign_invalid_numbers_are_explained(
    harness: BotHarness, citizen: Person
) -> None:
    await open_phone_dialogue(harness, citizen)
    cases = {
        "8 (495) 123-45-67": "стационарного",
        "8912345": "мало цифр",
        "+380 12 345 6789": "не существует",
        "позвоните мне": "не похоже на номер",
    }
    for typed, reason in cases.items():
        replies = await harness.send(citizen, typed)
        assert reason in replies[0].text, typed
        assert await harness.state(citizen) == PhoneChange.waiting_for_phone.state


async def test_wrong_code_then_exhausted_then_resend(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, clock: ManualClock
) -> None:
    await open_phone_dialogue(harness, citizen)
    await harness.send(citizen, "+79123456789")
    right = sms.last_code()
    wrong = "000000" if right != "000000" else "111111"
    assert "Осталось попыток: 2" in (await harness.send(citizen, wrong))[0].text
    assert "Осталось попыток: 1" in (await harness.send(citizen, wrong))[0].text
    replies = await harness.send(citizen, wrong)
    assert "больше не действует" in replies[0].text
    assert "🔁 Отправить код ещё раз" in replies[0].button_labels()
    assert "больше не действует" in (await harness.send(citizen, right))[0].text
    # The cooldown is still running: an alert says how long to wait, nothing is sent.
    await harness.press(citizen, "Отправить код ещё раз")
    assert "через 60 с" in harness.telegram.callback_answers[-1].text
    assert len(sms.messages()) == 1
    clock.advance(seconds=61)
    replies = await harness.press(citizen, "Отправить код ещё раз")
    assert "Новый код отправлен" in replies[0].text
    assert "подтверждён" in (await harness.send(citizen, sms.last_code()))[0].text


async def test_expired_code(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, clock: ManualClock
) -> None:
    await open_phone_dialogue(harness, citizen)
    await harness.send(citizen, "+79123456789")
    clock.advance(minutes=6)
    replies = await harness.send(citizen, sms.last_code())
    assert "Срок действия кода истёк" in replies[0].text
    assert await harness.state(citizen) == PhoneChange.waiting_for_code.state


async def test_daily_limit_has_its_own_message(
    harness: BotHarness, citizen: Person, sms: SmsOutbox, clock: ManualClock
) -> None:
    await open_phone_dialogue(harness, citizen)
    await harness.send(citizen, "+79123456789")
    for _ in range(4):
        clock.advance(seconds=61)
        await harness.press(citizen, "Отправить код ещё раз")
    clock.advance(seconds=61)
    await harness.press(citizen, "Отправить код ещё раз")
    assert "уже отправлено 5 кодов" in harness.telegram.callback_answers[-1].text
    assert len(sms.messages()) == 5


async def test_code_step_rejects_non_digits_and_stickers(
    harness: BotHarness, citizen: Person, sms: SmsOutbox
) -> None:
    await open_phone_dialogue(harness, citizen)
    await harness.send(citizen, "+79123456789")
    assert "6 цифр" in (await harness.send(citizen, "12ab56"))[0].text
    assert "6 цифр" in (await harness.send_sticker(citizen))[0].text
    assert await harness.state(citizen) == PhoneChange.waiting_for_code.state


async def test_same_number_as_current_is_refused(
    harness: BotHarness, citizen: Person, sms: SmsOutbox
) -> None:
    await open_phone_dialogue(harness, citizen)
    await harness.send(citizen, "+79123456789")
    await harness.send(citizen, sms.last_code())
    await open_phone_dialogue(harness, citizen)
    replies = await harness.send(citizen, "89123456789")
    assert "уже подтверждён" in replies[0].text
    assert len(sms.messages()) == 1


async def test_cancel_leaves_the_dialogue_and_removes_the_contact_keyboard(
    harness: BotHarness, citizen: Person, dispatcher: Dispatcher
) -> None:
    await open_phone_dialogue(harness, citizen)
    replies = await harness.send(citizen, "✖️ Отмена")
    assert replies[0].text.startswith("Действие отменено")
    assert "remove_keyboard" in (replies[0].reply_markup or {})
    assert harness.chat(citizen.id).reply_keyboard is None
    assert "Главное меню" in replies[1].text
    assert await harness.state(citizen) is None

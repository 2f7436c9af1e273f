from __future__ import annotations

from bot.domain.models import AppealType
from bot.services.appeals import AppealService
from bot.states.my_appeals import MyAppeals
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase
from tests.desk_helpers import dialogue_button_data


async def file(harness: BotHarness, owner: Person, count: int = 1) -> list[str]:
    appeals: AppealService = harness.dispatcher["appeals"]
    numbers = []
    for index in range(count):
        appeal = await appeals.file(
            owner.id,
            owner.id,
            AppealType.CONSULTATION,
            {"topic": f"Тема {index}", "description": "Вопрос <b>"},
        )
        numbers.append(appeal.number)
    await harness.deliver()  # the cards, as the running bot's sender would deliver them
    return numbers


async def test_empty_list(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Мои обращения")
    assert "пока нет обращений" in replies[0].text


async def test_list_pages_and_open(harness: BotHarness, citizen: Person) -> None:
    numbers = await file(harness, citizen, 7)
    replies = await harness.send(citizen, "/my")
    assert "всего 7, страница 1 из 2" in replies[0].text
    assert "№ 2026-000007 · Консультация · новое · 23.11.2026" in replies[0].text
    assert replies[0].button_labels()[:2] == ["№ 2026-000007 · новое", "№ 2026-000006 · новое"]
    replies = await harness.press(citizen, "Раньше")
    assert "страница 2 из 2" in replies[0].text
    replies = await harness.press(citizen, "№ 2026-000001")
    details = replies[0].text
    assert "Обращение № 2026-000001" in details and "Статус: новое" in details
    assert "Описание: Вопрос <b>" in details
    assert "💬 Добавить комментарий" in replies[0].button_labels()
    assert numbers[0] == "2026-000001"


async def test_comment_on_own_open_appeal(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    [number] = await file(harness, citizen)
    await harness.send(citizen, f"/status {number}")
    replies = await harness.press(citizen, "Добавить комментарий")
    assert f"комментарий к обращению № {number}" in replies[0].text
    assert await harness.state(citizen) == MyAppeals.waiting_for_comment.state
    assert "пустое" in (await harness.send(citizen, "   "))[0].text
    replies = await harness.send(citizen, "Забыл указать: звонил дважды")
    assert f"Комментарий добавлен к обращению № {number}" in replies[0].text
    rows = await database.fetchall("SELECT author, author_id, text FROM appeal_messages")
    assert [tuple(row) for row in rows] == [("citizen", citizen.id, "Забыл указать: звонил дважды")]
    replies = await harness.send(citizen, f"/status {number}")
    assert "Переписка:" in replies[0].text and "Вы: Забыл указать" in replies[0].text


async def test_status_lookup_forms_and_unknown_number(harness: BotHarness, citizen: Person) -> None:
    [number] = await file(harness, citizen)
    await harness.send(citizen, "/start")
    await harness.press(citizen, "Статус по номеру")
    replies = await harness.send(citizen, "2026-999999")
    assert "не найдено" in replies[0].text
    assert await harness.state(citizen) == MyAppeals.waiting_for_number.state
    replies = await harness.send(citizen, "обращение сорок два")
    assert "2026-000042 (год и шесть цифр)" in replies[0].text
    replies = await harness.send(citizen, "№ 2026000001")
    assert f"Обращение № {number}" in replies[0].text and "Тип: Консультация" in replies[0].text
    assert await harness.state(citizen) == MyAppeals.reading_appeal.state


async def test_someone_elses_appeal_shows_only_the_status(
    harness: BotHarness, citizen: Person, other_citizen: Person
) -> None:
    [number] = await file(harness, other_citizen)
    replies = await harness.send(citizen, f"/status {number}")
    assert replies[0].text == (
        f"Обращение № {number}: статус «новое».\nПодробности видны только автору обращения."
    )
    assert "Тема" not in replies[0].text


async def test_forged_buttons_for_someone_elses_appeal_are_refused(
    harness: BotHarness, citizen: Person, other_citizen: Person, database: BotDatabase
) -> None:
    [number] = await file(harness, other_citizen)
    await file(harness, citizen)
    await harness.send(citizen, "/my")
    sent = len(harness.sent)
    # An item of the citizen's own list, its number replaced by someone else's.
    replies = await harness.press_data(
        citizen, dialogue_button_data(harness, citizen, f"appeal:{number}")
    )
    assert replies == [] and len(harness.sent) == sent
    assert harness.telegram.callback_answers[-1].text == "Это обращение вам недоступно."
    assert await harness.state(citizen) == MyAppeals.choosing_appeal.state
    rows = await database.fetchall("SELECT * FROM appeal_messages")
    assert rows == []


async def test_a_middle_page_lists_its_appeals_one_a_row_then_paging_then_the_menu(
    harness: BotHarness, citizen: Person
) -> None:
    await file(harness, citizen, 12)
    await harness.send(citizen, "/my")
    replies = await harness.press(citizen, "Раньше")
    assert "страница 2 из 3" in replies[0].text
    rows = [
        [button["text"] for button in row] for row in replies[0].reply_markup["inline_keyboard"]
    ]
    assert rows == [
        ["№ 2026-000007 · новое"],
        ["№ 2026-000006 · новое"],
        ["№ 2026-000005 · новое"],
        ["№ 2026-000004 · новое"],
        ["№ 2026-000003 · новое"],
        ["◀️ Раньше", "Позже ▶️"],
        ["🏠 Главное меню"],
    ]


async def test_a_single_page_has_no_paging_row(harness: BotHarness, citizen: Person) -> None:
    await file(harness, citizen)
    replies = await harness.send(citizen, "/my")
    assert replies[0].button_labels() == ["№ 2026-000001 · новое", "🏠 Главное меню"]


async def test_details_put_the_call_first_and_one_button_a_row(
    harness: BotHarness, citizen: Person
) -> None:
    bookings = harness.dispatcher["call_bookings"]
    slots = await bookings.free_slots((await bookings.offered_days())[-1])
    appeal = (
        await bookings.book(citizen.id, citizen.id, "+79123456789", "Вопрос", slots[0])
    ).appeal
    replies = await harness.send(citizen, f"/status {appeal.number}")
    rows = [
        [button["text"] for button in row] for row in replies[0].reply_markup["inline_keyboard"]
    ]
    assert rows == [
        ["📅 Перенести звонок"],
        ["❌ Отменить звонок"],
        ["💬 Добавить комментарий"],
        ["📋 К списку обращений"],
        ["🏠 Главное меню"],
    ]
    # The call's buttons are the call booking's own: their press leaves the dialogue for it.
    replies = await harness.press(citizen, "Отменить звонок")
    assert replies[0].button_labels() == ["❌ Да, отменить звонок", "Оставить как есть"]
    assert await harness.state(citizen) is None


async def test_malformed_callback_data_is_a_stale_button(
    harness: BotHarness, citizen: Person
) -> None:
    for data in ("a:open", "a:delete:2026-000001:0", "x" * 64, "m:nonexistent"):
        replies = await harness.press_data(citizen, data)
        assert replies == []
        assert harness.telegram.callback_answers[-1].text.startswith(
            "Эта кнопка больше не действует"
        )

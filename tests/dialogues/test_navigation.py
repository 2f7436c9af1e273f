from __future__ import annotations

import pytest

from bot.states.complaint import WrittenComplaint
from bot.states.help import HelpSection
from bot.texts import my_appeals as my_appeals_texts
from testkit.harness import BotHarness, Person

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")


async def test_cancel_command_word_and_button_leave_any_dialogue(
    harness: BotHarness, citizen: Person
) -> None:
    for leave in ("/cancel", "отмена", "Отменить", "button"):
        await harness.send(citizen, "/complaint")
        await harness.send(citizen, "Тема жалобы")
        if leave == "button":
            replies = await harness.press(citizen, "Отмена")
        else:
            replies = await harness.send(citizen, leave)
        assert replies[0].text.startswith("Действие отменено"), leave
        assert "Главное меню" in replies[1].text
        assert await harness.state(citizen) is None
        assert await harness.data(citizen) == {}


async def test_cancel_outside_a_dialogue(harness: BotHarness, citizen: Person) -> None:
    replies = await harness.send(citizen, "/cancel")
    assert replies[0].text == "Отменять нечего."


async def test_menu_word_from_a_dialogue(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/complaint")
    replies = await harness.send(citizen, "Главное меню")
    assert replies[0].text.startswith("Главное меню")
    assert await harness.state(citizen) is None


async def test_commands_work_inside_a_dialogue_and_unknown_ones_keep_it(
    harness: BotHarness, citizen: Person
) -> None:
    await harness.send(citizen, "/complaint")
    replies = await harness.send(citizen, "/foo")
    assert "Неизвестная команда" in replies[0].text
    assert await harness.state(citizen) == WrittenComplaint.waiting_for_topic.state
    replies = await harness.send(citizen, "/help")
    assert replies[0].text.startswith("Помощь")
    assert await harness.state(citizen) == HelpSection.choosing_article.state


async def test_checklist_lists_what_to_prepare(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Что подготовить")
    text = replies[0].text
    for item in (
        "СНИЛС",
        "паспорт: серия, номер и дата выдачи",
        "адрес регистрации",
        "номер заявления",
        "больше 10 минут",
        "утром и вечером в будни",
    ):
        assert item in text


async def test_free_text_outside_a_dialogue_shows_the_menu(
    harness: BotHarness, citizen: Person
) -> None:
    replies = await harness.send(citizen, "привет")
    assert "не понял" in replies[0].text
    assert "📱 Сменить номер телефона" in replies[0].button_labels()


async def test_every_button_press_is_answered_exactly_once(
    harness: BotHarness, citizen: Person
) -> None:
    await harness.send(citizen, "/start")
    for label in ("Помощь", "Главное меню", "Новое обращение", "Консультация", "Отмена"):
        await harness.press(citizen, label)
    assert len(harness.telegram.callback_answers) == 5
    assert len({answer.query_id for answer in harness.telegram.callback_answers}) == 5


async def test_user_name_is_escaped_in_html(harness: BotHarness) -> None:
    hacker = Person(id=66, first_name="<b>Иван</b> & Co")
    replies = await harness.send(hacker, "/start")
    assert "Здравствуйте, <b>Иван</b> & Co!" in replies[0].text
    assert "&lt;b&gt;Иван&lt;/b&gt; &amp; Co" in replies[0].html


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_messages_do_not_get_citizen_answers(
    harness: BotHarness, citizen: Person, chat_type: str
) -> None:
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": -100500, "type": chat_type, "title": "Соседи"},
        "from": harness.user(citizen).to_api(),
        "text": "привет",
    }
    assert await harness.feed({"message": message}) == []


@pytest.mark.parametrize("leave", ["/start", "/menu", "меню"])
async def test_leaving_the_phone_step_hides_the_contact_keyboard(
    harness: BotHarness, citizen: Person, leave: str
) -> None:
    await harness.send(citizen, "/phone")
    replies = await harness.send(citizen, leave)
    assert replies[0].text == "Смена номера прервана."
    assert "remove_keyboard" in (replies[0].reply_markup or {})
    assert harness.chat(citizen.id).reply_keyboard is None
    assert "📱 Сменить номер телефона" in replies[1].button_labels()
    assert await harness.state(citizen) is None
    replies = await harness.send(citizen, "/start")
    assert len(replies) == 1  # no keyboard to hide any more


async def test_a_command_after_spaces_is_still_the_command(
    harness: BotHarness,
    citizen: Person,
) -> None:
    """aiogram reads a command as the first word; so does the commands' router check."""
    replies = await harness.send(citizen, "  /my")
    assert [reply.text for reply in replies] == [my_appeals_texts.LIST_EMPTY]


async def test_a_step_sends_its_question_before_taking_the_last_ones_buttons_away(
    harness: BotHarness, citizen: Person
) -> None:
    """A new message per step: the citizen sees the next question one Bot API round trip
    sooner when it goes first, and the last step's buttons go after it."""
    await harness.send(citizen, "/appeal")
    [first] = await harness.press(citizen, "Консультация")
    assert first.inline_buttons()
    calls = harness.telegram.call_log.calls
    before = len(calls)

    [second] = await harness.send(citizen, "Пособия")

    step = [call for call in calls[before:] if call.method != "getUpdates"]
    assert [call.method for call in step] == ["sendMessage", "editMessageReplyMarkup"]
    assert step[0].result["message_id"] == second.message_id
    assert step[1].params["message_id"] == first.message_id
    assert first.inline_buttons() == []
    assert second.inline_buttons()

"""Consent to the processing of personal data, before the first dialogue that collects it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.domain.content import ContentError, load_consent
from bot.factory import create_bot
from bot.settings import CONTENT_DIR, Settings
from bot.states.consent import PersonalDataConsent
from bot.storage.sqlite.timefmt import to_db
from bot.texts import common as common_texts
from bot.texts import consent as t
from fake_telegram import DirectSession, FakeTelegram
from testkit.harness import BotHarness, Person, fake_telegram
from tests.conftest import OPERATORS_CHAT, TEST_TOKEN, BotDatabase, StartDispatcher

SCREEN = "Согласие на обработку персональных данных"
BUTTONS = ["✅ Согласен", "❌ Не согласен"]
RECOVERY = ["/recovery", ("press", "Другое"), ("press", "Обратиться в поддержку")]

# How each dialogue that collects personal data is opened, and its first question.
ENTRIES = {
    "phone command": (["/phone"], "Смена номера телефона"),
    "phone button": (["/start", ("press", "Сменить номер телефона")], "Смена номера телефона"),
    "recovery appeal": (RECOVERY, "Шаг 1 из 4"),
    "technical fault": (["/appeal", ("press", "Техническая неисправность")], "Шаг 1 из 4"),
    "service question": (["/appeal", ("press", "Вопрос по услуге")], "Шаг 1 из 3"),
    "consultation": (["/appeal", ("press", "Консультация")], "Шаг 1 из 2. Тема консультации"),
    "complaint from the appeal menu": (["/appeal", ("press", "Жалоба")], "Шаг 1 из 6"),
    "complaint command": (["/complaint"], "Шаг 1 из 6"),
    "callback command": (["/callback"], "Шаг 1 из 3. На какой номер позвонить?"),
    "callback button": (["/start", ("press", "Обратный звонок")], "Шаг 1 из 3"),
}


async def walk(harness: BotHarness, citizen: Person, path: list) -> list:
    replies: list = []
    for step in path:
        if isinstance(step, tuple):
            replies = await harness.press(citizen, step[1])
        else:
            replies = await harness.send(citizen, step)
    return replies


async def consents(database: BotDatabase, citizen: Person) -> list[tuple[str, str]]:
    rows = await database.fetchall(
        "SELECT version, given_at FROM consents WHERE user_id = ? ORDER BY given_at", (citizen.id,)
    )
    return [(row["version"], row["given_at"]) for row in rows]


@pytest.mark.parametrize("entry", ENTRIES)
async def test_every_dialogue_with_personal_data_asks_first_then_goes_on(
    harness: BotHarness,
    citizen: Person,
    database: BotDatabase,
    clock: ManualClock,
    entry: str,
) -> None:
    path, first_question = ENTRIES[entry]
    replies = await walk(harness, citizen, path)
    assert len(replies) == 1 and replies[0].text.startswith(SCREEN)
    assert replies[0].button_labels() == BUTTONS
    assert await harness.state(citizen) == PersonalDataConsent.waiting_for_answer.state
    assert await consents(database, citizen) == []

    replies = await harness.press(citizen, "Согласен")
    assert harness.telegram.callback_answers[-1].text == t.AGREED
    assert first_question in replies[-1].text, [reply.text for reply in replies]
    assert harness.last(citizen).button_labels() != BUTTONS
    assert await consents(database, citizen) == [("1", to_db(clock.now()))]

    # Asked once: the next dialogue that collects personal data opens at once (the phone
    # step, left for it, first says so and closes its contact keyboard).
    replies = await harness.send(citizen, "/complaint")
    assert replies[-1].text.startswith("Письменная жалоба")
    assert [reply.text for reply in replies[:-1]] in ([], [common_texts.KEYBOARD_CLOSED])


async def test_the_screen_says_what_why_how_long_who_and_how_to_withdraw(
    harness: BotHarness, citizen: Person, settings: Settings
) -> None:
    [screen] = await harness.send(citizen, "/complaint")
    for said in (
        "ФИО, СНИЛС, номер телефона, e-mail, паспортные данные",
        "Зачем:",
        f"ещё {settings.retention_days} дн. после закрытия",
        "Кто видит:",
        "специалисты поддержки",
        "/forget",
    ):
        assert said in screen.text, said
    assert "{retention_days}" not in screen.text


async def test_the_dialogue_begun_before_the_screen_goes_on_where_it_was(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    """Access recovery: the cause chosen before the screen is still there after «Согласен»."""
    await walk(harness, citizen, ["/recovery", ("press", "Сменил номер")])
    await harness.press(citizen, "Обратиться в поддержку")
    await harness.press(citizen, "Согласен")
    for answer in ("Иванова Анна", "112-233-445 95", "a@b.ru", "Не могу войти"):
        await harness.send(citizen, answer)
    replies = await harness.press(citizen, "Отправить")
    assert "Обращение зарегистрировано" in replies[0].text
    row = await database.fetchone("SELECT fields FROM appeals")
    assert '"cause": "changed_phone"' in row["fields"]
    assert "consent" not in row["fields"]


async def test_declining_explains_and_offers_help_and_the_callback_only(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await harness.send(citizen, "/phone")
    replies = await harness.press(citizen, "Не согласен")
    assert [reply.text for reply in replies] == [t.DECLINED]
    assert replies[0].button_labels() == ["❓ Помощь", "📞 Обратный звонок", "🏠 Главное меню"]
    assert await harness.state(citizen) is None
    assert await consents(database, citizen) == []
    # The help articles need no personal data.
    replies = await harness.press(citizen, "Помощь")
    assert "Как сменить номер телефона на портале" in replies[0].button_labels()[0]
    # The callback keeps a phone number, so it asks for the consent too.
    await harness.send(citizen, "/phone")
    await harness.press(citizen, "Не согласен")
    replies = await harness.press(citizen, "Обратный звонок")
    assert replies[0].text.startswith(SCREEN)
    replies = await harness.press(citizen, "Согласен")
    assert "На какой номер позвонить" in replies[-1].text


async def test_without_consent_nothing_is_collected(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await harness.send(citizen, "/complaint")
    replies = await harness.send(citizen, "Не дозвониться до поддержки")
    assert [reply.text for reply in replies] == [t.ANSWER_EXPECTED]
    assert replies[0].button_labels() == BUTTONS
    assert await harness.state(citizen) == PersonalDataConsent.waiting_for_answer.state
    assert "topic" not in await harness.data(citizen)
    replies = await harness.send_sticker(citizen)
    assert [reply.text for reply in replies] == [t.ANSWER_EXPECTED]
    # Leaving works as in every dialogue.
    replies = await harness.send(citizen, "/cancel")
    assert replies[0].text.startswith("Действие отменено")
    assert await harness.state(citizen) is None
    assert await consents(database, citizen) == []


async def test_dialogues_without_personal_data_do_not_ask(
    harness: BotHarness, citizen: Person
) -> None:
    for opening, answer in (
        ("/help", "Короткие ответы"),
        ("/checklist", "Что подготовить"),
        ("/my", "пока нет обращений"),
        ("/status", "номер обращения"),
    ):
        replies = await harness.send(citizen, opening)
        assert answer in replies[0].text, opening
        assert SCREEN not in replies[0].text
    await harness.send(citizen, "/appeal")
    replies = await harness.press(citizen, "Узнать статус")
    assert "номер обращения" in replies[0].text


async def test_forget_withdraws_the_consent(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await harness.send(citizen, "/complaint")
    await harness.press(citizen, "Согласен")
    assert len(await consents(database, citizen)) == 1
    await harness.send(citizen, "/forget")
    await harness.press(citizen, "Да, удалить мои данные")
    assert await consents(database, citizen) == []
    replies = await harness.send(citizen, "/complaint")
    assert replies[0].text.startswith(SCREEN)


async def test_a_stale_consent_button_changes_nothing(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    [screen] = await harness.send(citizen, "/complaint")
    [agree, _] = screen.inline_buttons()
    assert agree["text"] == BUTTONS[0]
    await harness.send(citizen, "/cancel")
    # Leaving the screen takes its buttons away; a press that comes anyway (the removal
    # failed, or raced the press) is a stale button's.
    shown = screen.chat.live_message(screen.message_id)
    assert shown is not None and shown.inline_buttons() == []
    await harness.press_data(citizen, agree["callback_data"], screen)
    assert harness.telegram.callback_answers[-1].show_alert
    assert await consents(database, citizen) == []
    assert await harness.state(citizen) is None


async def test_a_new_version_of_the_text_asks_again(
    settings: Settings,
    database: BotDatabase,
    clock: ManualClock,
    citizen: Person,
    tmp_path: Path,
    start_dispatcher: StartDispatcher,
) -> None:
    telegram = fake_telegram(TEST_TOKEN, OPERATORS_CHAT)
    start = start_dispatcher
    await harness_with_text(
        start, settings, database, clock, tmp_path, "1", citizen, True, telegram
    )
    clock.advance(days=30)
    second = await harness_with_text(
        start, settings, database, clock, tmp_path, "2", citizen, False, telegram
    )
    replies = await second.send(citizen, "/complaint")
    assert replies[0].text.startswith("Обновлённый текст")
    await second.press(citizen, "Согласен")
    versions = [version for version, _ in await consents(database, citizen)]
    assert versions == ["1", "2"]  # what was agreed to, and when, is kept for each version
    await second.bot.session.close()


async def harness_with_text(
    start: StartDispatcher,
    settings: Settings,
    database: BotDatabase,
    clock: ManualClock,
    folder: Path,
    version: str,
    citizen: Person,
    agree: bool,
    telegram: FakeTelegram,
) -> BotHarness:
    """The bot with this version of the consent text, on ``telegram`` (which outlives it)."""
    path = folder / f"consent-{version}.md"
    path.write_text(
        f"---\nversion: {version}\n---\n**Обновлённый текст** согласия, "
        f"версия {version}: срок {{retention_days}} дн.\n",
        encoding="utf-8",
    )
    configured = settings.model_copy(update={"consent_text_path": path})
    dispatcher = await start(configured, database, clock, telegram)
    harness = BotHarness(
        dispatcher, create_bot(configured, session=DirectSession(telegram)), telegram
    )
    if agree:
        await harness.send(citizen, "/complaint")
        await harness.press(citizen, "Согласен")
        await harness.send(citizen, "/cancel")
        assert await harness.state(citizen) is None
        await harness.bot.session.close()
    return harness


def test_the_built_in_text_fills_in_the_retention_period() -> None:
    text = load_consent(CONTENT_DIR / "consent.md", retention_days=90)
    assert text.version == "1"
    assert "ещё 90 дн. после закрытия" in text.html
    assert "<b>Согласие на обработку персональных данных</b>" in text.html


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Текст без заголовка", "нет заголовка"),
        ("---\ntitle: x\n---\nТекст", "version обязателен"),
        ("---\nversion: ''\n---\nТекст", "version обязателен"),
        ("---\nversion: 3\n---\n", "пустой текст"),
        ("---\nversion: 3\n---\n" + "я" * 5000, "длиннее 4096"),
    ],
)
def test_a_malformed_consent_file_stops_start_up_naming_it(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "consent.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ContentError, match=problem) as caught:
        load_consent(path, retention_days=365)
    assert str(caught.value).startswith("consent.md: ")

"""Property-based dialogue fuzzing: random update sequences from several citizens and an operator.

Invariants: no handler error escapes (the error handler never fires), every
citizen message gets an answer, every button press is answered exactly once,
every stored FSM state is a known state, no citizen receives another
citizen's data, and appeals in the database equal the confirmations sent.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from pathlib import Path

import pytest
from aiogram.fsm.state import StatesGroup
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

import bot.states.appeal
import bot.states.call_booking
import bot.states.complaint
import bot.states.consent
import bot.states.conversation
import bot.states.my_appeals
import bot.states.operators
import bot.states.phone
import bot.states.privacy
import bot.states.recovery
from bot.app import Application
from bot.domain.clock import ManualClock
from bot.factory import create_bot, create_dispatcher
from bot.settings import Settings
from fake_telegram import DirectSession
from testkit.harness import BotHarness, ButtonNotFound, Person, fake_telegram
from tests.conftest import BotDatabase, bot_database, cluster_settings
from tests.desk_helpers import dialogue_button_data

CITIZENS = [
    Person(id=5001 + index, first_name=name) for index, name in enumerate(["Анна", "Борис", "Вера"])
]
SCRIPTED = [
    "/start",
    "/cancel",
    "/complaint",
    "/phone",
    "/recovery",
    "/appeal",
    "/my",
    "/status",
    "/help",
    "/forget",
    "/checklist",
    "отмена",
    "меню",
    "+79123456789",
    "89123456789",
    "8 (495) 123-45-67",
    "112-233-445 95",
    "11223344596",
    "вчера 10:00",
    "20.11.2026 14:30",
    "Иванова Анна Петровна",
    "a@b.ru",
    "123456",
    "2026-000001",
    "2026-000002",
    "Готово",
    "не приходит смс",
    "хочу пожаловаться",
    "/callback",
    "перезвоните мне",
]
BUTTONS = [
    "Отправить",
    "Назад",
    "Отмена",
    "Пропустить",
    "Готово",
    "Не отвечали",
    "Жалоба",
    "Консультация",
    "Техническая",
    "Вопрос по услуге",
    "Узнать статус",
    "Другое",
    "Обратиться в поддержку",
    "Сменил номер",
    "Мои обращения",
    "Новое обращение",
    "Добавить комментарий",
    "№ 2026",
    "Раньше",
    "Отправить код ещё раз",
    "✏️",
    "Помощь",
    "Да, удалить",
    "📄",
    "Обратный звонок",
    "Позвонить на",
    "Сегодня",
    "Завтра",
    ":30",
    "Другой день",
    "Перенести звонок",
    "Отменить звонок",
    "Да, отменить звонок",
    "Согласен",
    "Не согласен",
]

KNOWN_STATES = {
    state.state
    for module in (
        bot.states.appeal,
        bot.states.call_booking,
        bot.states.complaint,
        bot.states.consent,
        bot.states.conversation,
        bot.states.my_appeals,
        bot.states.operators,
        bot.states.phone,
        bot.states.privacy,
        bot.states.recovery,
    )
    for group in vars(module).values()
    if isinstance(group, type) and issubclass(group, StatesGroup) and group is not StatesGroup
    for state in group.__all_states__
}

OPERATOR = Person(id=6001, first_name="Ирина")
OPERATORS_CHAT = -1009999999999
OPERATOR_BUTTONS = [
    "Взять в работу",
    "Закрыть",
    "Показать данные",
    "Шаблоны",
    "Закрыть без итога",
    "Не закрывать",
]
OPERATOR_COMMANDS = [
    "/open",
    "/stats",
    "/appeal 2026-000001",
    "/templates",
    "/history 2026-000001",
    "/ban",
    "/unban",
    "/cancel",
    "/help",
    "/template_add Привет | Здравствуйте!",
]

operator_actions = st.one_of(
    st.tuples(st.just("op_press"), st.sampled_from(OPERATOR_BUTTONS)),
    st.tuples(st.just("op_reply"), st.integers(0, 5)),
    st.tuples(st.just("op_command"), st.sampled_from(OPERATOR_COMMANDS)),
)

actions = st.one_of(
    st.tuples(st.just(-1), operator_actions),
    st.tuples(
        st.integers(0, len(CITIZENS) - 1),
        st.one_of(
            st.tuples(st.just("text"), st.sampled_from(SCRIPTED)),
            st.tuples(st.just("text"), st.text(min_size=0, max_size=120)),
            st.tuples(st.just("press"), st.sampled_from(BUTTONS)),
            st.tuples(st.just("forged"), st.sampled_from(["open", "comment", "junk"])),
            st.tuples(st.just("sticker"), st.none()),
            st.tuples(st.just("photo"), st.none()),
            st.tuples(st.just("document"), st.none()),
            st.tuples(st.just("contact"), st.booleans()),
            # A whole consultation in one step, so that operators have cards to act on.
            st.tuples(st.just("file"), st.none()),
        ),
    ),
)


def cards(harness: BotHarness) -> list:
    return [
        message
        for message in harness.messages_in(OPERATORS_CHAT)
        if message.text.split("\n")[0].startswith(("🆕", "🛠", "💬", "✅")) and not message.deleted
    ]


async def play_operator(
    harness: BotHarness, database: BotDatabase, kind: str, value: object
) -> None:
    """The operator acts on the cards shown; a reply names its citizen's marker."""
    shown = cards(harness)
    if kind == "op_command":
        await harness.send_to_group(OPERATOR, OPERATORS_CHAT, str(value))
        return
    if not shown:
        return
    card = shown[int(value) % len(shown)] if kind == "op_reply" else shown[-1]
    if kind == "op_press":
        with contextlib.suppress(ButtonNotFound):
            await harness.press(OPERATOR, str(value), message=card)
        return
    event("operator replied on a card")
    number = card.text.split("№ ")[1].split()[0]
    owner = await database.fetchone("SELECT citizen_id FROM appeals WHERE number = ?", (number,))
    text = f"Ответ для м{owner[0]}"
    if card.thread_id is not None:
        await harness.send_to_group(OPERATOR, OPERATORS_CHAT, text, thread_id=card.thread_id)
    else:
        await harness.send_to_group(OPERATOR, OPERATORS_CHAT, text, reply_to=card)


async def play(harness: BotHarness, citizen: Person, kind: str, value: object) -> str | None:
    """Perform one action; say what reached the bot: a "message", a "callback" or nothing."""
    marker = f"м{citizen.id}"
    if kind == "text":
        text = str(value)
        if text.strip() and not text.startswith("/"):
            text = f"{text} {marker}" if len(text) < 100 else text
        await harness.send(citizen, text or " ")
        return "message"
    if kind == "press":
        try:
            await harness.press(citizen, str(value))
        except ButtonNotFound:
            return None
        return "callback"
    if kind == "forged":
        # A button of the citizen's open dialogue (if any) naming an appeal that may be theirs.
        data = (
            "junk:" + marker
            if value == "junk"
            else dialogue_button_data(
                harness, citizen, {"open": "appeal:2026-000001", "comment": "comment"}[value]
            )
        )
        await harness.press_data(citizen, data)
        return "callback"
    if kind == "file":
        await harness.consent(citizen)  # filing is the point here; the screen is pressed at random
        await harness.send(citizen, "/appeal")
        await harness.press(citizen, "Консультация")
        await harness.send(citizen, f"Тема {marker}")
        await harness.send(citizen, f"Вопрос {marker}")
        await harness.press(citizen, "Отправить")
        return "message"
    if kind == "sticker":
        await harness.send_sticker(citizen)
    elif kind == "photo":
        await harness.send_photo(citizen)
    elif kind == "document":
        await harness.send_document(citizen)
    elif kind == "contact":
        await harness.send_contact(
            citizen, "+79123456789", owner_id=None if value else citizen.id + 1
        )
    return "message"


@pytest.fixture
def services(bot_backend: str, request: pytest.FixtureRequest) -> tuple[str, str] | None:
    """The servers of the [cluster] run, where each example gets a schema and prefix of its own."""
    return None if bot_backend == "sqlite" else request.getfixturevalue("cluster_services")


async def stored_states(config: Settings, database: BotDatabase) -> set[str]:
    """The FSM states stored: in ``fsm_sessions``, or in Redis (its keys ending ``:state``)."""
    if config.redis_url is None:
        return {row["state"] for row in await database.fetchall("SELECT state FROM fsm_sessions")}
    client = Redis.from_url(config.redis_url, decode_responses=True)
    try:
        keys = [
            key
            async for key in client.scan_iter(match=f"{config.redis_prefix}:*")
            if key.endswith(":state")
        ]
        return set(await client.mget(keys)) if keys else set()
    finally:
        await client.aclose()


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(actions, min_size=5, max_size=60), st.booleans())
async def test_random_dialogues_keep_every_invariant(caplog, services, steps, forum) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with contextlib.AsyncExitStack() as stack:
            config = Settings(
                _env_file=None,
                bot_token="123456789:FUZZ",
                database_path=Path(folder) / "bot.sqlite3",
                sms_outbox_path=Path(folder) / "sms.jsonl",
                throttle_messages=0,
                operators_chat_id=OPERATORS_CHAT,
            )
            if services is not None:
                config = await stack.enter_async_context(cluster_settings(config, services))
            database = bot_database(config)
            await database.connect()
            stack.push_async_callback(database.close)
            token = config.bot_token.get_secret_value()
            telegram = fake_telegram(token, OPERATORS_CHAT, forum=forum)
            if services is None:
                dispatcher = create_dispatcher(config, database, clock=ManualClock())
            else:  # as a cluster process runs: the Application's wiring, dialogues in Redis
                application = Application(
                    config, clock=ManualClock(), session=DirectSession(telegram)
                )
                dispatcher = (await stack.enter_async_context(application)).dispatcher
            harness = BotHarness(
                dispatcher, create_bot(config, session=DirectSession(telegram)), telegram
            )
            stack.push_async_callback(harness.bot.session.close)
            await keep_every_invariant(harness, database, config, caplog, steps)


async def keep_every_invariant(
    harness: BotHarness,
    database: BotDatabase,
    config: Settings,
    caplog: pytest.LogCaptureFixture,
    steps: list,
) -> None:
    telegram = harness.telegram
    harness.set_member(OPERATORS_CHAT, OPERATOR, "administrator")
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for who, (kind, value) in steps:
            if who < 0:
                await play_operator(harness, database, kind, value)
                continue
            citizen = CITIZENS[who]
            before = len(harness.messages_in(citizen.id))
            presses_before = len(telegram.callback_answers)
            arrived = await play(harness, citizen, kind, value)
            if arrived == "message":
                assert len(harness.messages_in(citizen.id)) > before, (kind, value)
            if arrived == "callback":
                assert len(telegram.callback_answers) == presses_before + 1, value
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    answered = [answer.query_id for answer in telegram.callback_answers]
    assert len(answered) == len(set(answered))
    assert {state for state in await stored_states(config, database) if state} <= KNOWN_STATES
    for citizen in CITIZENS:
        others = [f"м{other.id}" for other in CITIZENS if other is not citizen]
        for message in harness.messages_in(citizen.id):
            assert not any(marker in message.text for marker in others)
    if confirmations_seen := sum(
        "Обращение зарегистрировано" in message.text for message in harness.sent
    ):
        event(f"appeals filed: {min(confirmations_seen, 3)}")
    confirmations = sum("Обращение зарегистрировано" in message.text for message in harness.sent)
    count = await database.fetchone("SELECT COUNT(*) FROM appeals")
    assert count[0] == confirmations

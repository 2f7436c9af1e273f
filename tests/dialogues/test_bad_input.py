"""Bad input on every text step: a clear answer, the same state, nothing stored."""

from __future__ import annotations

import pytest

from testkit.harness import BotHarness, Person
from bot.states.appeal import NewAppeal
from bot.states.complaint import WrittenComplaint
from bot.states.my_appeals import MyAppeals
from bot.states.phone import PhoneChange
from bot.states.recovery import AccessRecovery
from bot.domain.models import AppealType
from bot.storage.sqlite.database import Database

RECOVERY = ["/recovery", ("press", "Другое"), ("press", "Обратиться в поддержку")]
TECHNICAL = ["/appeal", ("press", "Техническая неисправность")]
COMPLAINT = ["/complaint"]

# (path to the step, the state it must stay in, whether the step takes free text)
STEPS = {
    "phone": (["/phone"], PhoneChange.waiting_for_phone, False),
    "code": (["/phone", "+79123456789"], PhoneChange.waiting_for_code, False),
    "full_name": (RECOVERY, AccessRecovery.waiting_for_full_name, False),
    "snils": ([*RECOVERY, "Иванова Анна"], AccessRecovery.waiting_for_snils, False),
    "contact": ([*RECOVERY, "Иванова Анна", "11223344595"], AccessRecovery.waiting_for_contact,
                False),
    "recovery_description": (
        [*RECOVERY, "Иванова Анна", "11223344595", "a@b.ru"],
        AccessRecovery.waiting_for_description, True,
    ),
    "description": (TECHNICAL, NewAppeal.waiting_for_description, True),
    "error_text": ([*TECHNICAL, "Не работает"], NewAppeal.waiting_for_error_text, True),
    "occurred_at": ([*TECHNICAL, "Не работает", "Ошибка"], NewAppeal.waiting_for_occurred_at,
                    False),
    "application_number": (
        [*TECHNICAL, "Не работает", "Ошибка", "вчера"],
        NewAppeal.waiting_for_application_number, False,
    ),
    "service_name": (["/appeal", ("press", "Вопрос по услуге")],
                     NewAppeal.waiting_for_service_name, True),
    "topic": (["/appeal", ("press", "Консультация")], NewAppeal.waiting_for_topic, True),
    "complaint_topic": (COMPLAINT, WrittenComplaint.waiting_for_topic, True),
    "caller_phone": ([*COMPLAINT, "Тема"], WrittenComplaint.waiting_for_caller_phone, False),
    "attempts": ([*COMPLAINT, "Тема", "89123456789"], WrittenComplaint.waiting_for_attempts,
                 False),
    "errors": ([*COMPLAINT, "Тема", "89123456789", "вчера"], WrittenComplaint.waiting_for_errors,
               True),
    "desired_result": (
        [*COMPLAINT, "Тема", "89123456789", "вчера", "Сбой"],
        WrittenComplaint.waiting_for_desired_result, True,
    ),
    "appeal_number": (["/status"], MyAppeals.waiting_for_number, False),
}


async def walk(harness: BotHarness, citizen: Person, path: list) -> None:
    for step in path:
        if isinstance(step, tuple):
            await harness.press(citizen, step[1])
        else:
            await harness.send(citizen, step)


async def assert_refused(harness: BotHarness, citizen: Person, database: Database, state,
                         replies) -> None:
    assert replies, "the bot must answer"
    assert all(reply.text.strip() for reply in replies)
    assert await harness.state(citizen) == state.state
    count = await database.fetchone("SELECT COUNT(*) FROM appeals")
    assert count[0] == 0


@pytest.mark.parametrize("step", STEPS)
async def test_blank_text_is_refused(harness: BotHarness, citizen: Person, database: Database,
                                     step: str) -> None:
    path, state, _ = STEPS[step]
    await walk(harness, citizen, path)
    data_before = await harness.data(citizen)
    replies = await harness.send(citizen, "   ")
    await assert_refused(harness, citizen, database, state, replies)
    assert await harness.data(citizen) == data_before


@pytest.mark.parametrize("step", STEPS)
async def test_sticker_is_refused(harness: BotHarness, citizen: Person, database: Database,
                                  step: str) -> None:
    path, state, _ = STEPS[step]
    await walk(harness, citizen, path)
    replies = await harness.send_sticker(citizen)
    await assert_refused(harness, citizen, database, state, replies)


@pytest.mark.parametrize("step", STEPS)
async def test_ten_thousand_characters_are_refused(
    harness: BotHarness, citizen: Person, database: Database, step: str
) -> None:
    path, state, free_text = STEPS[step]
    await walk(harness, citizen, path)
    replies = await harness.send(citizen, "я" * 10_000)
    await assert_refused(harness, citizen, database, state, replies)
    if free_text:
        assert "Слишком длинный текст: 10000 символов" in replies[0].text


async def test_someone_elses_appeal_number_in_the_comment_flow_is_not_available(
    harness: BotHarness, citizen: Person, other_citizen: Person
) -> None:
    appeal = await harness.dispatcher["appeals"].file(
        other_citizen.id, other_citizen.id, AppealType.TECHNICAL, {"description": "x"}
    )
    replies = await harness.send(citizen, f"/status {appeal.number}")
    assert "Подробности видны только автору" in replies[0].text
    assert "Добавить комментарий" not in replies[0].buttons

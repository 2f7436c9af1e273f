"""Bad input on every text step: a clear answer, the same state, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from aiogram.fsm.state import State

from bot.domain.models import AppealType
from bot.states.appeal import NewAppeal
from bot.states.complaint import WrittenComplaint
from bot.states.my_appeals import MyAppeals
from bot.states.phone import PhoneChange
from bot.states.recovery import AccessRecovery
from bot.texts import common as common_texts
from bot.texts import phone as phone_texts
from bot.texts import render, validation
from fake_telegram import StoredMessage
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")

RECOVERY = ["/recovery", ("press", "Другое"), ("press", "Обратиться в поддержку")]
TECHNICAL = ["/appeal", ("press", "Техническая неисправность")]
COMPLAINT = ["/complaint"]
LONG = "я" * 10_000


def too_long(limit: int) -> str:
    return render(validation.GENERIC["too_long"], length=len(LONG), limit=limit)


@dataclass(frozen=True)
class BadInputStep:
    """A text step, and the reason it gives for each kind of bad input."""

    path: list
    state: State
    blank: str  # "   ", and a message of invisible characters only
    long: str  # ten thousand letters
    sticker: str = common_texts.TEXT_EXPECTED  # the reply starts with it


STEPS = {
    "phone": BadInputStep(
        ["/phone"],
        PhoneChange.waiting_for_phone,
        validation.PHONE["empty"],
        validation.PHONE["not_a_number"],
        phone_texts.PHONE_EXPECTED,
    ),
    "code": BadInputStep(
        ["/phone", "+79123456789"],
        PhoneChange.waiting_for_code,
        validation.CODE["empty"],
        validation.CODE["code_format"],
        phone_texts.CODE_EXPECTED,
    ),
    "full_name": BadInputStep(
        RECOVERY,
        AccessRecovery.waiting_for_full_name,
        validation.FULL_NAME["empty"],
        validation.FULL_NAME["too_long"],
    ),
    "snils": BadInputStep(
        [*RECOVERY, "Иванова Анна"],
        AccessRecovery.waiting_for_snils,
        validation.SNILS["empty"],
        validation.SNILS["snils_format"],
    ),
    "contact": BadInputStep(
        [*RECOVERY, "Иванова Анна", "11223344595"],
        AccessRecovery.waiting_for_contact,
        validation.CONTACT["empty"],
        validation.CONTACT["contact"],
    ),
    "recovery_description": BadInputStep(
        [*RECOVERY, "Иванова Анна", "11223344595", "a@b.ru"],
        AccessRecovery.waiting_for_description,
        validation.GENERIC["empty"],
        too_long(2000),
    ),
    "description": BadInputStep(
        TECHNICAL, NewAppeal.waiting_for_description, validation.GENERIC["empty"], too_long(2000)
    ),
    "error_text": BadInputStep(
        [*TECHNICAL, "Не работает"],
        NewAppeal.waiting_for_error_text,
        validation.GENERIC["empty"],
        too_long(1000),
    ),
    "occurred_at": BadInputStep(
        [*TECHNICAL, "Не работает", "Ошибка"],
        NewAppeal.waiting_for_occurred_at,
        validation.MOMENTS["empty"],
        validation.MOMENTS["date_format"],
    ),
    "application_number": BadInputStep(
        [*TECHNICAL, "Не работает", "Ошибка", "вчера"],
        NewAppeal.waiting_for_application_number,
        validation.APPLICATION_NUMBER["empty"],
        validation.APPLICATION_NUMBER["not_a_number"],
    ),
    "service_name": BadInputStep(
        ["/appeal", ("press", "Вопрос по услуге")],
        NewAppeal.waiting_for_service_name,
        validation.GENERIC["empty"],
        too_long(200),
    ),
    "topic": BadInputStep(
        ["/appeal", ("press", "Консультация")],
        NewAppeal.waiting_for_topic,
        validation.GENERIC["empty"],
        too_long(200),
    ),
    "complaint_topic": BadInputStep(
        COMPLAINT, WrittenComplaint.waiting_for_topic, validation.GENERIC["empty"], too_long(200)
    ),
    "caller_phone": BadInputStep(
        [*COMPLAINT, "Тема"],
        WrittenComplaint.waiting_for_caller_phone,
        validation.CALLER_PHONE["empty"],
        validation.CALLER_PHONE["not_a_number"],
    ),
    "attempts": BadInputStep(
        [*COMPLAINT, "Тема", "89123456789"],
        WrittenComplaint.waiting_for_attempts,
        validation.MOMENTS_SEVERAL["empty"],
        render(validation.MOMENTS_SEVERAL["date_format"], piece="я" * 29 + "…"),
    ),
    "errors": BadInputStep(
        [*COMPLAINT, "Тема", "89123456789", "вчера"],
        WrittenComplaint.waiting_for_errors,
        validation.GENERIC["empty"],
        too_long(1000),
    ),
    "desired_result": BadInputStep(
        [*COMPLAINT, "Тема", "89123456789", "вчера", "Сбой"],
        WrittenComplaint.waiting_for_desired_result,
        validation.GENERIC["empty"],
        too_long(1000),
    ),
    "appeal_number": BadInputStep(
        ["/status"],
        MyAppeals.waiting_for_number,
        validation.APPEAL_NUMBER["empty"],
        validation.APPEAL_NUMBER["appeal_number"],
    ),
}


async def walk(harness: BotHarness, citizen: Person, path: list) -> None:
    for step in path:
        if isinstance(step, tuple):
            await harness.press(citizen, step[1])
        else:
            await harness.send(citizen, step)


async def assert_refused(
    harness: BotHarness,
    citizen: Person,
    database: BotDatabase,
    step: BadInputStep,
    replies: list[StoredMessage],
    reason: str,
) -> None:
    """One answer, with the step's own reason: not the apology of the error handler."""
    assert [reply.chat.id for reply in replies] == [citizen.id], "one answer, to the citizen"
    assert replies[0].text == reason or replies[0].text.startswith(reason + "\n"), replies[0].text
    assert await harness.state(citizen) == step.state.state
    count = await database.fetchone("SELECT COUNT(*) FROM appeals")
    assert count[0] == 0


@pytest.mark.parametrize(
    "text", ["   ", "\u200b\u2060\ufeff", "\x00"], ids=["blank", "zero_width", "nul"]
)
@pytest.mark.parametrize("name", STEPS)
async def test_blank_and_invisible_text_is_refused(
    harness: BotHarness, citizen: Person, database: BotDatabase, name: str, text: str
) -> None:
    step = STEPS[name]
    await walk(harness, citizen, step.path)
    data_before = await harness.data(citizen)
    replies = await harness.send(citizen, text)
    await assert_refused(harness, citizen, database, step, replies, step.blank)
    assert await harness.data(citizen) == data_before


@pytest.mark.parametrize("name", STEPS)
async def test_sticker_is_refused(
    harness: BotHarness, citizen: Person, database: BotDatabase, name: str
) -> None:
    step = STEPS[name]
    await walk(harness, citizen, step.path)
    replies = await harness.send_sticker(citizen)
    await assert_refused(harness, citizen, database, step, replies, step.sticker)


@pytest.mark.parametrize("name", STEPS)
async def test_ten_thousand_characters_are_refused(
    harness: BotHarness, citizen: Person, database: BotDatabase, name: str
) -> None:
    step = STEPS[name]
    await walk(harness, citizen, step.path)
    replies = await harness.send(citizen, LONG)
    await assert_refused(harness, citizen, database, step, replies, step.long)


async def test_someone_elses_appeal_number_in_the_comment_flow_is_not_available(
    harness: BotHarness, citizen: Person, other_citizen: Person
) -> None:
    appeal = await harness.dispatcher["appeals"].file(
        other_citizen.id, other_citizen.id, AppealType.TECHNICAL, {"description": "x"}
    )
    replies = await harness.send(citizen, f"/status {appeal.number}")
    assert "Подробности видны только автору" in replies[0].text
    assert "Добавить комментарий" not in replies[0].button_labels()

"""A press of «Отправить» whose process died mid-way is handled again: one appeal, and the
citizen is told its number.

Updates are handled at least once. A process that dies while it handles one (SIGKILL, or a
shutdown that cuts it off) leaves it unfinished in the inbox; the next run on SQLite, or
another process of the cluster once the lease has run out, handles the same update again.
Here the first process is cut off at a call to Telegram (the call hangs and its handling is
cancelled: the inbox keeps it unfinished, as after a kill), and a second bot process on the
same database (and Redis) takes the same update over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Router
from aiogram.types import Update

from bot.app import Application
from bot.domain.clock import ManualClock
from bot.handlers import get_routers
from bot.handlers.conversation import FiledReview
from bot.settings import Settings
from bot.states.appeal import NewAppeal
from bot.states.call_booking import CallbackRequest
from bot.states.complaint import WrittenComplaint
from bot.states.recovery import AccessRecovery
from bot.texts.common import STALE_BUTTON, UNEXPECTED_ERROR
from fake_telegram import DirectSession, FakeTelegram, StoredMessage
from testkit.harness import BotHarness, Person
from tests.conftest import OPERATORS_CHAT
from tests.dialogues.test_complaint import fill_complaint

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")

HANG = 3600.0  # seconds a call to Telegram hangs: the process is cut off well before


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Calls can be booked for this afternoon (Monday 23.11.2026, 12:00 in Moscow).
    return settings.model_copy(
        update={"working_hours": "mon-fri 09:00-18:00", "callback_operators_per_slot": 1}
    )


@pytest.fixture
async def second_process(
    harness: BotHarness, clock: ManualClock, telegram: FakeTelegram
) -> AsyncIterator[BotHarness]:
    """Another bot process on the first one's database (and Redis): a restart on SQLite, a
    second worker of the cluster."""
    configured: Settings = harness.dispatcher["settings"]
    async with Application(configured, clock=clock, session=DirectSession(telegram)) as process:
        yield BotHarness(process.dispatcher, process.bot, telegram)


async def press_and_die(
    harness: BotHarness, citizen: Person, message: StoredMessage, *, dies_at: str
) -> dict[str, Any]:
    """The citizen presses «Отправить»; the process handling the press is cut off at its call
    of ``dies_at`` to Telegram in the citizen's chat. The update, as Telegram sent it."""
    telegram = harness.telegram
    telegram.delay_next(dies_at, HANG, chat_id=citizen.id)
    [label] = [label for label in message.button_labels() if "Отправить" in label]
    await telegram.press_button(harness.user(citizen), message, label)
    [update] = telegram.updates.undelivered()
    telegram.updates.acknowledge(update)
    handling = asyncio.create_task(
        harness.dispatcher.feed_update(
            harness.bot, Update.model_validate(update, context={"bot": harness.bot})
        )
    )
    await telegram.wait_until(
        lambda: any(call.status is None for call in telegram.calls_to(dies_at)),
        description=f"the press's handling calls {dies_at}",
    )
    handling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await handling
    return update


async def take_over(
    second: BotHarness, update: dict[str, Any], clock: ManualClock
) -> list[StoredMessage]:
    """The second process handles the same update (after the first one's lease has run out:
    the cluster's rule; on SQLite every other run is gone)."""
    lease: float = second.dispatcher["settings"].inbox_lease_seconds
    clock.advance(seconds=lease + 1)
    return await second.act(second.telegram.redeliver_update(update["update_id"]))


async def consultation_review(harness: BotHarness, citizen: Person) -> StoredMessage:
    await harness.send(citizen, "/appeal")
    await harness.press(citizen, "Консультация")
    await harness.send(citizen, "Пособия")
    [review] = await harness.send(citizen, "Какие документы нужны?")
    assert "Проверьте обращение" in (review.text or "")
    return review


async def complaint_review(harness: BotHarness, citizen: Person) -> StoredMessage:
    await fill_complaint(harness, citizen)
    [review] = await harness.press(citizen, "Пропустить")
    assert "Проверьте жалобу" in (review.text or "")
    return review


def to(citizen: Person, replies: list[StoredMessage]) -> list[StoredMessage]:
    """The replies in the citizen's chat (the operators' chat gets the card meanwhile)."""
    return [reply for reply in replies if reply.chat.id == citizen.id]


async def filed_numbers(process: BotHarness, citizen: Person) -> list[str]:
    """The numbers of the citizen's appeals, as «Мои обращения» lists them."""
    page = await process.dispatcher["appeals"].page_for(citizen.id, 0)
    return [appeal.number for appeal in page.items]


def texts_with(harness: BotHarness, chat_id: int, needle: str) -> list[str]:
    return [m.text or "" for m in harness.messages_in(chat_id) if needle in (m.text or "")]


async def test_a_press_cut_off_after_the_filing_is_told_the_number_of_that_appeal(
    harness: BotHarness,
    second_process: BotHarness,
    citizen: Person,
    clock: ManualClock,
) -> None:
    review = await consultation_review(harness, citizen)
    # Filed and committed; the process dies sending the number.
    update = await press_and_die(harness, citizen, review, dies_at="sendMessage")
    assert texts_with(harness, citizen.id, "Номер:") == []

    [told] = to(citizen, await take_over(second_process, update, clock))

    assert "Номер: 2026-000001" in (told.text or "")
    # One appeal: the number the citizen sees is the one stored, its card posted once.
    assert await filed_numbers(second_process, citizen) == ["2026-000001"]
    assert len(texts_with(harness, OPERATORS_CHAT, "Обращение № 2026-000001")) == 1
    # And the dialogue is over: the review's buttons are gone, the next press is stale.
    assert await second_process.state(citizen) is None
    assert review.inline_buttons() == []
    [answer] = await second_process.send(citizen, "/my")
    assert "всего 1," in (answer.text or "")


async def test_a_press_cut_off_after_the_number_was_sent_files_nothing_more(
    harness: BotHarness,
    second_process: BotHarness,
    citizen: Person,
    clock: ManualClock,
) -> None:
    review = await consultation_review(harness, citizen)
    # The number is sent and the dialogue closed; the process dies taking the review's
    # buttons away.
    update = await press_and_die(harness, citizen, review, dies_at="editMessageReplyMarkup")
    assert len(texts_with(harness, citizen.id, "Номер: 2026-000001")) == 1

    answered = len(harness.telegram.calls_to("answerCallbackQuery"))
    replies = await take_over(second_process, update, clock)

    # As any press of a finished dialogue's button: stale (Telegram may refuse this second
    # answer to the press, which the first process answered as it stopped).
    assert to(citizen, replies) == []
    assert STALE_BUTTON in [
        call.params.get("text")
        for call in harness.telegram.calls_to("answerCallbackQuery")[answered:]
    ]
    assert len(texts_with(harness, citizen.id, "Номер:")) == 1
    assert await filed_numbers(second_process, citizen) == ["2026-000001"]
    assert len(texts_with(harness, OPERATORS_CHAT, "Обращение № 2026-000001")) == 1


async def test_a_call_booking_cut_off_after_the_filing_is_told_its_number_and_time(
    harness: BotHarness,
    second_process: BotHarness,
    citizen: Person,
    clock: ManualClock,
) -> None:
    await harness.send(citizen, "/start")
    await harness.press(citizen, "Обратный звонок")
    await harness.send(citizen, "+79123456789")
    await harness.send(citizen, "Не приходит код")
    await harness.press(citizen, "Сегодня")
    [review] = await harness.press(citizen, "14:00")
    assert (review.text or "").startswith("Проверьте заказ обратного звонка")

    update = await press_and_die(harness, citizen, review, dies_at="sendMessage")
    [told] = to(citizen, await take_over(second_process, update, clock))

    # The slot holds one call, this very one: the press is told it is booked, not refused.
    assert (told.text or "").startswith(
        "✅ Обращение зарегистрировано: обратный звонок заказан.\nНомер: 2026-000001\n"
        "Позвоним: 23.11.2026 (пн) в 14:00"
    )
    assert await filed_numbers(second_process, citizen) == ["2026-000001"]
    assert await second_process.state(citizen) is None


@pytest.mark.errors_expected
async def test_a_number_telegram_refused_to_send_leaves_no_second_filing(
    harness: BotHarness, citizen: Person, caplog: pytest.LogCaptureFixture
) -> None:
    """Not a death: the send fails and the handler goes on to the error handler, which
    apologises. The dialogue is closed all the same, so «Отправить» cannot file again."""
    review = await consultation_review(harness, citizen)
    [send] = [b["callback_data"] for b in review.inline_buttons() if "Отправить" in b["text"]]
    harness.telegram.fail_next("sendMessage", 502, chat_id=citizen.id)

    replies = await harness.press(citizen, "Отправить", message=review)

    assert [reply.text for reply in to(citizen, replies)] == [UNEXPECTED_ERROR]
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) == 1 and "TelegramServerError in update" in errors[0].getMessage()
    assert await harness.state(citizen) is None
    assert review.inline_buttons() == []
    # The number is in «Мои обращения»; pressing the review's button again files nothing.
    await harness.press_data(citizen, send, review)
    assert await filed_numbers(harness, citizen) == ["2026-000001"]


async def test_a_new_press_while_the_cut_off_one_waits_files_nothing_more(
    harness: BotHarness,
    second_process: BotHarness,
    citizen: Person,
    clock: ManualClock,
) -> None:
    """The filing names its dialogue, not only its update: «Отправить» pressed again before
    the cut-off press is taken over (the review is still open) gives the same appeal."""
    review = await consultation_review(harness, citizen)
    update = await press_and_die(harness, citizen, review, dies_at="sendMessage")

    replies = to(citizen, await second_process.press(citizen, "Отправить", message=review))

    assert ["Номер: 2026-000001" in (reply.text or "") for reply in replies] == [True]
    assert await filed_numbers(second_process, citizen) == ["2026-000001"]
    assert len(texts_with(harness, OPERATORS_CHAT, "Обращение № 2026-000001")) == 1
    assert await second_process.state(citizen) is None
    # The cut-off press, taken over at last, meets the closed dialogue.
    assert to(citizen, await take_over(second_process, update, clock)) == []
    assert len(texts_with(harness, citizen.id, "Номер:")) == 1


@pytest.mark.parametrize(
    ("review_of", "act"),
    [
        # «Отмена» cannot take back a filed appeal: not «Действие отменено».
        ("consultation", "press Отмена"),
        # A field's «Изменить» cannot change it: the edit is not taken (the next
        # «Отправить» would drop it).
        ("complaint", "press ✏️ Желаемый результат"),
        # Not «Нажмите «Отправить»».
        ("consultation", "sticker"),
    ],
)
async def test_over_a_review_whose_appeal_was_filed_the_citizen_is_told_its_number(
    harness: BotHarness,
    second_process: BotHarness,
    citizen: Person,
    clock: ManualClock,
    review_of: str,
    act: str,
) -> None:
    reviews = {"consultation": consultation_review, "complaint": complaint_review}
    review = await reviews[review_of](harness, citizen)
    await press_and_die(harness, citizen, review, dies_at="sendMessage")

    if act == "sticker":
        replies = await second_process.send_sticker(citizen)
    else:
        replies = await second_process.press(citizen, act.removeprefix("press "), message=review)

    texts = [reply.text or "" for reply in to(citizen, replies)]
    assert ["Номер: 2026-000001" in text for text in texts] == [True], texts
    assert await second_process.state(citizen) is None
    assert len(texts_with(harness, citizen.id, "Номер:")) == 1
    assert await filed_numbers(second_process, citizen) == ["2026-000001"]


@pytest.mark.parametrize("sent", ["text", "photo"])
async def test_a_message_over_a_review_whose_appeal_was_filed_is_told_the_number(
    harness: BotHarness,
    second_process: BotHarness,
    citizen: Person,
    clock: ManualClock,
    sent: str,
) -> None:
    """Not «press Отправить»: the appeal is filed. The citizen is told its number, the
    dialogue is closed, and the message is what it is outside dialogues (an addition)."""
    review = await consultation_review(harness, citizen)
    update = await press_and_die(harness, citizen, review, dies_at="sendMessage")

    if sent == "text":
        replies = await second_process.send(citizen, "Ребёнку 2 года")
    else:
        replies = await second_process.send_photo(citizen, caption="Скан справки")

    texts = [reply.text or "" for reply in to(citizen, replies)]
    assert "Номер: 2026-000001" in texts[0], texts
    assert any("Сообщение пока никуда не отправлено" in text for text in texts[1:]), texts
    assert not any("Нажмите «Отправить»" in text for text in texts), texts
    assert await second_process.state(citizen) is None
    assert to(citizen, await take_over(second_process, update, clock)) == []
    assert await filed_numbers(second_process, citizen) == ["2026-000001"]


def test_the_reviews_watched_are_the_windows_whose_submit_files(
    settings: Settings, clock: ManualClock
) -> None:
    """The reviews are found from the dialogues (the windows with «Отправить»), not kept
    by hand: these four, no fewer, no more."""

    def routers(tree: list[Router]) -> list[Router]:
        return [r for router in tree for r in (router, *routers(router.sub_routers))]

    found = [
        event_filter.callback
        for router in routers(get_routers(settings, clock))
        for handler in router.message.handlers
        for event_filter in handler.filters or []
        if isinstance(event_filter.callback, FiledReview)
    ]
    assert [watching.reviews for watching in found] == [
        {
            WrittenComplaint.reviewing,
            NewAppeal.confirming,
            AccessRecovery.confirming,
            CallbackRequest.confirming,
        }
    ]

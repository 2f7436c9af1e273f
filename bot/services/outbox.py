"""The background sender: delivers outbox rows to the operators' chat and to citizens.

One sender per bot process; one delivery at a time, so that an appeal never
gets two topics. Rows of a lane (an appeal's operators' side, or its citizen
side) go strictly in order; a row that must wait (flood control, a network
error, the operators' chat budget) holds back its lane only.

* Delivered once: a row is marked delivered right after Telegram accepted
  it; a restart resumes the rows still pending. ``stop()`` lets the delivery
  in flight finish and be recorded, so a clean restart sends nothing twice.
  (Only a crash between Telegram's answer and the commit could repeat one
  message: the outbox prefers a rare duplicate to a lost answer.)
* ``TelegramRetryAfter``: the row, and for the operators' chat every row to
  it, waits as long as Telegram says. Network errors and 5xx: exponential
  backoff, retried until delivered.
* "message thread not found" (a topic deleted by hand): a new topic is created
  with a fresh card, and the message goes there.
* The citizen blocked the bot: the row is dropped, the card says so, the
  sender goes on. A card that can no longer be edited is sent anew.
* After /forget, deletions of the appeal's messages in the operators' chat are
  rows too (kind ``delete``), within the chat's budget; one already gone is done.
* Failures that are not Telegram's (the disk is full, a bug): one log line
  when they start, backoff while they last, one line when it works again.
  A lost or corrupt database stops the sender without a word (the
  application reports it and stops).

Tests call :meth:`OutboxSender.run_once` / :meth:`drain` with a manual clock;
the background task only adds waiting between passes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    CreateForumTopic,
    DeleteMessage,
    EditMessageCaption,
    EditMessageText,
    ReopenForumTopic,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)

from bot.domain.clock import Clock
from bot.domain.deadlines import AppealDeadlines
from bot.domain.desks import DeskMap
from bot.domain.models import (
    SYSTEM,
    Appeal,
    AppealChange,
    AppealEvent,
    AppealThread,
    Audience,
    CitizenFlags,
    EventKind,
    MessageRef,
    NewEvent,
    OutboxItem,
    OutboxKind,
)
from bot.services.deadlines import SUPERVISORS, DeadlineService
from bot.services.desk import PREVIOUS_DESK, OutboxSignal, blocked_change
from bot.storage.faults import FaultEpisode, StorageFault
from bot.storage.repositories import DeskRepository, OutboxRepository

logger = logging.getLogger(__name__)

_SEND_METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "sendMessage": SendMessage,
    "sendPhoto": SendPhoto,
    "sendDocument": SendDocument,
    "sendMediaGroup": SendMediaGroup,
}
_EDIT_METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "editMessageText": EditMessageText,
    "editMessageCaption": EditMessageCaption,
}
_MEDIA = {"photo": InputMediaPhoto, "document": InputMediaDocument}
_UNEXPECTED_ERROR_ATTEMPTS = 5
# Pauses between passes while they keep failing (not Telegram's errors: a full disk, a bug).
FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 60.0


def _says(error: TelegramAPIError, *fragments: str) -> bool:
    text = error.message.lower()
    return any(fragment.lower() in text for fragment in fragments)


def _thread_lost(error: TelegramAPIError) -> bool:
    return _says(error, "message thread not found", "TOPIC_DELETED", "TOPIC_ID_INVALID")


def _message_gone(error: TelegramAPIError) -> bool:
    return _says(
        error, "message to edit not found", "message can't be edited", "MESSAGE_ID_INVALID"
    )


def _citizen_unreachable(error: TelegramAPIError) -> bool:
    return isinstance(error, TelegramForbiddenError) or _says(error, "chat not found")


def _operators_chat_unusable(error: TelegramAPIError) -> bool:
    return not isinstance(error, TelegramBadRequest) or _says(
        error, "chat not found", "not enough rights", "have no rights", "CHAT_WRITE_FORBIDDEN"
    )


class OperatorCards(Protocol):
    """What the outbox's rows say, rendered at send time: how an appeal looks in the
    operators' chat (from the rows as they are then), and every message kept as a kind and
    its values (:mod:`bot.services.messages`): :class:`bot.rendering.outbox.OutboxRendering`."""

    def messages(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """A message row's payloads to send, in order (one, or a long text's parts)."""
        ...

    def edit(self, payload: dict[str, Any]) -> dict[str, Any]:
        """An edit row's ``method`` and ``params`` (absent: it cannot be edited) and the
        ``fallback`` payloads sent instead."""
        ...

    def topic_title(self, appeal: Appeal) -> str: ...

    def card(
        self,
        appeal: Appeal,
        flags: CitizenFlags,
        events: list[AppealEvent],
        *,
        forum: bool,
        deadlines: AppealDeadlines | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]: ...


class _Throttled(Exception):
    """A desk chat's budget is spent (or Telegram paused it) for now; nothing was sent."""


class SendBudget(Protocol):
    """Messages the bot may still send now; shared by the cluster when kept in Redis."""

    async def try_take(self) -> bool:
        """Take one message from the budget; False (taking nothing) when it is spent."""
        ...


# The budget of one desk chat, by its id (each group has Telegram's 20 a minute of its own).
BudgetFactory = Callable[[int], SendBudget]


class RateWindow:
    """At most ``limit`` calls in any ``period`` (a sliding window on the clock), in this
    process's memory: the budget of one bot process."""

    def __init__(self, limit: int, period: timedelta, clock: Clock) -> None:
        self._limit = limit
        self._period = period
        self._clock = clock
        self._calls: deque[datetime] = deque()

    def _trim(self) -> None:
        horizon = self._clock.now() - self._period
        while self._calls and self._calls[0] <= horizon:
            self._calls.popleft()

    async def try_take(self) -> bool:
        self._trim()
        if len(self._calls) >= self._limit:
            return False
        self._calls.append(self._clock.now())
        return True

    def free_at(self) -> datetime:
        self._trim()
        if len(self._calls) < self._limit:
            return self._clock.now()
        return self._calls[0] + self._period


class OutboxSender:
    def __init__(
        self,
        outbox: OutboxRepository,
        desk: DeskRepository,
        clock: Clock,
        signal: OutboxSignal,
        *,
        desks: DeskMap,
        cards: OperatorCards,
        operators_per_minute: int = 20,
        supervisors_chat_id: int | None = None,
        deadlines: DeadlineService | None = None,
        batch: int = 50,
        max_backoff: timedelta = timedelta(minutes=5),
        idle_poll_seconds: float = 30.0,
        lease: timedelta = timedelta(seconds=60),
        operators_budgets: BudgetFactory | None = None,
        global_budget: SendBudget | None = None,
    ) -> None:
        """``lease``: how long a row claimed by this sender stays out of other senders' reach
        (several bot processes share the outbox); delivering it ends the lease sooner.

        ``desks``: the operators' chats and the appeal types each serves (DESKS).
        ``operators_budgets``: each desk chat's messages per minute, by chat id (default:
        this process's own window of ``operators_per_minute`` per chat); ``global_budget``:
        the bot's messages per second to anyone (default: none). The cluster shares both in
        Redis."""
        self._outbox = outbox
        self._desk = desk
        self._clock = clock
        self._signal = signal
        self._desks = desks
        self._cards = cards
        self._new_budget: BudgetFactory = operators_budgets or (
            lambda _chat_id: RateWindow(operators_per_minute, timedelta(minutes=1), clock)
        )
        self._budgets: dict[int, SendBudget] = {}
        self._global_budget = global_budget
        self._supervisors_chat_id = supervisors_chat_id
        # Another group: a budget of its own, so that escalations never slow the cards.
        self._supervisors_limiter = RateWindow(operators_per_minute, timedelta(minutes=1), clock)
        self._deadlines = deadlines
        self._batch = batch
        self._max_backoff = max_backoff
        self._idle_poll = idle_poll_seconds
        self._lease = lease
        self.claimer = uuid.uuid4().hex
        self._forum: dict[int, bool] = {}
        # Per desk chat: Telegram's flood control paused it until then; its budget is spent
        # for the rest of this pass.
        self._paused_until: dict[int, datetime] = {}
        self._spent: set[int] = set()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._warned_unconfigured = False
        self._trouble = FaultEpisode(
            logger,
            "Outbox delivery",
            first_delay=FIRST_PAUSE_SECONDS,
            max_delay=LONGEST_PAUSE_SECONDS,
        )

    # --- running ------------------------------------------------------------------

    def start(self, bot: Bot) -> None:
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self._task = asyncio.create_task(self._run(bot), name="outbox-sender")

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the delivery in flight (it is recorded), then stop."""
        self._stopping = True
        self._signal.notify()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(task, timeout)
        except TimeoutError:
            logger.warning(
                "Outbox sender did not stop in %.0f s; pending rows resume later", timeout
            )
        try:
            await self._outbox.release(self.claimer)  # other processes need not wait the lease
        except Exception as error:  # noqa: BLE001 - the leases run out by themselves
            logger.warning("Outbox claims not released: %s: %s", type(error).__name__, error)

    async def _run(self, bot: Bot) -> None:
        while not self._stopping:
            try:
                handled = await self.run_once(bot)
                idle = 0.0 if handled else await self._idle_seconds()
            except StorageFault:
                return
            except Exception as error:  # noqa: BLE001 - a bad pass (disk full) must not end it
                await self._signal.wait(self._trouble.failed(error))
                continue
            self._trouble.succeeded()
            if idle and not self._stopping:
                await self._signal.wait(idle)

    async def _idle_seconds(self) -> float:
        now = self._clock.now()
        paused = [moment for moment in self._paused_until.values() if moment > now]
        moments = [moment for moment in (await self._outbox.next_due(), *paused) if moment]
        if not moments:
            return self._idle_poll
        wait = (min(moments) - self._clock.now()).total_seconds()
        return min(max(wait, 0.05), self._idle_poll)

    async def drain(self, bot: Bot, max_passes: int = 1000) -> int:
        """Deliver until nothing is due now; the number of rows tried."""
        total = 0
        for _ in range(max_passes):
            handled = await self.run_once(bot)
            if handled == 0:
                break
            total += handled
        return total

    async def run_once(self, bot: Bot, limit: int | None = None) -> int:
        """One pass over the due head of every lane; the number of rows tried.

        The rows are claimed first, so that a sender in another process never sends one
        of them too; the ones left untried are released at the end of the pass.
        """
        async with self._lock:
            handled = 0
            untried = 0
            self._spent = set()
            now = self._clock.now()
            self._paused_until = {
                chat_id: until for chat_id, until in self._paused_until.items() if until > now
            }
            claimed = await self._outbox.claim(
                self.claimer, self._clock.now(), self._batch, self._lease
            )
            for item in claimed:
                if self._stopping or (limit is not None and handled >= limit):
                    untried += 1
                    continue
                if item.audience == Audience.OPERATORS and await self._chat_held(item):
                    untried += 1  # before the bot's budget: a held desk must not spend it
                    continue
                if self._global_budget is not None and not await self._global_budget.try_take():
                    untried += 1  # the bot's budget is spent for this second: the rest wait
                    break
                try:
                    await self._deliver(bot, item)
                except _Throttled:
                    untried += 1
                    continue
                handled += 1
            if untried:
                await self._outbox.release(self.claimer)
            return handled

    def _held(self, chat_id: int) -> bool:
        paused = self._paused_until.get(chat_id)
        return chat_id in self._spent or (paused is not None and paused > self._clock.now())

    def _every_desk_held(self) -> bool:
        """No desk chat can take a message now: the operators' rows wait unread."""
        chats = self._desks.chat_ids
        return bool(chats) and all(self._held(chat_id) for chat_id in chats)

    async def _chat_held(self, item: OutboxItem) -> bool:
        """Whether the desk chat an operators' row goes to can take nothing now."""
        if item.payload.get("to") == SUPERVISORS:
            return False  # a budget of its own
        if self._every_desk_held():
            return True
        if not self._spent and not self._paused_until:
            return False  # nothing held: no need to look the chat up
        chat_id = item.payload.get("chat_id")  # a previous desk's card, a copy to delete
        if chat_id is None:
            appeal = await self._desk.get(item.appeal_id)
            desk = self._desks.of(appeal.type, appeal.desk) if appeal is not None else None
            chat_id = desk.chat_id if desk is not None else None
        return chat_id is not None and self._held(int(chat_id))

    # --- one row ------------------------------------------------------------------

    async def _deliver(self, bot: Bot, item: OutboxItem) -> None:
        now = self._clock.now()
        try:
            if item.audience == Audience.OPERATORS:
                await self._to_operators(bot, item)
            else:
                await self._to_citizen(bot, item)
        except _Throttled:
            raise
        except TelegramRetryAfter as error:
            until = now + timedelta(seconds=max(error.retry_after, 1))
            logger.warning("Flood control: outbox row %s waits %s s", item.id, error.retry_after)
            await self._outbox.postpone(item.id, until, f"retry after {error.retry_after} s")
        except TelegramEntityTooLarge as error:
            await self._give_up(item, error)
        except (TelegramNetworkError, TelegramServerError) as error:
            await self._retry_later(item, error)
        except TelegramAPIError as error:
            if item.audience == Audience.CITIZEN and _citizen_unreachable(error):
                await self._citizen_gone(item, error)
            elif item.audience == Audience.OPERATORS and _operators_chat_unusable(error):
                # A wrong OPERATORS_CHAT_ID or DESKS chat, or the bot removed from the chat
                # or without rights: keep the rows until an admin fixes it.
                logger.error("Operators' chat refused outbox row %s: %s", item.id, error.message)
                await self._retry_later(item, error)
            elif isinstance(error, TelegramBadRequest):
                await self._give_up(item, error)
            else:
                await self._retry_later(item, error)
        except StorageFault:
            raise
        except Exception as error:  # noqa: BLE001 - one broken row must not stop the others
            self._trouble.failed(error)
            if item.attempts + 1 >= _UNEXPECTED_ERROR_ATTEMPTS:
                await self._outbox.mark_failed(item.id, now, repr(error))
            else:
                await self._retry_later(item, error)

    async def _retry_later(self, item: OutboxItem, error: Exception) -> None:
        delay = min(timedelta(seconds=2**item.attempts), self._max_backoff)
        await self._outbox.postpone(item.id, self._clock.now() + delay, str(error)[:500])
        logger.warning("Outbox row %s: %s; retry in %s", item.id, type(error).__name__, delay)

    async def _give_up(self, item: OutboxItem, error: TelegramAPIError) -> None:
        logger.error("Outbox row %s refused by Telegram: %s", item.id, error.message)
        now = self._clock.now()
        await self._outbox.mark_failed(item.id, now, error.message)
        await self._desk.apply(
            [
                AppealChange(
                    item.appeal_id,
                    events=(NewEvent(EventKind.DELIVERY_FAILED, SYSTEM, text=error.message),),
                )
            ],
            now,
        )

    async def _citizen_gone(self, item: OutboxItem, error: TelegramAPIError) -> None:
        now = self._clock.now()
        await self._outbox.mark_failed(item.id, now, error.message)
        appeal = await self._desk.get(item.appeal_id)
        if appeal is None or (await self._desk.flags(appeal.citizen_id)).bot_blocked:
            return
        logger.info("Citizen of appeal %s cannot be reached: %s", appeal.number, error.message)
        await self._desk.apply([blocked_change(appeal, True, SYSTEM)], now)

    # --- citizens -----------------------------------------------------------------

    async def _to_citizen(self, bot: Bot, item: OutboxItem) -> None:
        assert item.chat_id is not None
        if item.kind == OutboxKind.EDIT:
            await self._edit_copy(bot, item)
            return
        # A long text is several messages: a failure after the first sends them all again.
        message_ids = [
            sent.message_id
            for payload in self._cards.messages(item.payload)
            for sent in await self._send_all(bot, payload, item.chat_id)
        ]
        await self._outbox.mark_delivered(
            item.id,
            self._clock.now(),
            message_ids[0],
            MessageRef(item.chat_id, message_ids[0]),
            message_ids[1:],
        )

    async def _edit_copy(self, bot: Bot, item: OutboxItem) -> None:
        """Edit the copy the citizen has; if it cannot be edited, send the new text."""
        assert item.chat_id is not None
        event = await self._desk.event(item.payload["event_id"])
        copy = event.copy if event is not None else None
        rendered = self._cards.edit(item.payload)
        edited = False
        if copy is not None and rendered.get("method") is not None:
            method = _EDIT_METHODS[rendered["method"]]
            params = _with_markup(rendered["params"])
            try:
                await bot(method(chat_id=copy.chat_id, message_id=copy.message_id, **params))
                edited = True
            except TelegramBadRequest as error:
                if _says(error, "message is not modified"):
                    edited = True
                elif not _message_gone(error):
                    raise
        message_id = copy.message_id if copy is not None else None
        if not edited:
            for payload in rendered["fallback"]:
                message_id = (await self._send(bot, payload, item.chat_id)).message_id
        await self._outbox.mark_delivered(item.id, self._clock.now(), message_id)

    # --- operators ----------------------------------------------------------------

    async def _to_operators(self, bot: Bot, item: OutboxItem) -> None:
        if item.kind == OutboxKind.DELETE:
            await self._delete_copy(bot, item)
            return
        if item.payload.get("to") == SUPERVISORS:
            await self._to_supervisors(bot, item)
            return
        if item.payload.get("to") == PREVIOUS_DESK:
            await self._edit_previous_card(bot, item)
            return
        appeal = await self._desk.get(item.appeal_id)
        assert appeal is not None
        desk = self._desks.of(appeal.type, appeal.desk)
        if desk is None:
            if not self._warned_unconfigured:
                logger.error("OPERATORS_CHAT_ID is not set: appeals wait in the outbox")
                self._warned_unconfigured = True
            await self._outbox.postpone(
                item.id, self._clock.now() + timedelta(minutes=1), "OPERATORS_CHAT_ID is not set"
            )
            return
        chat_id = desk.chat_id
        if self._held(chat_id):
            raise _Throttled
        for attempt in range(2):
            try:
                thread = await self._ensure_thread(bot, appeal, chat_id)
                message_ids = await self._into_thread(bot, item, appeal, thread)
            except TelegramBadRequest as error:
                current = await self._desk.thread(appeal.id)
                if attempt > 0 or current is None or current.topic_id is None:
                    raise
                if _thread_lost(error):
                    await self._forget_topic(appeal, current)
                    continue
                if _says(error, "TOPIC_CLOSED"):
                    await self._call(
                        bot, ReopenForumTopic(chat_id=chat_id, message_thread_id=current.topic_id)
                    )
                    continue
                raise
            message_id = message_ids[0] if message_ids else None
            copy = None
            if item.kind == OutboxKind.MESSAGE and message_id is not None:
                copy = MessageRef(chat_id, message_id)
            await self._outbox.mark_delivered(
                item.id, self._clock.now(), message_id, copy, message_ids[1:]
            )
            return

    async def _to_supervisors(self, bot: Bot, item: OutboxItem) -> None:
        """An escalation for the supervisors' chat. It shares the appeal's operators' lane,
        so a chat that refuses it is given up at once rather than holding the cards back."""
        now = self._clock.now()
        chat_id = self._supervisors_chat_id
        if chat_id is None:
            logger.warning(
                "Outbox row %s is for the supervisors, but SUPERVISORS_CHAT_ID is not set: dropped",
                item.id,
            )
            await self._outbox.mark_failed(item.id, now, "SUPERVISORS_CHAT_ID is not set")
            return
        if not await self._supervisors_limiter.try_take():
            await self._outbox.postpone(
                item.id, self._supervisors_limiter.free_at(), "supervisors' chat budget"
            )
            return
        try:
            sent = await self._send(bot, item.payload, chat_id)
        except TelegramRetryAfter as error:
            await self._outbox.postpone(
                item.id,
                now + timedelta(seconds=max(error.retry_after, 1)),
                f"retry after {error.retry_after} s",
            )
            return
        except (TelegramNetworkError, TelegramServerError):
            raise
        except TelegramAPIError as error:
            logger.error("Supervisors' chat refused outbox row %s: %s", item.id, error.message)
            await self._outbox.mark_failed(item.id, now, error.message)
            return
        await self._outbox.mark_delivered(item.id, self._clock.now(), sent.message_id)

    async def _into_thread(
        self, bot: Bot, item: OutboxItem, appeal: Appeal, thread: AppealThread
    ) -> list[int]:
        """The messages the row produced: all of an album (a reply to any finds the appeal)."""
        if item.kind == OutboxKind.CARD:
            return [] if thread.card_message_id is None else [thread.card_message_id]
        if item.kind == OutboxKind.CARD_UPDATE:
            return [await self._update_card(bot, appeal, thread)]
        # A long text is several messages: a failure after the first sends them all again.
        message_ids = []
        for payload in self._cards.messages(item.payload):
            sent = await self._send_all(
                bot,
                payload,
                thread.chat_id,
                thread_id=thread.topic_id,
                default_reply=None if thread.topic_id else thread.card_message_id,
            )
            message_ids += [message.message_id for message in sent]
        return message_ids

    async def _edit_previous_card(self, bot: Bot, item: OutboxItem) -> None:
        """The card left in the desk an appeal was moved from: says where it went, without
        buttons. One that is gone or already says so is done."""
        chat_id, message_id = item.payload["chat_id"], item.payload["message_id"]
        [rendered] = self._cards.messages(item.payload)
        try:
            await self._call(
                bot,
                EditMessageText(
                    chat_id=chat_id, message_id=message_id, text=rendered["params"]["text"]
                ),
            )
        except TelegramBadRequest as error:
            if not (_says(error, "message is not modified") or _message_gone(error)):
                raise
        await self._outbox.mark_delivered(item.id, self._clock.now(), message_id)

    async def _delete_copy(self, bot: Bot, item: OutboxItem) -> None:
        """A message of an erased appeal in the operators' chat; one already gone is done."""
        chat_id, message_id = item.payload["chat_id"], item.payload["message_id"]
        try:
            await self._call(bot, DeleteMessage(chat_id=chat_id, message_id=message_id))
        except TelegramBadRequest as error:
            if not _says(error, "message to delete not found"):
                raise
        await self._outbox.mark_delivered(item.id, self._clock.now(), message_id)

    async def _ensure_thread(self, bot: Bot, appeal: Appeal, chat_id: int) -> AppealThread:
        """The appeal's topic (in a forum) and card, created when missing."""
        thread = await self._desk.thread(appeal.id)
        if thread is None or thread.chat_id != chat_id:
            thread = AppealThread(appeal.id, chat_id, None, None)
        if (
            thread.topic_id is None
            and thread.card_message_id is None
            and await self._is_forum(bot, chat_id)
        ):
            thread = await self._create_topic(bot, appeal, thread)
        if thread.card_message_id is None:
            card = await self._post_card(bot, appeal, thread)
            thread = replace(thread, card_message_id=card.message_id)
            await self._desk.save_thread(
                thread,
                self._clock.now(),
                [
                    NewEvent(
                        EventKind.CARD_POSTED, SYSTEM, copy=MessageRef(chat_id, card.message_id)
                    )
                ],
            )
        return thread

    async def _create_topic(self, bot: Bot, appeal: Appeal, thread: AppealThread) -> AppealThread:
        try:
            topic = await self._call(
                bot, CreateForumTopic(chat_id=thread.chat_id, name=self._cards.topic_title(appeal))
            )
        except TelegramBadRequest as error:
            # No "Manage topics" right, or the forum was turned off: thread by replies.
            logger.error(
                "Cannot create a topic for appeal %s (%s): cards go to the main "
                "chat; give the bot the 'Manage topics' right",
                appeal.number,
                error.message,
            )
            self._forum.pop(thread.chat_id, None)
            return thread
        thread = replace(thread, topic_id=topic.message_thread_id)
        await self._desk.save_thread(
            thread, self._clock.now(), [NewEvent(EventKind.TOPIC_CREATED, SYSTEM, text=topic.name)]
        )
        return thread

    async def _forget_topic(self, appeal: Appeal, thread: AppealThread) -> None:
        logger.warning("Topic of appeal %s is gone; creating a new one", appeal.number)
        self._forum.pop(thread.chat_id, None)
        await self._desk.save_thread(
            AppealThread(appeal.id, thread.chat_id, None, None),
            self._clock.now(),
            [NewEvent(EventKind.TOPIC_LOST, SYSTEM, text=str(thread.topic_id))],
        )

    async def _is_forum(self, bot: Bot, chat_id: int) -> bool:
        if chat_id not in self._forum:
            chat = await bot.get_chat(chat_id)
            self._forum[chat_id] = bool(chat.is_forum)
        return self._forum[chat_id]

    async def _render_card(
        self, appeal: Appeal, thread: AppealThread
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        current = await self._desk.get(appeal.id) or appeal
        flags = await self._desk.flags(current.citizen_id)
        events = await self._desk.events(current.id)
        deadlines = await self._deadlines.of(current) if self._deadlines is not None else None
        return self._cards.card(
            current, flags, events, forum=thread.topic_id is not None, deadlines=deadlines
        )

    async def _post_card(self, bot: Bot, appeal: Appeal, thread: AppealThread) -> Message:
        text, markup = await self._render_card(appeal, thread)
        posted: Message = await self._call(
            bot,
            SendMessage(
                chat_id=thread.chat_id,
                text=text,
                reply_markup=markup,
                message_thread_id=thread.topic_id,
            ),
        )
        return posted

    async def _update_card(self, bot: Bot, appeal: Appeal, thread: AppealThread) -> int:
        assert thread.card_message_id is not None
        text, markup = await self._render_card(appeal, thread)
        try:
            await self._call(
                bot,
                EditMessageText(
                    chat_id=thread.chat_id,
                    message_id=thread.card_message_id,
                    text=text,
                    reply_markup=markup,
                ),
            )
            return thread.card_message_id
        except TelegramBadRequest as error:
            if _says(error, "message is not modified"):
                return thread.card_message_id
            if not _message_gone(error):
                raise
        card = await self._post_card(bot, appeal, thread)
        await self._desk.save_thread(
            replace(thread, card_message_id=card.message_id),
            self._clock.now(),
            [
                NewEvent(
                    EventKind.CARD_POSTED, SYSTEM, copy=MessageRef(thread.chat_id, card.message_id)
                )
            ],
        )
        return card.message_id

    async def _call(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        """A request into a desk chat, within that chat's messages-per-minute budget; flood
        control there pauses that chat only."""
        chat_id = int(getattr(method, "chat_id"))  # noqa: B009 - every method sent here has one
        if self._held(chat_id):
            raise _Throttled
        budget = self._budgets.get(chat_id)
        if budget is None:
            budget = self._budgets[chat_id] = self._new_budget(chat_id)
        if not await budget.try_take():
            self._spent.add(chat_id)
            raise _Throttled
        try:
            return await bot(method)
        except TelegramRetryAfter as error:
            pause = timedelta(seconds=max(error.retry_after, 1))
            self._paused_until[chat_id] = self._clock.now() + pause
            raise

    # --- sending a payload ----------------------------------------------------------

    async def _send(self, bot: Bot, payload: dict[str, Any], chat_id: int) -> Message:
        return (await self._send_all(bot, payload, chat_id))[0]

    async def _send_all(
        self,
        bot: Bot,
        payload: dict[str, Any],
        chat_id: int,
        *,
        thread_id: int | None = None,
        default_reply: int | None = None,
    ) -> list[Message]:
        """Every message the payload produced: one, or an album's."""
        method_name = payload["method"]
        params = _with_markup(payload["params"])
        if method_name == "sendMediaGroup":
            params["media"] = [_MEDIA[item["type"]](**item) for item in params["media"]]
        reply_to = payload.get("reply_to")
        if reply_to is None and payload.get("reply_to_event") is not None:
            event = await self._desk.event(payload["reply_to_event"])
            if event is not None and event.copy is not None and event.copy.chat_id == chat_id:
                reply_to = event.copy.message_id
        reply_to = reply_to or default_reply
        if reply_to is not None:
            params["reply_parameters"] = ReplyParameters(
                message_id=reply_to, allow_sending_without_reply=True
            )
        if thread_id is not None:
            params["message_thread_id"] = thread_id
        method = _SEND_METHODS[method_name](chat_id=chat_id, **params)
        if chat_id in self._desks.chat_ids:
            result = await self._call(bot, method)
        else:
            result = await bot(method)
        return result if isinstance(result, list) else [result]


def _with_markup(params: dict[str, Any]) -> dict[str, Any]:
    result = dict(params)
    if result.get("reply_markup") is not None:
        result["reply_markup"] = InlineKeyboardMarkup.model_validate(result["reply_markup"])
    return result

"""The one place where the bot and dispatcher are assembled.

The application, the tests, the fixture runner and the benchmark all call
:func:`create_dispatcher`, so they exercise the same wiring.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand, BotCommandScopeChat, ErrorEvent

from bot.domain.clock import Clock, SystemClock
from bot.domain.content import load_consent, load_help_content
from bot.domain.masking import TypedNames
from bot.domain.slots import SlotPolicy
from bot.handlers import get_routers
from bot.keyboards.targets import known_targets
from bot.middlewares.callback_answers import LateCallbackAnswerMiddleware
from bot.middlewares.deduplication import DeduplicationMiddleware
from bot.middlewares.in_flight import InFlightUpdates
from bot.middlewares.invisible import InvisibleCharactersMiddleware
from bot.middlewares.retry_after import HandlingUpdate, RepliesWithinLimits
from bot.middlewares.throttling import EventWindows, ThrottlingMiddleware
from bot.observability.fsm import TimedIsolation, TimedStorage
from bot.observability.logs import LogContextMiddleware
from bot.observability.metrics import BotMetrics
from bot.observability.middlewares import UpdateMetricsMiddleware
from bot.rendering.citizen import CallWordingRendering
from bot.rendering.operators import escalation_text
from bot.rendering.outbox import OutboxRendering
from bot.services.appeals import AppealService
from bot.services.assignment import AssignmentService
from bot.services.call_booking import CallBookingService
from bot.services.codes import CodePolicy, CodeService
from bot.services.consent import ConsentService
from bot.services.dashboard import DashboardAccess, DashboardService
from bot.services.deadlines import DeadlineService, PeriodicJob
from bot.services.desk import DeskService, OutboxSignal
from bot.services.events import NO_EVENTS, ServiceEvents
from bot.services.operator_access import OperatorAccess, SharedAnswers
from bot.services.outbox import BudgetFactory, OutboxSender, SendBudget
from bot.services.phone_change import PhoneChangeService
from bot.services.privacy import PrivacyService, RetentionJob
from bot.services.sms import HttpSmsGateway, OutboxSmsGateway, SmsGateway
from bot.settings import Settings
from bot.storage.backends import Backend, Fsm
from bot.storage.faults import StorageFault
from bot.storage.isolation import KeyedEventIsolation
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.sqlite.database import Database
from bot.texts import common as common_texts
from bot.texts import operators as operator_texts
from bot.texts import phone as phone_texts

logger = logging.getLogger(__name__)


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_base_url))
    # Replies sent while updates are handled keep under Telegram's limit; one refused with
    # 429 anyway waits and is sent again.
    session.middleware(
        RepliesWithinLimits(
            settings.telegram_retry_after_max_seconds, settings.telegram_messages_per_second
        )
    )
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_sms_gateway(settings: Settings, clock: Clock) -> SmsGateway:
    if settings.sms_gateway == "http":
        assert settings.sms_http_url is not None
        token = settings.sms_http_token.get_secret_value() if settings.sms_http_token else None
        return HttpSmsGateway(settings.sms_http_url, token)
    return OutboxSmsGateway(settings.sms_outbox_path, clock)


def create_dispatcher(
    settings: Settings,
    database: Backend | Database | PostgresDatabase,
    *,
    clock: Clock | None = None,
    sms_gateway: SmsGateway | None = None,
    fsm: Fsm | None = None,
    storage: BaseStorage | None = None,
    typed_names: TypedNames | None = None,
    operators_budgets: BudgetFactory | None = None,
    global_budget: SendBudget | None = None,
    throttle_windows: EventWindows | None = None,
    operator_answers: SharedAnswers | None = None,
    metrics: BotMetrics | None = None,
) -> Dispatcher:
    """The dispatcher over ``database`` (a :class:`Backend`, or a database to wrap in one).

    ``fsm``: where dialogue state lives (Redis, from :class:`bot.app.Application`); by
    default the database's own FSM storage. ``storage``: another FSM storage (the
    benchmark's peers), isolated per key in this process. ``typed_names``: the log
    formatter's, so that names citizens type are masked in logs. ``operators_budgets``
    (one per desk chat, by its id), ``global_budget``: the outbox's send budgets shared by
    the cluster (default: each desk chat's budget of this process alone, no global one).
    ``throttle_windows``: the citizens' flood-control counts shared by the cluster
    (default: this process's);
    ``operator_answers``: operators' chat membership remembered for the cluster.
    ``metrics``: measure updates and FSM storage operations, count the services' events
    (bot/observability).
    """
    events: ServiceEvents = metrics if metrics is not None else NO_EVENTS
    backend = database if isinstance(database, Backend) else Backend(database)
    clock = clock or SystemClock()
    sms_gateway = sms_gateway or create_sms_gateway(settings, clock)
    if fsm is None:
        fsm = (
            Fsm(storage, KeyedEventIsolation())
            if storage is not None
            else backend.fsm(settings.fsm_cache_size)
        )
    if metrics is not None:
        fsm = replace(
            fsm,
            storage=TimedStorage(fsm.storage, metrics.fsm_operation),
            isolation=TimedIsolation(fsm.isolation, metrics.fsm_operation),
        )
    dispatcher = Dispatcher(storage=fsm.storage, events_isolation=fsm.isolation)
    dispatcher.update.outer_middleware(LogContextMiddleware())  # update and chat in JSON logs
    if metrics is not None:
        dispatcher.update.outer_middleware(UpdateMetricsMiddleware(metrics))
    in_flight = InFlightUpdates(settings.shutdown_grace_seconds)
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(HandlingUpdate())
    # Before our other shutdown hooks: they (and closing the session) must see finished
    # updates. aiogram's own hook, closing the FSM storage and isolation, runs earlier.
    dispatcher.shutdown.register(in_flight.drain)
    dispatcher.startup.register(in_flight.reopen)
    policy = CodePolicy(
        lifetime=timedelta(seconds=settings.code_lifetime_seconds),
        max_failed_attempts=settings.code_max_attempts,
        resend_cooldown=timedelta(seconds=settings.code_resend_cooldown_seconds),
        daily_limit=settings.code_daily_limit,
    )
    codes = CodeService(
        backend.codes,
        sms_gateway,
        clock,
        policy,
        phone_texts.SMS_TEXT,
        events=events,
    )
    help_content = load_help_content(
        settings.help_articles_dir, settings.routing_rules_path, known_targets()
    )
    signal = OutboxSignal()
    privacy = PrivacyService(
        backend.privacy,
        clock,
        settings.retention_days,
        sessions=fsm.memory,
        outbox=signal,
        sms_copies=sms_gateway if isinstance(sms_gateway, OutboxSmsGateway) else None,
    )
    retention = RetentionJob(privacy, once_per_cluster=backend.once_per_cluster)
    dispatcher.startup.register(retention.start)
    dispatcher.shutdown.register(retention.stop)
    appeal_repository = backend.appeals
    desk_repository = backend.desk
    deadlines = DeadlineService(
        desk_repository,
        backend.deadlines,
        clock,
        signal,
        settings.sla,
        supervisors_chat_id=settings.supervisors_chat_id,
        escalation_text=escalation_text,
    )
    desk = DeskService(
        appeal_repository,
        desk_repository,
        backend.templates,
        clock,
        signal,
        settings.schedule,
        settings.zone,
        reopen_within=timedelta(days=settings.reopen_days),
        events=events,
        desks=settings.desk_map,
    )
    assignment = AssignmentService(
        desk, desk_repository, backend.shifts, clock, settings.operator_capacity
    )
    jobs = []
    if assignment.enabled:
        jobs.append(PeriodicJob("assignment", assignment.assign_waiting, timedelta(seconds=30)))
    if deadlines.enabled:
        jobs.append(
            PeriodicJob(
                "deadlines", deadlines.check, timedelta(seconds=settings.deadline_check_seconds)
            )
        )
    if settings.auto_close_days:
        idle = timedelta(days=settings.auto_close_days)
        jobs.append(PeriodicJob("auto-close", lambda: desk.close_idle(idle), timedelta(hours=1)))
    for job in jobs:
        dispatcher.startup.register(job.start)
        dispatcher.shutdown.register(job.stop)
    slot_policy = SlotPolicy(
        schedule=settings.schedule,
        zone=settings.zone,
        length=timedelta(minutes=settings.callback_slot_minutes),
        capacity=settings.callback_operators_per_slot,
        days_ahead=settings.callback_days_ahead,
        holidays=settings.holidays,
        lead=timedelta(minutes=settings.callback_lead_minutes),
    )
    consent = ConsentService(
        backend.consents, clock, load_consent(settings.consent_text_path, settings.retention_days)
    )
    dashboard = DashboardService(
        desk_repository, backend.dashboard, backend.shifts, deadlines, clock, settings.zone
    )
    dispatcher.workflow_data.update(
        dashboard=dashboard,
        dashboard_access=create_dashboard_access(settings, backend, clock),
        supervisor_access=(
            OperatorAccess(
                (),
                {settings.supervisors_chat_id},
                clock,
                timedelta(seconds=settings.operator_cache_seconds),
            )
            if settings.supervisors_chat_id is not None
            else None
        ),
        help_content=help_content,
        consent=consent,
        privacy=privacy,
        settings=settings,
        clock=clock,
        sms_gateway=sms_gateway,
        typed_names=typed_names if typed_names is not None else TypedNames(),
        appeals=AppealService(appeal_repository, desk_repository, clock, signal, events=events),
        call_bookings=CallBookingService(
            appeal_repository,
            backend.call_booking,
            desk_repository,
            clock,
            signal,
            slot_policy,
            CallWordingRendering(slot_policy.zone),
            events=events,
        ),
        phone_change=PhoneChangeService(backend.citizens, codes, clock),
        deadlines=deadlines,
        assignment=assignment,
        desk=desk,
        outbox_sender=OutboxSender(
            backend.outbox,
            desk_repository,
            clock,
            signal,
            desks=settings.desk_map,
            cards=OutboxRendering(settings.zone),
            operators_per_minute=settings.operators_chat_messages_per_minute,
            supervisors_chat_id=settings.supervisors_chat_id,
            deadlines=deadlines,
            operators_budgets=operators_budgets,
            global_budget=global_budget,
        ),
        operator_access=OperatorAccess(
            settings.operator_ids,
            settings.desk_map.chat_ids,
            clock,
            timedelta(seconds=settings.operator_cache_seconds),
            shared=operator_answers,
        ),
    )
    deduplication = DeduplicationMiddleware(
        backend.updates,
        clock,
        once_per_cluster=backend.once_per_cluster,
        # Several processes: renew this run's leases, and take over what a dead one left.
        sweep_every=backend.updates.lease.total_seconds() / 3 if backend.shared else None,
    )
    dispatcher.shutdown.register(deduplication.stop)
    dispatcher.update.outer_middleware(deduplication)
    invisible = InvisibleCharactersMiddleware()
    dispatcher.message.outer_middleware(invisible)
    dispatcher.edited_message.outer_middleware(invisible)
    if settings.throttle_messages:
        throttling = ThrottlingMiddleware(
            settings.throttle_messages, settings.throttle_window_seconds, windows=throttle_windows
        )
        dispatcher.message.outer_middleware(throttling)
        dispatcher.callback_query.outer_middleware(throttling)
    dispatcher.callback_query.middleware(LateCallbackAnswerMiddleware())
    dispatcher.include_routers(*get_routers(settings, clock))
    dispatcher.errors.register(report_error)
    dispatcher.startup.register(set_commands)
    dispatcher.startup.register(start_outbox)

    async def finish_what_a_dead_run_left(bot: Bot) -> None:
        await deduplication.on_startup(bot, dispatcher)

    # Last: updates a dead run left unfinished are handled just before polling starts.
    # aiogram runs a router's own start-up hooks before those of its sub-routers, and
    # the dialogues' router reads its dialogues at start-up: a router of its own,
    # included last, starts after all of them.
    after_start_up = Router(name="after start-up")
    after_start_up.startup.register(finish_what_a_dead_run_left)
    dispatcher.include_router(after_start_up)
    dispatcher.shutdown.register(stop_outbox)
    return dispatcher


def create_dashboard_access(settings: Settings, backend: Backend, clock: Clock) -> DashboardAccess:
    """Sign-in links and sessions of the dashboard, the bot's and the web server's alike."""
    return DashboardAccess(
        backend.dashboard,
        clock,
        settings.dashboard_key,
        public_url=settings.dashboard_url,
        session_lifetime=timedelta(minutes=settings.dashboard_session_minutes),
    )


async def start_outbox(bot: Bot, outbox_sender: OutboxSender) -> None:
    outbox_sender.start(bot)


async def stop_outbox(outbox_sender: OutboxSender) -> None:
    await outbox_sender.stop()


async def set_commands(bot: Bot, settings: Settings) -> None:
    await bot.set_my_commands(
        [
            BotCommand(command=name, description=text)
            for name, text in common_texts.BOT_COMMANDS.items()
        ]
    )
    for chat_id in sorted(settings.desk_map.chat_ids):
        try:
            await bot.set_my_commands(
                [
                    BotCommand(command=name, description=text)
                    for name, text in operator_texts.BOT_COMMANDS.items()
                ],
                scope=BotCommandScopeChat(chat_id=chat_id),
            )
        except TelegramAPIError as error:
            logger.warning(
                "Operator commands not set in the operators' chat %s: %s", chat_id, error.message
            )


async def report_error(event: ErrorEvent, bot: Bot) -> bool:
    """Log once with the update id; tell the citizen, who keeps their dialogue state.

    A storage fault is logged once by the application, which stops for it; the
    citizen is told that nothing was saved.
    """
    update = event.update
    if isinstance(event.exception, StorageFault):
        reply = common_texts.STORAGE_UNAVAILABLE
    else:
        logger.error(
            "Unhandled %s in update %s",
            type(event.exception).__name__,
            update.update_id,
            exc_info=event.exception,
        )
        reply = common_texts.UNEXPECTED_ERROR
    chat = None
    if update.message is not None:
        chat = update.message.chat
    elif update.callback_query is not None and update.callback_query.message is not None:
        chat = update.callback_query.message.chat
    if chat is not None and chat.type == "private":
        try:
            await bot.send_message(chat.id, reply)
        except Exception:  # noqa: BLE001 - the error report must never raise itself
            logger.warning("Could not tell chat about the error in update %s", update.update_id)
    return True

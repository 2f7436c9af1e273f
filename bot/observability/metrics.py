"""Prometheus metrics of one bot process (``METRICS_PORT``; see docs/operations.md).

Every process has its own :class:`BotMetrics` with its own registry, served by its own
metrics server: in a cluster each process is scraped on its own, and tests never share
counters. Counters and histograms count what this process did; the gauges read from the
database (backlogs, open appeals) are refreshed just before each scrape.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.domain.models import Audience
from bot.services.deadlines import SUPERVISORS
from bot.storage.sqlite.operations import OperationsSnapshot

# Handlers answer in milliseconds; a slow database or Telegram shows in the upper buckets.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
# From a minute to two working days: what a citizen waits for an operator's first answer.
FIRST_RESPONSE_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800)
RETRY_AFTER_BUCKETS = (1, 2, 5, 10, 30, 60, 300, 3600)

# Every metric this module defines: the documentation's rules and dashboard are checked
# against it (tests/test_operations_docs.py).
METRIC_NAMES = (
    "bot_updates_total",
    "bot_handler_duration_seconds",
    "bot_telegram_requests_total",
    "bot_telegram_retry_after_seconds",
    "bot_outbox_backlog",
    "bot_outbox_oldest_age_seconds",
    "bot_inbox_backlog",
    "bot_inbox_oldest_age_seconds",
    "bot_sms_total",
    "bot_appeals_filed_total",
    "bot_open_appeals",
    "bot_first_response_seconds",
    "bot_db_operation_duration_seconds",
    "bot_fsm_operation_duration_seconds",
)
# The outbox's audiences as the metrics name them, by the recipient the database reports
# (a row's audience, or the supervisors' chat its payload names): a few fixed series,
# never one per chat (a chat id is a citizen's, and their number has no end).
OUTBOX_AUDIENCES = {
    Audience.CITIZEN.value: "citizens",
    Audience.OPERATORS.value: "operators",
    SUPERVISORS: "supervisors",
}
OPEN_STATUSES = ("new", "in_progress", "answered")


class BotMetrics:
    """The metrics; also the services' :class:`~bot.services.events.ServiceEvents`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "bot_updates",
            "Updates handled, by type and outcome (handled, unhandled, error)",
            ["type", "outcome"],
            registry=r,
        )
        self.handler_duration = Histogram(
            "bot_handler_duration_seconds",
            "Time from an update's arrival to its handler's end",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.telegram_requests = Counter(
            "bot_telegram_requests",
            "Bot API calls by method and result (ok, 429, 4xx code, network)",
            ["method", "result"],
            registry=r,
        )
        self.retry_after = Histogram(
            "bot_telegram_retry_after_seconds",
            "retry_after of each 429 Telegram answered",
            buckets=RETRY_AFTER_BUCKETS,
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "bot_outbox_backlog",
            "Outbox rows waiting for delivery, by audience (citizens, operators, supervisors)",
            ["audience"],
            registry=r,
        )
        self.outbox_oldest_age = Gauge(
            "bot_outbox_oldest_age_seconds",
            "Age of the oldest undelivered outbox row, by audience",
            ["audience"],
            registry=r,
        )
        self.inbox_backlog = Gauge(
            "bot_inbox_backlog", "Updates taken into the inbox and not yet finished", registry=r
        )
        self.inbox_oldest_age = Gauge(
            "bot_inbox_oldest_age_seconds",
            "Age of the oldest unfinished update in the inbox",
            registry=r,
        )
        self.sms = Counter("bot_sms", "SMS codes by result (sent, failed)", ["result"], registry=r)
        self.appeals_filed = Counter(
            "bot_appeals_filed", "Appeals filed, by type", ["type"], registry=r
        )
        self.open_appeals = Gauge(
            "bot_open_appeals", "Appeals not closed, by status", ["status"], registry=r
        )
        self.first_response_time = Histogram(
            "bot_first_response_seconds",
            "From filing to an operator's first answer",
            buckets=FIRST_RESPONSE_BUCKETS,
            registry=r,
        )
        self.db_duration = Histogram(
            "bot_db_operation_duration_seconds",
            "Database operations (read, write, transaction...; the wait for SQLite's lock or"
            " a pooled PostgreSQL connection included)",
            ["operation"],
            buckets=DB_BUCKETS,
            registry=r,
        )
        self.fsm_duration = Histogram(
            "bot_fsm_operation_duration_seconds",
            "FSM storage operations (get_state, set_data...; lock: the wait for a chat's lock)",
            ["operation"],
            buckets=DB_BUCKETS,
            registry=r,
        )
        for result in ("sent", "failed"):
            self.sms.labels(result)  # zeros from the start: a rate of failures needs both

    # --- the services' events ---------------------------------------------------------

    def appeal_filed(self, appeal_type: str) -> None:
        self.appeals_filed.labels(appeal_type).inc()

    def first_response(self, waited: timedelta) -> None:
        self.first_response_time.observe(max(waited.total_seconds(), 0.0))

    def sms_sent(self) -> None:
        self.sms.labels("sent").inc()

    def sms_failed(self) -> None:
        self.sms.labels("failed").inc()

    # --- the database ---------------------------------------------------------------

    def database_operation(self, operation: str, seconds: float) -> None:
        self.db_duration.labels(operation).observe(seconds)

    def fsm_operation(self, operation: str, seconds: float) -> None:
        self.fsm_duration.labels(operation).observe(seconds)

    def update_from(self, snapshot: OperationsSnapshot, now: datetime) -> None:
        for recipient, audience in OUTBOX_AUDIENCES.items():
            backlog = snapshot.outbox.get(recipient)
            self.outbox_backlog.labels(audience).set(backlog.size if backlog else 0)
            self.outbox_oldest_age.labels(audience).set(_age(backlog.oldest, now) if backlog else 0)
        self.inbox_backlog.set(snapshot.inbox.size)
        self.inbox_oldest_age.set(_age(snapshot.inbox.oldest, now))
        for status in OPEN_STATUSES:
            self.open_appeals.labels(status).set(snapshot.open_appeals.get(status, 0))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _age(moment: datetime | None, now: datetime) -> float:
    return 0.0 if moment is None else max((now - moment).total_seconds(), 0.0)


def create_metrics(metrics_port: int | None) -> BotMetrics | None:
    """The process's metrics when ``METRICS_PORT`` is set; ``None`` (nothing measured) if not."""
    return BotMetrics() if metrics_port is not None else None

"""Settings from the environment and ``.env`` (every field is in ``.env.example``)."""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.deadlines import LEGAL_TERM_DAYS, SlaError, SlaPolicy, parse_sla
from bot.domain.desks import DeskError, DeskMap, parse_desks
from bot.domain.models import AppealType
from bot.domain.working_hours import WorkingHours, WorkingHoursError, parse_working_hours
from bot.storage.urls import check_database_url, is_postgres_url, sqlite_path

TELEGRAM_API_URL = "https://api.telegram.org"
TELEGRAM_API_HOST = "api.telegram.org"
# What Telegram accepts as a webhook's secret token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Built-in help articles and routing rules, shipped inside the package.
CONTENT_DIR = Path(__file__).resolve().parent / "content"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    bot_api_base_url: str = TELEGRAM_API_URL
    # DATABASE_URL chooses the backend: sqlite:///data/bot.sqlite3 (one process; empty: the
    # file DATABASE_PATH) or postgresql://user:password@host:5432/db (several processes).
    database_url: str | None = None
    database_path: Path = Path("data/bot.sqlite3")
    database_pool_size: int = Field(default=10, ge=1, le=1000)
    # full: an appeal's number is on disk (fsynced) before the citizen sees it; process:
    # survives a crash of the bot, not of the machine (storage/sqlite/database.py).
    durability: Literal["full", "process"] = "full"
    fsm_cache_size: int = Field(default=10_000, ge=0)
    # REDIS_URL set: dialogue state and per-chat isolation in Redis (aiogram's RedisStorage),
    # shared by every bot process, and expiring after these many seconds of silence (0: never).
    redis_url: str | None = None
    redis_prefix: str = Field(default="bot", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    fsm_state_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=0)
    fsm_data_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=0)
    # PostgreSQL: seconds an update in flight stays its process's without a heartbeat; a
    # process that dies leaves its updates to the others after this.
    inbox_lease_seconds: float = Field(default=30.0, ge=1.0, le=3600.0)
    # At SIGTERM, updates being handled get this long to finish; the rest are cut off, left
    # unfinished in the inbox and handled again at the next start.
    shutdown_grace_seconds: float = Field(default=10.0, ge=0.0, le=300.0)
    operators_chat_id: int | None = None
    # Several desks: appeal types -> operators' chats, e.g. technical=-1001;complaint=-1002;
    # *=-1003 (bot/domain/desks.py). Empty: OPERATORS_CHAT_ID serves every type.
    desks: str = ""
    # NoDecode: pydantic-settings would read a list as JSON; ``.env`` says 111,222.
    operator_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    working_hours: str = ""
    operators_chat_messages_per_minute: int = Field(default=20, gt=0)
    # With REDIS_URL: the whole cluster's outbox sends at most this many messages a second.
    telegram_messages_per_second: int = Field(default=30, gt=0)
    # A reply refused with 429 waits Telegram's retry_after and is sent again, up to this
    # many seconds in all (below INBOX_LEASE_SECONDS, so the update is not taken over).
    telegram_retry_after_max_seconds: float = Field(default=20.0, ge=0.0)
    operator_cache_seconds: int = Field(default=60, ge=0)

    sms_gateway: Literal["outbox", "http"] = "outbox"
    sms_outbox_path: Path = Path("data/sms_outbox.jsonl")
    sms_http_url: str | None = None
    sms_http_token: SecretStr | None = None
    # The outbox against Telegram itself: citizens would wait for codes that never come.
    sms_outbox_in_production: bool = False

    help_articles_dir: Path = CONTENT_DIR / "help"
    routing_rules_path: Path = CONTENT_DIR / "routing.yaml"
    consent_text_path: Path = CONTENT_DIR / "consent.md"

    default_region: str = "RU"
    timezone: str = "Europe/Moscow"

    code_lifetime_seconds: int = Field(default=300, gt=0)
    code_max_attempts: int = Field(default=3, gt=0)
    code_resend_cooldown_seconds: int = Field(default=60, ge=0)
    code_daily_limit: int = Field(default=5, gt=0)

    retention_days: int = Field(default=365, gt=0)

    # Deadlines (bot/domain/deadlines.py): first response per appeal type in working hours,
    # the legal term (59-FZ art. 12) for the types in LEGAL_DEADLINE_TYPES; breaches go to
    # SUPERVISORS_CHAT_ID. The check runs every DEADLINE_CHECK_SECONDS.
    sla_first_response: str = ""
    legal_deadline_types: Annotated[frozenset[AppealType], NoDecode] = frozenset()
    supervisors_chat_id: int | None = None
    deadline_check_seconds: int = Field(default=300, gt=0)
    # Appeals «дан ответ» and silent this many days are closed (0: never); the citizen may
    # reopen a closed appeal within REOPEN_DAYS of its closing.
    auto_close_days: int = Field(default=0, ge=0)
    reopen_days: int = Field(default=7, gt=0)
    # Automatic assignment (/shift): each operator on shift gets new appeals round-robin up
    # to this many open appeals; 0: no automatic assignment (operators take appeals by hand).
    operator_capacity: int = Field(default=0, ge=0)

    callback_slot_minutes: int = Field(default=30, ge=5, le=240)
    callback_operators_per_slot: int = Field(default=2, gt=0)
    callback_days_ahead: int = Field(default=5, ge=0, le=30)
    callback_lead_minutes: int = Field(default=15, ge=0)
    holidays: Annotated[frozenset[date], NoDecode] = frozenset()

    throttle_messages: int = Field(default=15, ge=0)
    throttle_window_seconds: float = Field(default=5.0, gt=0)

    # Updates by webhook (bot/webhook.py): Telegram POSTs them to WEBHOOK_URL, which leads to
    # the bot's own web server on WEBHOOK_HOST:WEBHOOK_PORT. No URL: long polling.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    # Operations (bot/observability): JSON log lines for collectors; /metrics, /healthz and
    # /readyz on METRICS_HOST:METRICS_PORT (no port: no metrics server).
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"

    # The supervisors' dashboard (bot/dashboard): `python -m bot dashboard` serves it on
    # DASHBOARD_HOST:DASHBOARD_PORT; /dashboard in a private chat gives operators and
    # supervisors a one-time link to DASHBOARD_PUBLIC_URL (empty: http://HOST:PORT), signed
    # with DASHBOARD_SECRET (empty: a random one at start-up, so links work only within that
    # process). A sign-in lasts DASHBOARD_SESSION_MINUTES.
    dashboard_secret: SecretStr | None = None
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(default=8090, ge=0, le=65535)
    dashboard_public_url: str | None = None
    dashboard_session_minutes: int = Field(default=480, gt=0, le=7 * 24 * 60)
    _generated_dashboard_secret: bytes = PrivateAttr(
        default_factory=lambda: secrets.token_bytes(32)
    )

    # Only the terminal demo reads it: its clock starts at this moment (its tests need a year
    # that does not change under them); empty: the system clock.
    demo_clock_start: AwareDatetime | None = None

    @field_validator(
        "bot_token",
        "sms_http_token",
        "webhook_url",
        "webhook_secret",
        "database_url",
        "redis_url",
        "dashboard_secret",
        "dashboard_public_url",
        mode="before",
    )
    @classmethod
    def _blank_secret_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "operators_chat_id",
        "supervisors_chat_id",
        "help_articles_dir",
        "routing_rules_path",
        "consent_text_path",
        "metrics_port",
        mode="before",
    )
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and not value.strip() and info.field_name is not None:
            return cls.model_fields[info.field_name].default
        return value

    @field_validator("operator_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        items = [item.strip() for item in text.replace(";", ",").split(",")]
        for item in items:
            if item and not item.lstrip("-").isdigit():
                raise ValueError(f"expected Telegram user ids like 111,222; got {item!r}")
        return [int(item) for item in items if item]

    @field_validator("holidays", mode="before")
    @classmethod
    def _comma_separated_dates(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        items = [item.strip() for item in value.replace(";", ",").split(",") if item.strip()]
        try:
            return [date.fromisoformat(item) for item in items]
        except ValueError as error:
            raise ValueError(f"expected dates like 2026-12-31,2027-01-01: {error}") from error

    @field_validator("sla_first_response")
    @classmethod
    def _sla_shape(cls, value: str) -> str:
        try:
            parse_sla(value)
        except SlaError as error:
            raise ValueError(f"{error} (example: technical:2h,complaint:4h)") from error
        return value.strip()

    @field_validator("legal_deadline_types", mode="before")
    @classmethod
    def _comma_separated_types(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        items = [item.strip().lower() for item in value.replace(";", ",").split(",")]
        known = {member.value for member in AppealType}
        for item in items:
            if item and item not in known:
                raise ValueError(f"unknown appeal type {item!r} (known: {', '.join(known)})")
        return [item for item in items if item]

    @field_validator("desks")
    @classmethod
    def _desks_shape(cls, value: str) -> str:
        try:
            parse_desks(value)
        except DeskError as error:
            if "OPERATORS_CHAT_ID" not in str(error):
                example = "(example: technical=-1001;complaint=-1002;*=-1003)"
                raise ValueError(f"{error} {example}") from error
        return value.strip()

    @field_validator("working_hours")
    @classmethod
    def _working_hours_shape(cls, value: str) -> str:
        try:
            parse_working_hours(value)
        except WorkingHoursError as error:
            raise ValueError(f"{error} (examples: 09:00-18:00; mon-fri 09:00-18:00)") from error
        return value.strip()

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("expected the form 123456789:ABC... given by @BotFather")
        return value

    @field_validator("bot_api_base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("dashboard_public_url")
    @classmethod
    def _dashboard_url_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return None if value is None else value.rstrip("/")

    @field_validator("dashboard_secret")
    @classmethod
    def _dashboard_secret_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("at least 16 characters (e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname:
            return value
        if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
            return value
        raise ValueError("Telegram needs an https:// URL (http:// only to this machine, for tests)")

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str | None) -> str | None:
        return None if value is None else check_database_url(value.strip())

    @field_validator("redis_url")
    @classmethod
    def _redis_url_shape(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("expected redis://host:6379/0 (or rediss://, unix://)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("1-256 characters: Latin letters, digits, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("durability", mode="before")
    @classmethod
    def _lower_durability(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _http_gateway_needs_url(self) -> Settings:
        if self.sms_gateway == "http" and not self.sms_http_url:
            raise ValueError("SMS_HTTP_URL is required when SMS_GATEWAY=http")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # Without it anyone who finds the URL could post forged updates as Telegram.
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @model_validator(mode="after")
    def _desks_with_operators_chat(self) -> Settings:
        try:
            parse_desks(self.desks, self.operators_chat_id)
        except DeskError as error:
            raise ValueError(f"DESKS: {error}") from error
        return self

    @property
    def desk_map(self) -> DeskMap:
        """The operators' desks: DESKS, or the one OPERATORS_CHAT_ID."""
        return parse_desks(self.desks, self.operators_chat_id)

    @property
    def sms_outbox_refused(self) -> bool:
        """True when the development SMS outbox would serve Telegram's real users."""
        return (
            self.sms_gateway == "outbox"
            and not self.sms_outbox_in_production
            and urlsplit(self.bot_api_base_url).hostname == TELEGRAM_API_HOST
        )

    @property
    def postgres_url(self) -> str | None:
        """The PostgreSQL server's URL, or None on SQLite."""
        return self.database_url if is_postgres_url(self.database_url) else None

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file (DATABASE_URL's, else DATABASE_PATH); meaningless on PostgreSQL."""
        if self.database_url is not None and not is_postgres_url(self.database_url):
            return sqlite_path(self.database_url)
        return self.database_path

    @property
    def several_processes(self) -> bool:
        """Whether more than one bot process may write the database (PostgreSQL)."""
        return self.postgres_url is not None

    @property
    def dashboard_key(self) -> bytes:
        """DASHBOARD_SECRET, or this process's random one when it is not set."""
        if self.dashboard_secret is not None:
            return self.dashboard_secret.get_secret_value().encode()
        return self._generated_dashboard_secret

    @property
    def dashboard_url(self) -> str:
        """Where the dashboard's links lead."""
        return self.dashboard_public_url or f"http://{self.dashboard_host}:{self.dashboard_port}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def schedule(self) -> WorkingHours:
        return parse_working_hours(self.working_hours).with_holidays(self.holidays)

    @property
    def sla(self) -> SlaPolicy:
        return SlaPolicy(
            parse_sla(self.sla_first_response),
            self.schedule,
            self.zone,
            legal_types=self.legal_deadline_types,
            legal_days=LEGAL_TERM_DAYS,
        )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SMS_OUTBOX_REFUSED = (
    "Ошибка настройки: SMS_GATEWAY=outbox только записывает коды в файл SMS_OUTBOX_PATH,"
    " а бот подключён к настоящему Telegram ({url}); укажите SMS_GATEWAY=http"
    " или, если так и задумано, SMS_OUTBOX_IN_PRODUCTION=yes (см. .env.example)"
)


def describe_settings_error(error: ValidationError) -> str:
    """One line naming the broken setting(s), for start-up failures."""
    problems = []
    for item in error.errors():
        name = "_".join(str(part) for part in item["loc"]).upper() or "settings"
        problems.append(f"{name}: {item['msg']}")
    return "Ошибка настройки: " + "; ".join(problems) + " (см. .env.example)"

"""The supervisors' dashboard: who may sign in, and what its pages show.

:class:`DashboardAccess` issues one-time sign-in links (valid ``LINK_LIFETIME``, signed
with ``DASHBOARD_SECRET``), redeems each once (the database records its use, so a second
process refuses it too), turns it into a session (a signed, expiring cookie value) and
records every sign-in and export in the audit log. :class:`DashboardService` reads the
figures: the queue, deadlines at risk and breached (the deadline service's own
overview), the load per operator, first-response time and CSAT by day, and searches.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot

from bot.domain.clock import Clock
from bot.domain.dashboard import (
    AppealSearch,
    AuditAction,
    AuditEntry,
    DayFigures,
    OperatorLoad,
    QueueSummary,
    daily_figures,
    local_midnight,
    operator_load,
    queue_summary,
)
from bot.domain.deadlines import AppealDeadlines
from bot.domain.models import Appeal, AppealStatus, AppealType
from bot.domain.signin import (
    LINK,
    SESSION,
    Grant,
    Refusal,
    Role,
    TokenRefused,
    csrf_matches,
    csrf_token,
    sign,
    verify,
)
from bot.services.deadlines import DeadlineService
from bot.services.operator_access import OperatorAccess
from bot.storage.repositories import DashboardRepository, DeskRepository, ShiftRepository

LINK_LIFETIME = timedelta(minutes=10)
SEARCH_LIMIT = 200  # appeals shown on the search page
EXPORT_LIMIT = 10_000  # appeals in one CSV file
CHART_DAYS = 14
_NUMBER_PART = re.compile(r"[^0-9-]")


async def dashboard_role(
    bot: Bot, user_id: int, operators: OperatorAccess, supervisors: OperatorAccess | None
) -> Role | None:
    """Supervisor (a member of SUPERVISORS_CHAT_ID), operator, or nobody (a citizen)."""
    if supervisors is not None and await supervisors.is_operator(bot, user_id):
        return Role.SUPERVISOR
    if await operators.is_operator(bot, user_id):
        return Role.OPERATOR
    return None


class DashboardAccess:
    def __init__(
        self,
        repository: DashboardRepository,
        clock: Clock,
        secret: bytes,
        *,
        public_url: str,
        session_lifetime: timedelta,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._secret = secret
        self._public_url = public_url.rstrip("/")
        self.session_lifetime = session_lifetime

    def link(self, user_id: int, role: Role) -> str:
        """A one-time sign-in link for ``user_id``, valid LINK_LIFETIME from now."""
        grant = Grant(user_id, role, secrets.token_urlsafe(16), self._clock.now() + LINK_LIFETIME)
        return f"{self._public_url}/signin?token={sign(self._secret, LINK, grant)}"

    def check_link(self, token: str) -> Grant:
        """A link's grant, not used up (its signature and age only); raises TokenRefused."""
        return verify(self._secret, LINK, token, self._clock.now())

    async def sign_in(self, token: str) -> Grant:
        """The session a link opens; raises :class:`TokenRefused` (forged, expired, used)."""
        now = self._clock.now()
        link = verify(self._secret, LINK, token, now)
        if not await self._repository.use_link(link.nonce, link.user_id, now):
            raise TokenRefused(Refusal.USED)
        session = Grant(
            link.user_id, link.role, secrets.token_urlsafe(16), now + self.session_lifetime
        )
        await self._repository.record(AuditEntry(now, link.user_id, link.role, AuditAction.SIGN_IN))
        return session

    def cookie(self, session: Grant) -> str:
        return sign(self._secret, SESSION, session)

    def session(self, cookie: str | None) -> Grant | None:
        """The session of a cookie, or None: absent, forged or expired."""
        if not cookie:
            return None
        try:
            return verify(self._secret, SESSION, cookie, self._clock.now())
        except TokenRefused:
            return None

    def csrf(self, session: Grant) -> str:
        return csrf_token(self._secret, session)

    def csrf_ok(self, session: Grant, token: str) -> bool:
        return csrf_matches(self._secret, session, token)

    async def exported(self, session: Grant, criteria: str, count: int) -> None:
        await self._repository.record(
            AuditEntry(
                self._clock.now(),
                session.user_id,
                session.role,
                AuditAction.EXPORT,
                f"{criteria}; appeals: {count}",
            )
        )

    async def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        return await self._repository.audit_log(limit)


@dataclass(frozen=True, slots=True)
class Overview:
    now: datetime
    queue: QueueSummary
    deadlines: list[AppealDeadlines]
    load: list[OperatorLoad]
    unassigned: int
    days: list[DayFigures]


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What a supervisor typed; dates are days in the support's time zone, both included."""

    number: str = ""
    status: AppealStatus | None = None
    type: AppealType | None = None
    date_from: date | None = None
    date_to: date | None = None


class DashboardService:
    def __init__(
        self,
        desk: DeskRepository,
        dashboard: DashboardRepository,
        shifts: ShiftRepository,
        deadlines: DeadlineService,
        clock: Clock,
        zone: ZoneInfo,
    ) -> None:
        self._desk = desk
        self._dashboard = dashboard
        self._shifts = shifts
        self._deadlines = deadlines
        self._clock = clock
        self.zone = zone

    def now(self) -> datetime:
        return self._clock.now()

    async def overview(self) -> Overview:
        now = self._clock.now()
        appeals = await self._desk.open_appeals()
        load, unassigned = operator_load(
            appeals, await self._shifts.on_shift(), await self._shifts.known()
        )
        return Overview(
            now,
            queue_summary(appeals, now),
            await self._deadlines.overview(appeals) if self._deadlines.enabled else [],
            load,
            unassigned,
            await self.daily(CHART_DAYS),
        )

    async def daily(self, days: int) -> list[DayFigures]:
        today = self._clock.now().astimezone(self.zone).date()
        since = local_midnight(today - timedelta(days=days - 1), self.zone)
        return daily_figures(
            await self._dashboard.first_responses(since),
            await self._dashboard.ratings(since),
            today,
            days,
            self.zone,
        )

    def criteria(self, form: SearchForm) -> AppealSearch:
        number = _NUMBER_PART.sub("", form.number)
        return AppealSearch(
            number=number or None,
            status=form.status,
            type=form.type,
            created_from=(
                local_midnight(form.date_from, self.zone) if form.date_from is not None else None
            ),
            created_before=(
                local_midnight(form.date_to + timedelta(days=1), self.zone)
                if form.date_to is not None
                else None
            ),
        )

    async def search(self, form: SearchForm, limit: int = SEARCH_LIMIT) -> list[Appeal]:
        return await self._dashboard.search(self.criteria(form), limit)

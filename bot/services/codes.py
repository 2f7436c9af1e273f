"""One-time SMS codes: issue, rate-limit, verify.

Codes come from ``secrets``, are stored only as a salted HMAC and compared in
constant time. Each limit has its own outcome, so the citizen gets its own
explanation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.domain.clock import Clock
from bot.domain.masking import mask_phone
from bot.domain.models import CodeStatus, VerificationCode
from bot.domain.validators import CODE_LENGTH
from bot.services.events import NO_EVENTS, ServiceEvents
from bot.services.sms import SmsDeliveryError, SmsGateway
from bot.storage.repositories import CodeRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CodePolicy:
    lifetime: timedelta = timedelta(minutes=5)
    max_failed_attempts: int = 3
    resend_cooldown: timedelta = timedelta(seconds=60)
    daily_limit: int = 5


class RequestOutcome(StrEnum):
    SENT = "sent"
    COOLDOWN = "cooldown"
    DAILY_LIMIT = "daily_limit"
    GATEWAY_ERROR = "gateway_error"


@dataclass(frozen=True, slots=True)
class RequestResult:
    outcome: RequestOutcome
    retry_in_seconds: int = 0


class CheckOutcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXHAUSTED = "exhausted"
    EXPIRED = "expired"
    NO_CODE = "no_code"


@dataclass(frozen=True, slots=True)
class CheckResult:
    outcome: CheckOutcome
    attempts_left: int = 0


def hash_code(code: str, salt: str) -> str:
    return hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


class CodeService:
    def __init__(
        self,
        codes: CodeRepository,
        sms: SmsGateway,
        clock: Clock,
        policy: CodePolicy,
        message_template: str,
        events: ServiceEvents = NO_EVENTS,
    ) -> None:
        self._codes = codes
        self._sms = sms
        self._clock = clock
        self.policy = policy
        self._template = message_template
        self._events = events

    async def request(self, user_id: int, phone: str) -> RequestResult:
        now = self._clock.now()
        last = await self._codes.last_issued_for_phone(phone)
        if last is not None:
            ready_at = last.created_at + self.policy.resend_cooldown
            if ready_at > now:
                return RequestResult(
                    RequestOutcome.COOLDOWN, _ceil_seconds((ready_at - now).total_seconds())
                )
        window_start = now - timedelta(days=1)
        if await self._codes.count_issued_since(phone, window_start) >= self.policy.daily_limit:
            return RequestResult(RequestOutcome.DAILY_LIMIT)
        code = generate_code()
        salt = secrets.token_hex(16)
        issued = await self._codes.issue(
            user_id, phone, hash_code(code, salt), salt, now, now + self.policy.lifetime
        )
        try:
            await self._sms.send(phone, self._template.format(code=code))
        except SmsDeliveryError:
            logger.warning("SMS gateway refused a code for %s", mask_phone(phone), exc_info=True)
            await self._codes.record_failure(issued.id, exhausted=True)
            self._events.sms_failed()
            return RequestResult(RequestOutcome.GATEWAY_ERROR)
        self._events.sms_sent()
        return RequestResult(RequestOutcome.SENT)

    async def usable(self, user_id: int, phone: str) -> bool:
        """The citizen's last code for ``phone`` can still be entered (unused, live, tries left)."""
        issued = await self._codes.latest(user_id, phone)
        return (
            issued is not None
            and issued.status == CodeStatus.ACTIVE
            and issued.expires_at > self._clock.now()
        )

    async def verify(self, user_id: int, phone: str, code: str) -> CheckResult:
        issued = await self._codes.latest(user_id, phone)
        if issued is None or issued.status in (CodeStatus.USED, CodeStatus.SUPERSEDED):
            return CheckResult(CheckOutcome.NO_CODE)
        if issued.status == CodeStatus.EXHAUSTED:
            return CheckResult(CheckOutcome.EXHAUSTED)
        if issued.expires_at <= self._clock.now():
            return CheckResult(CheckOutcome.EXPIRED)
        if _matches(issued, code):
            await self._codes.mark_used(issued.id)
            return CheckResult(CheckOutcome.ACCEPTED)
        attempts_left = self.policy.max_failed_attempts - issued.failed_attempts - 1
        await self._codes.record_failure(issued.id, exhausted=attempts_left <= 0)
        if attempts_left <= 0:
            return CheckResult(CheckOutcome.EXHAUSTED)
        return CheckResult(CheckOutcome.WRONG, attempts_left)


def _matches(issued: VerificationCode, code: str) -> bool:
    return hmac.compare_digest(hash_code(code, issued.salt), issued.code_hash)


def _ceil_seconds(seconds: float) -> int:
    return max(1, int(-(-seconds // 1)))

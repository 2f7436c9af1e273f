"""Changing the citizen's contact phone, confirmed by an SMS code."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.services.codes import CheckOutcome, CheckResult, CodeService, RequestResult
from bot.storage.repositories import CitizenRepository


@dataclass(frozen=True, slots=True)
class ConfirmResult:
    check: CheckResult
    previous_phone: str | None = None


class PhoneChangeService:
    def __init__(self, citizens: CitizenRepository, codes: CodeService, clock: Clock) -> None:
        self._citizens = citizens
        self._codes = codes
        self._clock = clock
        self.policy = codes.policy

    async def current_phone(self, user_id: int) -> str | None:
        citizen = await self._citizens.get(user_id)
        return None if citizen is None else citizen.phone

    async def send_code(self, user_id: int, phone: str) -> RequestResult:
        return await self._codes.request(user_id, phone)

    async def code_usable(self, user_id: int, phone: str) -> bool:
        return await self._codes.usable(user_id, phone)

    async def confirm(self, user_id: int, chat_id: int, phone: str, code: str) -> ConfirmResult:
        check = await self._codes.verify(user_id, phone, code)
        if check.outcome != CheckOutcome.ACCEPTED:
            return ConfirmResult(check)
        previous = await self._citizens.change_phone(user_id, chat_id, phone, self._clock.now())
        return ConfirmResult(check, previous)

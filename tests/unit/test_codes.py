from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.clock import ManualClock
from bot.services.codes import CheckOutcome, CodePolicy, CodeService, RequestOutcome, hash_code
from bot.services.sms import SmsDeliveryError
from bot.storage.sqlite.codes import SQLiteCodeRepository
from bot.storage.sqlite.database import Database

PHONE = "+79123456789"
USER = 1001


class FakeGateway:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = False

    async def send(self, to: str, text: str) -> None:
        if self.fail:
            raise SmsDeliveryError("provider down")
        self.sent.append((to, text))

    async def close(self) -> None:
        pass

    @property
    def last_code(self) -> str:
        return self.sent[-1][1].split(": ")[1][:6]


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(tmp_path / "codes.sqlite3")
    await database.connect()
    yield database
    await database.close()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def service(db: Database, gateway: FakeGateway, clock: ManualClock) -> CodeService:
    return CodeService(SQLiteCodeRepository(db), gateway, clock, CodePolicy(), "Код: {code}")


async def test_code_is_six_random_digits_stored_only_as_hash(
    service: CodeService, gateway: FakeGateway, db: Database
) -> None:
    assert (await service.request(USER, PHONE)).outcome == RequestOutcome.SENT
    code = gateway.last_code
    assert len(code) == 6 and code.isdigit()
    row = await db.fetchone("SELECT * FROM verification_codes")
    assert code not in " ".join(str(value) for value in tuple(row))
    assert row["code_hash"] == hash_code(code, row["salt"])


async def test_right_code_is_accepted_once(service: CodeService, gateway: FakeGateway) -> None:
    await service.request(USER, PHONE)
    code = gateway.last_code
    assert (await service.verify(USER, PHONE, code)).outcome == CheckOutcome.ACCEPTED
    assert (await service.verify(USER, PHONE, code)).outcome == CheckOutcome.NO_CODE


async def test_three_wrong_tries_exhaust_the_code(
    service: CodeService, gateway: FakeGateway
) -> None:
    await service.request(USER, PHONE)
    right = gateway.last_code
    wrong = "000000" if right != "000000" else "111111"
    first = await service.verify(USER, PHONE, wrong)
    second = await service.verify(USER, PHONE, wrong)
    third = await service.verify(USER, PHONE, wrong)
    assert (first.outcome, first.attempts_left) == (CheckOutcome.WRONG, 2)
    assert (second.outcome, second.attempts_left) == (CheckOutcome.WRONG, 1)
    assert third.outcome == CheckOutcome.EXHAUSTED
    assert (await service.verify(USER, PHONE, right)).outcome == CheckOutcome.EXHAUSTED


async def test_code_expires_after_five_minutes(
    service: CodeService, gateway: FakeGateway, clock: ManualClock
) -> None:
    await service.request(USER, PHONE)
    clock.advance(minutes=5)
    assert (await service.verify(USER, PHONE, gateway.last_code)).outcome == CheckOutcome.EXPIRED


async def test_code_is_still_valid_just_before_expiry(
    service: CodeService, gateway: FakeGateway, clock: ManualClock
) -> None:
    await service.request(USER, PHONE)
    clock.advance(minutes=4, seconds=59)
    assert (await service.verify(USER, PHONE, gateway.last_code)).outcome == CheckOutcome.ACCEPTED


async def test_resend_waits_for_the_cooldown_and_supersedes_the_old_code(
    service: CodeService, gateway: FakeGateway, clock: ManualClock
) -> None:
    await service.request(USER, PHONE)
    old = gateway.last_code
    clock.advance(seconds=20)
    early = await service.request(USER, PHONE)
    assert (early.outcome, early.retry_in_seconds) == (RequestOutcome.COOLDOWN, 40)
    assert len(gateway.sent) == 1
    clock.advance(seconds=40)
    assert (await service.request(USER, PHONE)).outcome == RequestOutcome.SENT
    new = gateway.last_code
    if new != old:
        assert (await service.verify(USER, PHONE, old)).outcome == CheckOutcome.WRONG
    assert (await service.verify(USER, PHONE, new)).outcome == CheckOutcome.ACCEPTED


async def test_five_codes_per_number_per_day(
    service: CodeService, gateway: FakeGateway, clock: ManualClock
) -> None:
    for _ in range(5):
        assert (await service.request(USER, PHONE)).outcome == RequestOutcome.SENT
        clock.advance(seconds=61)
    assert (await service.request(USER, PHONE)).outcome == RequestOutcome.DAILY_LIMIT
    assert (await service.request(2002, PHONE)).outcome == RequestOutcome.DAILY_LIMIT
    assert (await service.request(USER, "+79990001122")).outcome == RequestOutcome.SENT
    clock.advance(hours=24)
    assert (await service.request(USER, PHONE)).outcome == RequestOutcome.SENT


async def test_gateway_failure_is_reported_and_the_code_is_unusable(
    service: CodeService, gateway: FakeGateway
) -> None:
    gateway.fail = True
    assert (await service.request(USER, PHONE)).outcome == RequestOutcome.GATEWAY_ERROR
    assert (await service.verify(USER, PHONE, "123456")).outcome == CheckOutcome.EXHAUSTED

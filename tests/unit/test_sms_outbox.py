"""The outbox SMS gateway's file: erasing lines by phone and by age."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.domain.clock import ManualClock
from bot.services.sms import OutboxSmsGateway


async def test_erasing_phones_rewrites_the_file_without_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    gateway = OutboxSmsGateway(path, ManualClock())
    for phone in ("+79123456789", "+79035556677", "+79123456789"):
        await gateway.send(phone, "Код 123456")
    with path.open("a", encoding="utf-8") as outbox:
        outbox.write('{"to": "+79123456789", "te')  # the last append, cut short by a crash

    assert await gateway.erase_phones({"+79123456789"}) == 3

    assert [json.loads(line)["to"] for line in path.read_text("utf-8").splitlines()] == [
        "+79035556677"
    ]
    assert [file.name for file in tmp_path.iterdir()] == ["sms.jsonl"]
    assert await gateway.erase_phones({"+79123456789"}) == 0
    await gateway.send("+79161112233", "Код 654321")  # appending goes on after the rewrite
    assert len(path.read_text("utf-8").splitlines()) == 2


async def test_erasing_by_age_keeps_the_recent_lines(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    clock = ManualClock()
    gateway = OutboxSmsGateway(path, clock)
    await gateway.send("+79123456789", "Код 111111")
    clock.advance(days=10)
    await gateway.send("+79035556677", "Код 222222")

    assert await gateway.erase_sent_before(clock.now() - timedelta(days=5)) == 1

    assert [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()] == [
        "Код 222222"
    ]


async def test_erasing_from_a_missing_file_erases_nothing(tmp_path: Path) -> None:
    gateway = OutboxSmsGateway(tmp_path / "sms.jsonl", ManualClock())
    assert await gateway.erase_phones({"+79123456789"}) == 0
    assert not (tmp_path / "sms.jsonl").exists()

"""LOG_FORMAT=json: one JSON object per line, personal data masked as in text lines."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.domain.masking import TypedNames
from bot.logging_setup import QUIET_LOGGERS, MaskingFormatter, configure_logging
from bot.observability.logs import JsonFormatter, log_formatter
from bot.settings import Settings
from testkit.harness import BotHarness, Person
from tests.desk_helpers import card_of, file_recovery

PERSONAL_DATA = (
    "Иванова",
    "Анна",
    "Сергеевна",
    "112-233-445",
    "9123456789",
    "345-67-89",
    "ivan.petrov@",
    "4512 345678",
)


def parsed(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.fixture
def json_logs() -> Iterator[Callable[[TypedNames], tuple[io.StringIO, JsonFormatter]]]:
    """The bot's logging set-up with LOG_FORMAT=json at DEBUG, lines in a buffer; undone after."""
    root = logging.getLogger()
    saved = (
        root.handlers[:],
        root.level,
        {name: logging.getLogger(name).level for name in QUIET_LOGGERS},
    )

    def configure(names: TypedNames) -> tuple[io.StringIO, JsonFormatter]:
        settings = Settings(_env_file=None, bot_token="123:secret", log_format="json")
        formatter = log_formatter(settings, names)
        assert isinstance(formatter, JsonFormatter)
        configure_logging("DEBUG", names, formatter)
        stream = io.StringIO()
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        return stream, formatter

    yield configure
    root.handlers[:], root.level, levels = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_text_is_the_default_format() -> None:
    assert log_formatter(Settings(_env_file=None), None) is None
    assert Settings(_env_file=None, log_format="JSON").log_format == "json"


def test_a_json_line_masks_what_a_text_line_masks() -> None:
    names = TypedNames()
    names.remember("Иванова Анна Сергеевна")
    formatter = JsonFormatter(b"key", names)
    try:
        raise ValueError("bad phone +79123456789 of Иванова")
    except ValueError:
        record = logging.LogRecord(
            "bot.test",
            logging.ERROR,
            __file__,
            1,
            "appeal 2026-000042: %s wrote %s, snils %s, passport %s, phone %s",
            (
                "Анна Сергеевна",
                "ivan.petrov@mail.ru",
                "112-233-445 95",
                "4512 345678",
                "8 (912) 345-67-89",
            ),
            exc_info=sys.exc_info(),
        )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message", "appeal", "exception"}
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.test"
    assert entry["appeal"] == "2026-000042"
    assert entry["time"].endswith("+00:00")
    for secret in PERSONAL_DATA:
        assert secret not in line
    # Exactly the text formatter's masking, field by field.
    text = MaskingFormatter("%(message)s", names)
    assert entry["message"] == text.mask(record.getMessage())
    assert "ValueError: bad phone +*********89 of И***" in entry["exception"]


async def test_a_dialogue_logged_as_json_holds_no_personal_data(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    json_logs: Callable[[TypedNames], tuple[io.StringIO, JsonFormatter]],
) -> None:
    lines, formatter = json_logs(harness.dispatcher["typed_names"])

    number = await file_recovery(harness, citizen)  # name, SNILS and phone typed
    await harness.press(operator, "Взять в работу", card_of(harness, number))
    await harness.send(citizen, f"/status {number}")
    await harness.send(citizen, "/phone")
    await harness.send(citizen, "+7 912 345-67-89")  # an SMS code is logged, masked
    logging.getLogger("bot.test").info("Appeal %s checked for %s", number, "ivan.petrov@mail.ru")

    output = lines.getvalue()
    entries = parsed(output)
    assert len(entries) > 10
    for secret in PERSONAL_DATA:
        assert secret not in output
    assert any("SMS" in entry["message"] for entry in entries)
    handled = [entry for entry in entries if "update_id" in entry]
    assert handled, "no line carries its update id"
    citizen_chat = formatter.chat_hash(citizen.id)
    assert any(entry.get("chat") == citizen_chat for entry in handled)
    assert str(citizen.id) not in {str(entry.get("chat")) for entry in entries}
    assert any(entry.get("appeal") == number for entry in entries)

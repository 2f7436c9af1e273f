from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterator

import pytest

from bot.domain.masking import TypedNames, mask_personal_data, mask_phone, mask_snils
from bot.logging_setup import QUIET_LOGGERS, MaskingFormatter, configure_logging
from testkit.harness import BotHarness, Person
from tests.desk_helpers import card_of, file_recovery


@pytest.mark.parametrize(
    ("line", "secret", "visible"),
    [
        ("SMS to +79123456789 failed", "9123456789", "+*********89"),
        ("caller 8 (912) 345-67-89 typed", "345-67", "* (***) ***-**-89"),
        ("snils 112-233-445 95 checked", "112-233-445", "***-***-*** 95"),
        ("bare snils 11223344595", "112233445", "*********95"),
        ("passport 4512 345678 given", "4512 3456", "**** ****78"),
        ("passport 45 12 345678 given", "45 12 3456", "** ** ****78"),
        ("mail ivan.petrov@mail.ru sent", "ivan.petrov", "i***@mail.ru"),
        ("foreign +44 7400 123456", "7400 1234", "+** **** ****56"),
        ("snils 112 233 445 95 typed", "112 233 445", "*** *** *** 95"),
        ("card 4276 3800 1234 5678 paid", "4276 3800 1234", "**** **** **** 5678"),
        ("card 4276-3800-1234-5678 paid", "4276-3800-1234", "****-****-****-5678"),
        ("card 4276380012345678 paid", "427638001234", "************5678"),
        ("card 2200 1234 5678 9012 345 paid", "2200 1234 5678", "**** **** **** ***2 345"),
    ],
)
def test_personal_data_is_masked(line: str, secret: str, visible: str) -> None:
    masked = mask_personal_data(line)
    assert secret not in masked
    assert visible in masked


def test_ordinary_numbers_stay_readable() -> None:
    line = "Update 123456 handled in 12 ms, appeal 2026-000042, status 200"
    assert mask_personal_data(line) == line


def test_card_masks() -> None:
    assert mask_phone("+79123456789") == "+7 912 ***-**-89"
    assert mask_snils("112-233-445 95") == "***-***-*** 95"


def test_formatter_masks_messages_arguments_and_tracebacks(caplog) -> None:
    formatter = MaskingFormatter("%(message)s")
    try:
        raise ValueError("bad phone +79123456789")
    except ValueError:
        record = logging.LogRecord(
            "bot",
            logging.ERROR,
            __file__,
            1,
            "citizen %s wrote %s",
            ("ivan@mail.ru", "112-233-445 95"),
            exc_info=__import__("sys").exc_info(),
        )
    output = formatter.format(record)
    for secret in ("ivan@", "112-233-445", "9123456789"):
        assert secret not in output
    assert "Traceback" in output and "ValueError" in output


def test_formatter_masks_the_names_citizens_typed_wherever_they_appear() -> None:
    names = TypedNames()
    names.remember("Римская-Корсакова Анна Сергеевна")
    formatter = MaskingFormatter("%(name)s: %(message)s", names)
    try:
        raise ValueError("input_value='римская-корсакова анна'")
    except ValueError:
        record = logging.LogRecord(
            "aiosqlite",
            logging.DEBUG,
            __file__,
            1,
            "executing %s",
            ("('Анна Сергеевна', 1001)",),
            exc_info=sys.exc_info(),
        )
    output = formatter.format(record)
    for word in ("Римская", "Корсакова", "Анна", "Сергеевна", "римская", "анна"):
        assert word not in output
    assert "executing ('А*** С***', 1001)" in output
    assert "input_value='р***-к*** а***'" in output and "aiosqlite: " in output


@pytest.fixture
def bot_logs() -> Iterator[Callable[[TypedNames], io.StringIO]]:
    """The bot's logging set-up at LOG_LEVEL=DEBUG, its lines in a buffer; undone after."""
    root = logging.getLogger()
    saved = (
        root.handlers[:],
        root.level,
        {name: logging.getLogger(name).level for name in QUIET_LOGGERS},
    )

    def configure(names: TypedNames) -> io.StringIO:
        configure_logging("DEBUG", names)
        stream = io.StringIO()
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        return stream

    yield configure
    root.handlers[:], root.level, levels = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def test_a_full_name_typed_in_a_dialogue_is_in_no_debug_line(
    harness: BotHarness,
    group: int,
    citizen: Person,
    operator: Person,
    bot_logs: Callable[[TypedNames], io.StringIO],
) -> None:
    lines = bot_logs(harness.dispatcher["typed_names"])

    number = await file_recovery(harness, citizen)  # types «Иванова Анна Сергеевна»
    await harness.press(operator, "Взять в работу", card_of(harness, number))
    await harness.send(citizen, f"/status {number}")

    output = lines.getvalue()
    assert "Update id=" in output  # the lines were captured
    for word in ("Иванова", "Анна", "Сергеевна"):
        assert word not in output
    assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.WARNING


def test_a_long_text_in_the_name_field_adds_only_its_first_words() -> None:
    names = TypedNames(size=7)
    names.remember("Иванова Анна")
    names.remember("раз два три четыре пять шесть семь")
    assert names.mask("пять шесть Иванова Анна") == "п*** шесть И*** А***"
    names.remember("Петров Пётр")  # the oldest words make room
    assert names.mask("Иванова Анна раз два Петров") == "Иванова Анна р*** д*** П***"

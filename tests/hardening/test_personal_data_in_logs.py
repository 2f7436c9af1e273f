from __future__ import annotations

import logging

import pytest

from bot.logging_setup import MaskingFormatter
from bot.services.masking import mask_personal_data, mask_phone, mask_snils


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
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1,
                                   "citizen %s wrote %s", ("ivan@mail.ru", "112-233-445 95"),
                                   exc_info=__import__("sys").exc_info())
    output = formatter.format(record)
    for secret in ("ivan@", "112-233-445", "9123456789"):
        assert secret not in output
    assert "Traceback" in output and "ValueError" in output

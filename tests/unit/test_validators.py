from datetime import datetime

import pytest

from bot.domain.validators import (
    Invalid,
    Moment,
    Problem,
    clean_text,
    find_appeal_number,
    parse_appeal_number,
    parse_application_number,
    parse_code,
    parse_contact,
    parse_email,
    parse_full_name,
    parse_moment,
    parse_moments,
    parse_phone,
    parse_snils,
    snils_check_digits,
    strip_invisible,
    utf16_offsets_after_stripping,
)


def problem_of(call, *args, **kwargs) -> Problem:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value.problem


@pytest.mark.parametrize(
    "typed",
    [
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "89123456789",
        "+79123456789",
        "9123456789",
        "8-912-345-67-89",
        " +7(912)3456789 ",
    ],
)
def test_phone_notations_are_the_same_number(typed: str) -> None:
    assert parse_phone(typed) == "+79123456789"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", Problem.EMPTY),
        ("   ", Problem.EMPTY),
        ("позвоните мне", Problem.NOT_A_NUMBER),
        ("8912345678a", Problem.NOT_A_NUMBER),
        ("++79123456789", Problem.NOT_A_NUMBER),
        ("8912345", Problem.TOO_SHORT),
        ("8 912 345 67 89 12 34 56 7", Problem.TOO_LONG),
        ("8 (495) 123-45-67", Problem.LANDLINE),
        ("+7 800 100-70-70", Problem.NOT_MOBILE),
        ("+380 12 345 6789", Problem.INVALID_NUMBER),
        ("+999 123 456 7890", Problem.INVALID_COUNTRY),
        ("+7 012 345 67 89", Problem.INVALID_NUMBER),
    ],
)
def test_phone_refusals_have_a_reason(typed: str, problem: Problem) -> None:
    assert problem_of(parse_phone, typed) == problem


def test_valid_foreign_mobile_is_accepted() -> None:
    assert parse_phone("+44 7400 123456") == "+447400123456"


def test_landline_is_fine_when_mobile_is_not_required() -> None:
    assert parse_phone("8 (495) 123-45-67", mobile_only=False) == "+74951234567"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("112-233-445 95", "112-233-445 95"),
        ("11223344595", "112-233-445 95"),
        ("112 233 445 95", "112-233-445 95"),
    ],
)
def test_snils_is_normalised(typed: str, normalised: str) -> None:
    assert parse_snils(typed) == normalised


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("112233445", 95),  # weighted sum 95 < 100: the sum itself
        ("900000000", 81),
        ("911000004", 0),  # sum 100 -> 00
        ("911000005", 0),  # sum 101 -> 00
        ("911100000", 1),  # sum 102 -> 102 mod 101
        ("990000000", 52),  # sum 153 -> 153 mod 101
    ],
)
def test_snils_check_digits_follow_the_pension_fund_rule(body: str, check: int) -> None:
    assert snils_check_digits(body) == check


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", Problem.EMPTY),
        ("112-233-445 96", Problem.SNILS_CHECKSUM),
        ("112-233-445", Problem.SNILS_FORMAT),
        ("СНИЛС 11223344595", Problem.SNILS_FORMAT),
        ("000-000-000 00", Problem.SNILS_FORMAT),
    ],
)
def test_snils_refusals(typed: str, problem: Problem) -> None:
    assert problem_of(parse_snils, typed) == problem


def test_email_is_normalised_and_checked() -> None:
    assert parse_email(" Ivan.Petrov@Mail.RU ") == "Ivan.Petrov@mail.ru"
    assert problem_of(parse_email, "ivan@") == Problem.EMAIL
    assert problem_of(parse_email, "ivan petrov@mail.ru") == Problem.EMAIL


def test_contact_is_email_or_phone() -> None:
    assert parse_contact("ivan@mail.ru") == "ivan@mail.ru"
    assert parse_contact("8 (495) 123-45-67") == "+74951234567"
    assert problem_of(parse_contact, "завтра") == Problem.CONTACT


@pytest.mark.parametrize(
    "typed",
    ["Иванов Иван Иванович", "Петрова-Водкина Анна", "  Smith   John ", "Оглы Мамед Али оглы"],
)
def test_full_names(typed: str) -> None:
    assert parse_full_name(typed) == " ".join(typed.split())


@pytest.mark.parametrize("typed", ["Иван", "Иванов 123", "<b>Иванов</b> Иван", "а б в г д е"])
def test_bad_full_names(typed: str) -> None:
    assert problem_of(parse_full_name, typed) == Problem.FULL_NAME


@pytest.mark.parametrize("typed", ["123456", "123 456", "123-456", " 123456 "])
def test_code(typed: str) -> None:
    assert parse_code(typed) == "123456"


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "12345б"])
def test_bad_code(typed: str) -> None:
    assert problem_of(parse_code, typed) == Problem.CODE_FORMAT


@pytest.mark.parametrize(
    "typed",
    [
        "2026-000042",
        "2026000042",
        "№ 2026-000042",
        "№2026-000042",
        "N 2026-000042",
        "#2026-000042",
        "2026 000042",
        " 2026–000042 ",
    ],
)
def test_appeal_number_forms(typed: str) -> None:
    assert parse_appeal_number(typed) == "2026-000042"


@pytest.mark.parametrize("typed", ["2026-42", "42", "20260000420", "обращение", "1999-000001"])
def test_bad_appeal_numbers(typed: str) -> None:
    assert problem_of(parse_appeal_number, typed) == Problem.APPEAL_NUMBER


def test_appeal_number_inside_free_text() -> None:
    assert find_appeal_number("где мое заявление 2026-000042?") == "2026-000042"
    assert find_appeal_number("позвоните 89123456789") is None


def test_application_number() -> None:
    assert parse_application_number("№ 1234 5678") == "12345678"
    assert problem_of(parse_application_number, "12-ab") == Problem.NOT_A_NUMBER


NOW = datetime(2026, 11, 23, 15, 0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20.11.2026 14:30", Moment.from_iso("2026-11-20T14:30")),
        ("20.11.26 9:05", Moment.from_iso("2026-11-20T09:05")),
        ("20.11 14:30", Moment.from_iso("2026-11-20T14:30")),
        ("20/11/2026", Moment.from_iso("2026-11-20")),
        ("сегодня 10:15", Moment.from_iso("2026-11-23T10:15")),
        ("Вчера в 18.40", Moment.from_iso("2026-11-22T18:40")),
        ("позавчера", Moment.from_iso("2026-11-21")),
        ("25.12", Moment.from_iso("2025-12-25")),  # no year and not yet this year: last year
    ],
)
def test_moments(typed: str, expected: Moment) -> None:
    assert parse_moment(typed, now=NOW) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("31.02.2026 10:00", Problem.DATE_FORMAT),
        ("20.11.2026 25:00", Problem.DATE_FORMAT),
        ("давно", Problem.DATE_FORMAT),
        ("сегодня 18:00", Problem.TIME_IN_FUTURE),
        ("01.01.2030", Problem.DATE_IN_FUTURE),
        ("01.01.2024", Problem.DATE_TOO_OLD),
    ],
)
def test_bad_moments(typed: str, problem: Problem) -> None:
    assert problem_of(parse_moment, typed, now=NOW) == problem


def test_several_moments_sorted_and_deduplicated() -> None:
    moments = parse_moments("21.11.2026 12:00, 20.11.2026 10:15; 21.11.2026 12:00 и вчера", now=NOW)
    assert [moment.display() for moment in moments] == [
        "20.11.2026 10:15",
        "21.11.2026 12:00",
        "22.11.2026",
    ]


def test_a_time_not_yet_come_today_is_told_as_a_time() -> None:
    with pytest.raises(Invalid) as caught:
        parse_moment("сегодня 18:00", now=NOW)
    assert caught.value.problem == Problem.TIME_IN_FUTURE
    assert caught.value.details == {"now": f"{NOW:%H:%M}"}


def test_several_moments_name_the_one_refused() -> None:
    with pytest.raises(Invalid) as caught:
        parse_moments("вчера 10:15, 30.11.2026 12:00, завтра", now=datetime(2026, 12, 2, 9, 20))
    assert caught.value.problem == Problem.DATE_FORMAT
    assert caught.value.details == {"piece": "завтра"}
    with pytest.raises(Invalid) as caught:
        parse_moments("вчера, " + "я" * 100, now=NOW)
    assert caught.value.details == {"piece": "я" * 29 + "…"}


def test_too_many_moments() -> None:
    typed = ", ".join(f"{day:02d}.11.2026" for day in range(1, 13))
    assert problem_of(parse_moments, typed, now=NOW) == Problem.TOO_MANY_DATES


def test_clean_text_limits() -> None:
    assert clean_text("  привет  ", max_length=10) == "привет"
    assert problem_of(clean_text, "  ", max_length=10) == Problem.EMPTY
    with pytest.raises(Invalid) as caught:
        clean_text("я" * 11, max_length=10)
    assert caught.value.details == {"limit": 10, "length": 11}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Обычный текст, без сюрпризов.", "Обычный текст, без сюрпризов."),
        ("\u200b\u200c\u200d\u2060\ufeff", ""),
        ("Не\x00 работает\x07", "Не работает"),
        ("строка 1\nстрока 2\tтаб\r", "строка 1\nстрока 2\tтаб"),
        ("\u202eтекст наоборот\u202c", "текст наоборот"),
        ("мягкий\u00adперенос", "мягкийперенос"),
        ("🤷\u200d♀️ и 👩\u200d⚕️", "🤷\u200d♀️ и 👩\u200d⚕️"),  # joiners inside emoji stay
        ("a \u200d b\u200d", "a  b"),  # ...but not between spaces or at the end
        ("\ud800сирота", "сирота"),  # a lone surrogate cannot even be stored
    ],
)
def test_strip_invisible(typed: str, kept: str) -> None:
    assert strip_invisible(typed) == kept


def test_offsets_count_utf16_units_as_telegram_does() -> None:
    text = "\u200b😀\x00a"  # 😀 takes two UTF-16 units
    assert utf16_offsets_after_stripping(text) == [0, 0, 0, 2, 2, 3]


def test_blank_moment_is_empty_not_malformed() -> None:
    assert problem_of(parse_moment, "   ", now=NOW) == Problem.EMPTY

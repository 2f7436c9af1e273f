"""Validation of what citizens type: pure functions, no aiogram.

Each parser returns the normalised value or raises :class:`Invalid` with a
machine-readable ``code``; the text catalog turns codes into Russian answers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    NOT_A_NUMBER = "not_a_number"
    INVALID_NUMBER = "invalid_number"
    INVALID_COUNTRY = "invalid_country"
    LANDLINE = "landline"
    NOT_MOBILE = "not_mobile"
    SNILS_FORMAT = "snils_format"
    SNILS_CHECKSUM = "snils_checksum"
    EMAIL = "email"
    CONTACT = "contact"
    FULL_NAME = "full_name"
    CODE_FORMAT = "code_format"
    APPEAL_NUMBER = "appeal_number"
    DATE_FORMAT = "date_format"
    DATE_IN_FUTURE = "date_in_future"
    TIME_IN_FUTURE = "time_in_future"  # today, at a time that has not come yet
    DATE_TOO_OLD = "date_too_old"
    TOO_MANY_DATES = "too_many_dates"


class Invalid(ValueError):
    def __init__(self, problem: Problem, **details: int | str) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.details = details


# --- invisible characters ----------------------------------------------------

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # controls, format, lone surrogates
_KEPT_CONTROLS = frozenset("\n\t")
_ZERO_WIDTH_JOINER = "\u200d"


def _kept_characters(text: str) -> list[bool]:
    """Which characters of ``text`` survive :func:`strip_invisible`.

    A zero-width joiner between two visible characters stays: it glues emoji
    sequences (🤷‍♀️, 👩‍⚕️) that would otherwise fall apart into pieces.
    """
    invisible = [
        character not in _KEPT_CONTROLS and unicodedata.category(character) in _INVISIBLE_CATEGORIES
        for character in text
    ]
    kept = [not hidden for hidden in invisible]
    for index, character in enumerate(text):
        if character == _ZERO_WIDTH_JOINER and 0 < index < len(text) - 1:
            before, after = text[index - 1], text[index + 1]
            kept[index] = not (
                invisible[index - 1] or invisible[index + 1] or before.isspace() or after.isspace()
            )
    return kept


def strip_invisible(text: str) -> str:
    """``text`` without control and format characters (newlines and tabs stay).

    Zero-width spaces, NUL bytes, direction marks and the like cannot be seen,
    so an answer made of them only is no answer, and NUL cannot be stored.
    """
    if text.isprintable():  # the usual case: no control or format character at all
        return text
    return "".join(
        character for character, keep in zip(text, _kept_characters(text), strict=True) if keep
    )


def utf16_offsets_after_stripping(text: str) -> list[int]:
    """For each UTF-16 offset into ``text`` (Telegram's entity offsets), the offset after
    :func:`strip_invisible`; one more entry for the end of the text."""
    offsets: list[int] = []
    position = 0
    for character, keep in zip(text, _kept_characters(text), strict=True):
        units = 2 if ord(character) > 0xFFFF else 1
        offsets.extend([position] * units)
        if keep:
            position += units
    offsets.append(position)
    return offsets


def clean_text(text: str | None, *, max_length: int, min_length: int = 1) -> str:
    """Free text: trimmed, inner runs of spaces kept, length checked."""
    value = (text or "").strip()
    if not value:
        raise Invalid(Problem.EMPTY)
    if len(value) > max_length:
        raise Invalid(Problem.TOO_LONG, limit=max_length, length=len(value))
    if len(value) < min_length:
        raise Invalid(Problem.TOO_SHORT, limit=min_length)
    return value


# --- phone numbers -------------------------------------------------------

_PHONE_CHARACTERS = re.compile(r"^[\d\s()+\-.]+$")
_ACCEPTED_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def parse_phone(text: str | None, *, region: str = "RU", mobile_only: bool = True) -> str:
    """A phone number in any usual notation -> E.164 (``+79123456789``).

    ``8 (912) 345-67-89``, ``+7 912 345 67 89`` and ``89123456789`` are the same
    number. With ``mobile_only`` a landline is refused: SMS cannot reach it.
    """
    value = (text or "").strip()
    if not value:
        raise Invalid(Problem.EMPTY)
    if not _PHONE_CHARACTERS.match(value) or value.count("+") > 1:
        raise Invalid(Problem.NOT_A_NUMBER)
    digits = re.sub(r"\D", "", value)
    if len(digits) < 10:
        raise Invalid(Problem.TOO_SHORT)
    if len(digits) > 15:
        raise Invalid(Problem.TOO_LONG, limit=15, length=len(digits))
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException as error:
        if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise Invalid(Problem.INVALID_COUNTRY) from error
        raise Invalid(Problem.NOT_A_NUMBER) from error
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.TOO_SHORT:
        raise Invalid(Problem.TOO_SHORT)
    if possible in (ValidationResult.TOO_LONG, ValidationResult.INVALID_LENGTH):
        raise Invalid(Problem.INVALID_NUMBER)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        raise Invalid(Problem.INVALID_COUNTRY)
    if not phonenumbers.is_valid_number(number):
        raise Invalid(Problem.INVALID_NUMBER)
    if mobile_only:
        number_type = phonenumbers.number_type(number)
        if number_type == PhoneNumberType.FIXED_LINE:
            raise Invalid(Problem.LANDLINE)
        if number_type not in _ACCEPTED_MOBILE_TYPES:
            raise Invalid(Problem.NOT_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """``+79123456789`` -> ``+7 912 345-67-89`` for display."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- SNILS ----------------------------------------------------------------

# Numbers up to 001-001-998 were issued before check digits existed.
_SNILS_CHECKED_FROM = 1_001_998


def snils_check_digits(first_nine: str) -> int:
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(9, 0, -1), strict=True)
    )
    while total > 101:
        total %= 101
    return 0 if total in (100, 101) else total


def parse_snils(text: str | None) -> str:
    """SNILS in any spacing -> ``123-456-789 64``, check digits verified."""
    value = (text or "").strip()
    if not value:
        raise Invalid(Problem.EMPTY)
    if not re.fullmatch(r"[\d\s\-]+", value):
        raise Invalid(Problem.SNILS_FORMAT)
    digits = re.sub(r"\D", "", value)
    if len(digits) != 11:
        raise Invalid(Problem.SNILS_FORMAT)
    body, check = digits[:9], int(digits[9:])
    if int(body) == 0:
        raise Invalid(Problem.SNILS_FORMAT)
    if int(body) > _SNILS_CHECKED_FROM and snils_check_digits(body) != check:
        raise Invalid(Problem.SNILS_CHECKSUM)
    return f"{body[:3]}-{body[3:6]}-{body[6:]} {digits[9:]}"


# --- e-mail and contacts --------------------------------------------------


def parse_email(text: str | None) -> str:
    value = (text or "").strip()
    if not value:
        raise Invalid(Problem.EMPTY)
    if len(value) > 254:
        raise Invalid(Problem.TOO_LONG, limit=254, length=len(value))
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise Invalid(Problem.EMAIL) from error


def parse_contact(text: str | None, *, region: str = "RU") -> str:
    """An e-mail or a phone for the answer: normalised e-mail or E.164."""
    value = (text or "").strip()
    if not value:
        raise Invalid(Problem.EMPTY)
    if "@" in value:
        return parse_email(value)
    try:
        return parse_phone(value, region=region, mobile_only=False)
    except Invalid as error:
        raise Invalid(Problem.CONTACT) from error


_NAME_PART = re.compile(r"^[A-Za-zА-Яа-яЁё]+(?:[-'’][A-Za-zА-Яа-яЁё]+)*$")


def parse_full_name(text: str | None) -> str:
    """Surname, name and (optional) patronymic: two to five words of letters."""
    value = " ".join((text or "").split())
    if not value:
        raise Invalid(Problem.EMPTY)
    if len(value) > 150:
        raise Invalid(Problem.TOO_LONG, limit=150, length=len(value))
    parts = value.split(" ")
    if not 2 <= len(parts) <= 5 or not all(_NAME_PART.match(part) for part in parts):
        raise Invalid(Problem.FULL_NAME)
    return value


# --- codes and appeal numbers ----------------------------------------------

CODE_LENGTH = 6


def parse_code(text: str | None) -> str:
    value = re.sub(r"[\s\-]", "", text or "")
    if not value:
        raise Invalid(Problem.EMPTY)
    if not re.fullmatch(rf"\d{{{CODE_LENGTH}}}", value):
        raise Invalid(Problem.CODE_FORMAT)
    return value


_APPEAL_NUMBER = re.compile(r"(?<!\d)(20\d{2})\s*[-–—]?\s*(\d{6})(?!\d)")
_APPEAL_PREFIX = re.compile(r"^(?:№|N|#|No\.?)\s*", re.IGNORECASE)


def parse_appeal_number(text: str | None) -> str:
    """``2026-000042``, ``2026000042`` or ``№ 2026-000042`` -> ``2026-000042``."""
    value = _APPEAL_PREFIX.sub("", (text or "").strip())
    if not value:
        raise Invalid(Problem.EMPTY)
    match = _APPEAL_NUMBER.fullmatch(value)
    if match is None:
        raise Invalid(Problem.APPEAL_NUMBER)
    return f"{match.group(1)}-{match.group(2)}"


def find_appeal_number(text: str | None) -> str | None:
    """The first appeal number inside free text, if any."""
    match = _APPEAL_NUMBER.search(text or "")
    return None if match is None else f"{match.group(1)}-{match.group(2)}"


def parse_application_number(text: str | None) -> str:
    """A portal application number: 5 to 20 digits, spaces and dashes ignored."""
    value = re.sub(r"[\s\-№#]", "", text or "")
    if not value:
        raise Invalid(Problem.EMPTY)
    if not re.fullmatch(r"\d{5,20}", value):
        raise Invalid(Problem.NOT_A_NUMBER)
    return value


# --- dates and times -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moment:
    """A date the citizen gave, with the time if they gave it (local time)."""

    day: date
    at: time | None = None

    def iso(self) -> str:
        return (
            self.day.isoformat() if self.at is None else f"{self.day.isoformat()}T{self.at:%H:%M}"
        )

    @classmethod
    def from_iso(cls, text: str) -> Moment:
        day, _, at = text.partition("T")
        return cls(date.fromisoformat(day), time.fromisoformat(at) if at else None)

    def display(self) -> str:
        return f"{self.day:%d.%m.%Y}" if self.at is None else f"{self.day:%d.%m.%Y} {self.at:%H:%M}"


_RELATIVE_DAYS = {"сегодня": 0, "вчера": 1, "позавчера": 2}
_MOMENT = re.compile(
    r"^(?:(?P<word>сегодня|вчера|позавчера)"
    r"|(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2}|\d{4}))?)"
    r"(?:\s*(?:в\s*)?(?P<hh>\d{1,2})[:.](?P<mm>\d{2}))?$"
)
_MOMENT_SEPARATORS = re.compile(r"\s*(?:[;,\n]|\sи\s)\s*")
MAX_MOMENTS = 10
MAX_AGE = timedelta(days=366)


def parse_moment(text: str, *, now: datetime) -> Moment:
    """One date with an optional time, in the citizen's (local) time of ``now``."""
    if not text.strip():
        raise Invalid(Problem.EMPTY)
    match = _MOMENT.match(" ".join(text.lower().split()))
    if match is None:
        raise Invalid(Problem.DATE_FORMAT)
    today = now.date()
    if match.group("word"):
        day = today - timedelta(days=_RELATIVE_DAYS[match.group("word")])
    else:
        year_text = match.group("y")
        year = today.year if year_text is None else int(year_text)
        if year_text is not None and len(year_text) == 2:
            year += 2000
        try:
            day = date(year, int(match.group("m")), int(match.group("d")))
        except ValueError as error:
            raise Invalid(Problem.DATE_FORMAT) from error
        if year_text is None and day > today:
            day = day.replace(year=year - 1)
    at = None
    if match.group("hh") is not None:
        try:
            at = time(int(match.group("hh")), int(match.group("mm")))
        except ValueError as error:
            raise Invalid(Problem.DATE_FORMAT) from error
    moment = Moment(day, at)
    local_now = now.replace(tzinfo=None)
    if datetime.combine(day, at or time(0, 0)) > local_now + timedelta(minutes=5):
        if day == today:
            raise Invalid(Problem.TIME_IN_FUTURE, now=f"{local_now:%H:%M}")
        raise Invalid(Problem.DATE_IN_FUTURE)
    if local_now - datetime.combine(day, at or time(0, 0)) > MAX_AGE:
        raise Invalid(Problem.DATE_TOO_OLD)
    return moment


QUOTED_PIECE_LENGTH = 30


def _quoted(piece: str) -> str:
    """A piece of the citizen's answer short enough to quote back to them."""
    piece = " ".join(piece.split())
    if len(piece) <= QUOTED_PIECE_LENGTH:
        return piece
    return piece[: QUOTED_PIECE_LENGTH - 1] + "…"


def parse_moments(text: str | None, *, now: datetime) -> list[Moment]:
    """Several dates and times separated by commas, semicolons, lines or «и».

    A refusal names the piece it is about (``piece``), so a citizen who typed
    three dates learns which one to fix.
    """
    value = (text or "").strip()
    if not value:
        raise Invalid(Problem.EMPTY)
    pieces = [piece for piece in _MOMENT_SEPARATORS.split(value) if piece.strip()]
    if len(pieces) > MAX_MOMENTS:
        raise Invalid(Problem.TOO_MANY_DATES, limit=MAX_MOMENTS)
    moments = []
    for piece in pieces:
        try:
            moments.append(parse_moment(piece, now=now))
        except Invalid as error:
            raise Invalid(error.problem, **error.details, piece=_quoted(piece)) from error
    return sorted(set(moments), key=lambda moment: (moment.day, moment.at or time(0, 0)))

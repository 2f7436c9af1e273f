"""Masking of personal data for logs and operator cards."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable

from bot.domain.validators import format_phone


def mask_phone(e164: str | None) -> str:
    """``+79123456789`` -> ``+7 912 ***-**-89``: country, operator code, last two digits."""
    if not e164:
        return "—"
    pretty = format_phone(e164)
    match = re.fullmatch(r"(\+\d+ \d{3}) \d{3}-\d{2}-(\d{2})", pretty)
    if match:
        return f"{match.group(1)} ***-**-{match.group(2)}"
    digits = re.sub(r"\D", "", e164)
    return f"+{digits[:1]}{'*' * max(len(digits) - 3, 0)}{digits[-2:]}"


def mask_snils(snils: str | None) -> str:
    """``123-456-789 64`` -> ``***-***-*** 64``."""
    if not snils:
        return "—"
    digits = re.sub(r"\D", "", snils)
    return f"***-***-*** {digits[-2:]}"


def mask_email(email: str | None) -> str:
    """``ivan.petrov@mail.ru`` -> ``i***@mail.ru``."""
    if not email or "@" not in email:
        return "—" if not email else "***"
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_contact(contact: str | None) -> str:
    if contact and "@" in contact:
        return mask_email(contact)
    return mask_phone(contact)


def mask_name(full_name: str | None) -> str:
    """``Иванов Иван Иванович`` -> ``И*** И*** И***``: initials only."""
    if not full_name:
        return "—"
    return " ".join(f"{part[:1]}***" for part in full_name.split())


# Personal data inside free text: log lines and tracebacks, and whatever a citizen typed
# that operators see (card fields, relayed messages, /history). Order matters: e-mails
# first, then the digit patterns from the longest to the shortest.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BANK_CARD = re.compile(
    r"(?<![\w-])(?:\d{4}[ -]?){3}\d{4}(?:[ -]?\d{1,3})?(?![\w-])"
    r"|(?<![\w-])\d{13,19}(?![\w-])"
)
_SNILS = re.compile(r"(?<![\d+])\d{3}[\s-]\d{3}[\s-]\d{3}[\s-]\d{2}(?!\d)")
_PHONE = re.compile(
    r"(?<![\d\w])(?:\+7|8|7)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)"
    r"|\+\d[\d\s\-()]{8,17}\d"
)
_PASSPORT = re.compile(r"(?<![\d\-])\d{2}\s?\d{2}\s\d{6}(?!\d)")
_BARE_DIGITS = re.compile(r"(?<![\d\-])\d{10,11}(?![\d\-])")


def _keep_last(count: int) -> Callable[[re.Match[str]], str]:
    """Every digit of the match but the last ``count`` becomes ``*``; separators stay."""

    def mask(match: re.Match[str]) -> str:
        text = match.group(0)
        digits_left = sum(character.isdigit() for character in text)
        masked = []
        for character in text:
            if character.isdigit():
                digits_left -= 1
                masked.append(character if digits_left < count else "*")
            else:
                masked.append(character)
        return "".join(masked)

    return mask


def mask_personal_data(text: str) -> str:
    """Phones, SNILS, passport, bank card numbers and e-mails in any text, masked."""
    text = _EMAIL.sub(lambda match: mask_email(match.group(0)), text)
    text = _BANK_CARD.sub(_keep_last(4), text)
    text = _SNILS.sub(_keep_last(2), text)
    text = _PHONE.sub(_keep_last(2), text)
    text = _PASSPORT.sub(_keep_last(2), text)
    return _BARE_DIGITS.sub(_keep_last(2), text)


def has_personal_data(text: str) -> bool:
    return mask_personal_data(text) != text


_WORD = re.compile(r"[^\W\d_]+")


class TypedNames:
    """Names citizens typed into a name field, masked wherever a log line holds them.

    No pattern tells a name from any other word, so the log formatter is told
    which words were typed as names: each of them is masked in every line
    (``Сидорова`` -> ``С***``), also in third-party lines and tracebacks. Only
    the ``size`` most recently typed words are kept, and of one text its first
    ``NAME_WORDS`` (a full name has at most five), so a long text typed into
    the name field cannot push the names out.
    """

    NAME_WORDS = 5

    def __init__(self, size: int = 100_000) -> None:
        self._size = size
        self._words: OrderedDict[str, None] = OrderedDict()

    def remember(self, typed: str) -> None:
        for word in _WORD.findall(typed)[: self.NAME_WORDS]:
            key = word.casefold()
            self._words[key] = None
            self._words.move_to_end(key)
        while len(self._words) > self._size:
            self._words.popitem(last=False)

    def mask(self, text: str) -> str:
        if not self._words:
            return text
        return _WORD.sub(
            lambda match: (
                f"{match.group(0)[:1]}***"
                if match.group(0).casefold() in self._words
                else match.group(0)
            ),
            text,
        )

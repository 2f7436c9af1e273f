"""Masking of personal data for logs and operator cards."""

from __future__ import annotations

import re

from bot.services.validators import format_phone


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

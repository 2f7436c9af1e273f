"""Rules both storage backends follow, so that SQLite and PostgreSQL store the same values."""

from __future__ import annotations

from bot.domain.models import Audience

# The last error of an outbox row dropped because the data it carried was erased.
ERASED_ERROR = "personal data erased"


def format_appeal_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


def lane(audience: Audience, appeal_id: int) -> str:
    """Rows of one lane are delivered in order: per appeal and side."""
    return f"{audience}:{appeal_id}"


def title_key(title: str) -> str:
    """A template's title as compared: case-folded in Python (neither SQLite's lower() nor a
    database collation folds Cyrillic the same way everywhere), «ё» as «е», spaces collapsed."""
    return " ".join(title.casefold().replace("ё", "е").split())

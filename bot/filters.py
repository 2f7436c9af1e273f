"""Custom filters."""

from __future__ import annotations

import re

from aiogram.filters import Filter
from aiogram.types import Message

_NOT_LETTERS = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_words(text: str) -> str:
    """Lower case, no emoji or punctuation, single spaces: «✖️ Отмена!» -> «отмена»."""
    return " ".join(_NOT_LETTERS.sub(" ", text.lower().replace("ё", "е")).split())


class TypedWord(Filter):
    """A message whose whole text is one of ``words`` (as a button label or typed)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self._words = frozenset(normalise_words(word) for word in words)

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and normalise_words(message.text) in self._words

"""Examples the catalog gives people must pass the bot's own checks."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import bot.texts
from bot.domain.validators import parse_snils

SNILS_LIKE = re.compile(r"\b\d{3}-\d{3}-\d{3} \d{2}\b")


def catalog_strings() -> list[str]:
    found: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    for module_info in pkgutil.iter_modules(bot.texts.__path__):
        module = importlib.import_module(f"bot.texts.{module_info.name}")
        for name, value in vars(module).items():
            if name.isupper():
                collect(value)
    return found


SNILS_EXAMPLES = sorted({match for text in catalog_strings() for match in SNILS_LIKE.findall(text)})


def test_the_catalog_gives_a_snils_example() -> None:
    assert SNILS_EXAMPLES


@pytest.mark.parametrize("example", SNILS_EXAMPLES)
def test_every_snils_example_passes_the_check(example: str) -> None:
    assert parse_snils(example) == example

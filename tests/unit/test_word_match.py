"""Free-text routing forgives Latin lookalikes, a glued «не» and one-letter typos."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.content import load_rules
from bot.domain.word_match import fold_lookalikes, split_negation, stem_matches, within_one_edit


@pytest.mark.parametrize(
    ("word", "folded"),
    [
        ("cмс", "смс"),  # Latin c in a Russian word
        ("нe", "не"),  # Latin e
        ("cmc", "смс"),  # only lookalikes: read as Cyrillic
        ("sms", "sms"),  # a Latin word stays
        ("смс", "смс"),
        ("обрaщения", "обращения"),
    ],
)
def test_latin_lookalikes_are_folded_in_russian_words(word: str, folded: str) -> None:
    assert fold_lookalikes(word) == folded


def test_a_glued_negation_is_also_read_apart() -> None:
    assert split_negation("немогу") == ["немогу", "не", "могу"]
    assert split_negation("нет") == ["нет"]
    assert split_negation("войти") == ["войти"]


@pytest.mark.parametrize(
    ("first", "second", "close"),
    [
        ("обращен", "обрашен", True),  # one letter wrong
        ("поддержк", "поддеркж", True),  # two neighbours swapped
        ("недовол", "недоволн", True),  # one letter more
        ("парол", "пaрол", True),
        ("обращен", "обрашэн", False),  # two letters wrong
        ("звонок", "звонок", True),
    ],
)
def test_one_edit(first: str, second: str, close: bool) -> None:
    assert within_one_edit(first, second) is close
    assert within_one_edit(second, first) is close


def test_short_stems_match_only_exactly_and_long_ones_forgive_a_longer_ending() -> None:
    assert not stem_matches("мог", "маг")
    assert stem_matches("мог", "мог")
    assert stem_matches("получа", "получает")
    assert stem_matches("пожалова", "пожаловат")
    assert not stem_matches("номер", "помидор")


@pytest.fixture
def matcher(tmp_path: Path):  # type: ignore[no-untyped-def]
    rules = tmp_path / "routing.yaml"
    rules.write_text(
        """\
rules:
  - target: recovery
    phrases: [не могу войти, не приходит смс, неверный пароль]
  - target: status
    phrases: [статус обращения]
  - target: new_appeal
    phrases: [статус, подать обращение]
""",
        encoding="utf-8",
    )
    return load_rules(rules, frozenset({"recovery", "status", "new_appeal"}))


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("не приходит cмс", "recovery"),  # Latin c
        ("НЕ ПРИХОДИТ CMC", "recovery"),  # Latin C, M, C
        ("немогу войти", "recovery"),
        ("не могу вoйти", "recovery"),  # Latin o
        ("неверный пароль", "recovery"),
        ("статус обрашения", "status"),  # a typo: still the longer phrase
        ("пoдать обрашение", "new_appeal"),
    ],
)
def test_the_matcher_routes_what_people_type(matcher, text: str, target: str) -> None:  # type: ignore[no-untyped-def]
    assert matcher.match(text)[0] == target


def test_an_exact_phrase_beats_an_equally_long_one_found_through_a_typo(matcher) -> None:  # type: ignore[no-untyped-def]
    assert matcher.match("статус обращения") == ["status", "new_appeal"]
    assert matcher.match("привет") == []

"""The pure parts of the fixture runner: variables, text checks, buttons, labels."""

from __future__ import annotations

import pytest

from testkit.fixtures.checks import (
    UnknownVariable,
    buttons_problem,
    capture,
    find_label,
    holds,
    resolve,
    substitute,
)
from testkit.fixtures.model import ButtonsCheck, Check, Match


def test_variables_are_substituted_in_both_spellings_and_a_double_dollar_stays() -> None:
    variables = {"number": "2026-000001", "код": "123456"}
    assert substitute("№ $number, ${код}x, $$5", variables) == "№ 2026-000001, 123456x, $5"


def test_an_unknown_variable_names_the_known_ones() -> None:
    with pytest.raises(UnknownVariable, match=r"\$nmber is not set \(set so far: \$number\)"):
        substitute("$nmber", {"number": "1"})


def test_values_are_escaped_in_regular_expressions_and_a_bare_dollar_is_an_anchor() -> None:
    check = resolve(Check(r"^Номер: $phone$", Match.REGEX), {"phone": "+7 (912)"})
    assert holds(check, "Номер: +7 (912)")
    assert not holds(check, "Номер: +7 912")
    assert not holds(check, "Номер: +7 (912) 345")
    price = resolve(Check(r"^Цена: $$5$", Match.REGEX), {})
    assert holds(price, "Цена: $5")


@pytest.mark.parametrize(
    ("check", "text", "expected"),
    [
        (Check("Главное меню", Match.EQUALS), "Главное меню\n", True),
        (Check("Главное", Match.EQUALS), "Главное меню", False),
        (Check("меню", Match.CONTAINS), "Главное меню", True),
        (Check("Меню", Match.CONTAINS), "Главное меню", False),
        (Check(r"^\d{4}-\d{6}$", Match.REGEX), "Номер:\n2026-000001", True),
        (Check(r"^\d{4}-\d{6}$", Match.REGEX), "Номер: 2026-000001", False),
        (Check("ошибка", Match.CONTAINS, negate=True), "Всё хорошо", True),
        (Check("ошибка", Match.CONTAINS, negate=True), "Произошла ошибка", False),
    ],
)
def test_text_checks(check: Check, text: str, expected: bool) -> None:
    assert holds(check, text) is expected


def test_capture_takes_the_first_group_or_the_whole_match() -> None:
    assert capture(r"Номер: (\S+)", "Номер: 2026-000007\nТип") == "2026-000007"
    assert capture(r"\d{6}", "Код: 004211.") == "004211"
    assert capture(r"\d{6}", "нет кода") is None


@pytest.mark.parametrize(
    ("sequence", "absent", "shown", "problem"),
    [
        (("A", "B"), (), ("A", "B"), None),
        (("A", "B"), (), ("A", "B", "C"), "different buttons"),
        (("B", "A"), (), ("A", "B"), "different buttons"),
        (("A", "..."), (), ("A", "B", "C"), None),
        (("...", "C"), (), ("A", "B", "C"), None),
        (("A", "...", "C"), (), ("A", "C"), None),
        (("...",), (), (), None),
        ((), (), (), None),
        ((), (), ("A",), "different buttons"),
        (("...",), ("B",), ("A", "B"), "must not show 'B'"),
    ],
)
def test_buttons(
    sequence: tuple[str, ...], absent: tuple[str, ...], shown: tuple[str, ...], problem: str | None
) -> None:
    assert buttons_problem(ButtonsCheck(sequence, absent), shown) == problem


def test_a_label_is_found_exactly_or_as_the_only_one_containing_the_words() -> None:
    labels = ["✅ Отправить", "⬅️ Назад", "🔁 Отправить код ещё раз"]
    assert find_label("✅ Отправить", labels) == ("✅ Отправить", [])
    assert find_label("Назад", labels) == ("⬅️ Назад", [])
    assert find_label("Отправить", labels) == (None, ["✅ Отправить", "🔁 Отправить код ещё раз"])
    assert find_label("Вперёд", labels) == (None, [])

"""/shift's answer (bot/rendering/operators.py ``shift_text``)."""

from __future__ import annotations

from collections import Counter

from bot.domain.models import OperatorShift
from bot.rendering.operators import shift_text

IRINA = OperatorShift(1, "Ирина", None)
OLEG = OperatorShift(2, "Олег <дежурный>", None)


def test_off_shift_with_nobody_left_on_it() -> None:
    assert shift_text("Ирина", False, 5, [], {}) == (
        "⚪️ Ирина, вы вне смены: новые обращения вам больше не назначаются.\n"
        "На смене никого: новые обращения ждут в очереди."
    )


def test_on_shift_lists_everyone_on_it_with_their_load_of_the_capacity() -> None:
    text = shift_text("Ирина", True, 5, [IRINA, OLEG], Counter({1: 2}))

    assert text == (
        "🟢 Ирина, вы на смене: новые обращения назначаются вам по очереди (до 5 открытых).\n"
        "На смене: Ирина (2 из 5), Олег &lt;дежурный&gt; (0 из 5)."
    )


def test_without_automatic_assignment_the_capacity_is_unlimited() -> None:
    text = shift_text("Олег", True, 0, [OLEG], {2: 7})

    assert text.startswith("🟢 Олег, вы на смене. Автоматическое назначение выключено")
    assert text.endswith("\nНа смене: Олег &lt;дежурный&gt; (7 из ∞).")

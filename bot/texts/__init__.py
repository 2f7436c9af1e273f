"""The Russian text catalog.

Templates hold named fields, filled in by :mod:`bot.domain.templating`:
:func:`render` escapes every value for HTML, so user input can never break
markup; pre-built fragments pass as :class:`Safe`.
"""

from __future__ import annotations

# The templating itself is pure and lives in the domain; the catalog re-exports it.
from bot.domain.templating import Safe, join_lines, plain, render

__all__ = ["Safe", "explain", "join_lines", "plain", "render"]


def explain(problem: str, details: dict[str, object], table: dict[str, str]) -> str:
    """The answer for a refused input: the table's wording, else the generic one."""
    from bot.texts.validation import GENERIC

    template = table.get(problem) or GENERIC.get(problem) or GENERIC["empty"]
    return render(template, **details)

"""The Russian text catalog.

Templates hold named fields. :func:`render` escapes every value for HTML, so
user input can never break markup; pre-built fragments pass as :class:`Safe`.
"""

from __future__ import annotations

from aiogram import html


class Safe(str):
    """A fragment already rendered as HTML: inserted as is."""


def render(template: str, **values: object) -> str:
    escaped = {
        name: value if isinstance(value, Safe) else html.quote(str(value))
        for name, value in values.items()
    }
    return template.format(**escaped)


def plain(template: str, **values: object) -> str:
    """For plain-text places (callback alerts, topic names): no HTML, so no escaping."""
    return template.format(**values)


def join_lines(lines: list[str]) -> Safe:
    """Lines already rendered with :func:`render`, as one fragment."""
    return Safe("\n".join(lines))


def explain(problem: str, details: dict[str, object], table: dict[str, str]) -> str:
    """The answer for a refused input: the table's wording, else the generic one."""
    from bot.texts.validation import GENERIC

    template = table.get(problem) or GENERIC.get(problem) or GENERIC["empty"]
    return render(template, **details)

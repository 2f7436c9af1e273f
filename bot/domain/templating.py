"""HTML templates with named fields, safe for user input.

:func:`render` escapes every value for Telegram's HTML, so user input can never
break markup; pre-built fragments pass as :class:`Safe`. The text catalog
(``bot.texts``) holds the templates; services and rendering fill them in.
"""

from __future__ import annotations

import html


class Safe(str):
    """A fragment already rendered as HTML: inserted as is."""


def escape(value: str) -> str:
    """``&``, ``<`` and ``>`` as entities: what Telegram's HTML needs (quotes stay)."""
    return html.escape(value, quote=False)


def render(template: str, **values: object) -> str:
    escaped = {
        name: value if isinstance(value, Safe) else escape(str(value))
        for name, value in values.items()
    }
    return template.format(**escaped)


def plain(template: str, **values: object) -> str:
    """For plain-text places (callback alerts, topic names): no HTML, so no escaping."""
    return template.format(**values)


def join_lines(lines: list[str]) -> Safe:
    """Lines already rendered with :func:`render`, as one fragment."""
    return Safe("\n".join(lines))

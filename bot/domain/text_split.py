"""Splitting HTML text into Telegram-sized messages without breaking markup.

Telegram counts a message's length after entity parsing (tags removed,
``&amp;`` counted as one character), so lengths here are visible lengths.
A piece cut inside ``<b>…</b>`` is closed and the tag is reopened in the next.
"""

from __future__ import annotations

import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_TOKEN = re.compile(r"<[^>]+>|&[#\w]+;|[^<&]", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([\w-]+)")


def visible_length(html_text: str) -> int:
    return sum(1 for token in _TOKEN.findall(html_text) if not token.startswith("<"))


def split_html(html_text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` visible characters, preferring line breaks."""
    # Markup only ever shortens the visible text: most messages need no counting.
    if len(html_text) <= limit or visible_length(html_text) <= limit:
        return [html_text]
    pieces: list[str] = []
    for line in html_text.split("\n"):
        for part in _split_line(line, limit):
            if pieces and visible_length(pieces[-1]) + 1 + visible_length(part) <= limit:
                pieces[-1] += "\n" + part
            else:
                pieces.append(part)
    return [piece for piece in pieces if piece.strip()] or [html_text[:limit]]


def _split_line(line: str, limit: int) -> list[str]:
    if visible_length(line) <= limit:
        return [line]
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, opening tag as written)
    current: list[str] = []
    size = 0
    for token in _TOKEN.findall(line):
        if token.startswith("<"):
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match else ""
            if token.startswith("</"):
                if open_tags and open_tags[-1][0] == name:
                    open_tags.pop()
            else:
                open_tags.append((name, token))
            current.append(token)
            continue
        if size == limit:
            closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
            parts.append("".join(current) + closing)
            current = [opening for _, opening in open_tags]
            size = 0
        current.append(token)
        size += 1
    parts.append("".join(current))
    return parts

"""Tiny SVG charts drawn on the server: bars or a line over labelled points.

Pure: a list of ``(label, value)`` in, an SVG document (text) out. A missing value
(``None``: nothing to measure that day) leaves a gap, not a zero. Labels are escaped, so
a chart can be put into HTML or sent as a file as it is. No scripts, no external fonts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

Point = tuple[str, float | None]

WIDTH = 640
HEIGHT = 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 28, 36
_BAR_COLOUR = "#3a6ea5"
_LINE_COLOUR = "#b5473a"


@dataclass(frozen=True, slots=True)
class Scale:
    top: float  # the value at the top of the plot
    ticks: tuple[float, ...]


def nice_scale(highest: float, ticks: int = 4) -> Scale:
    """A top at a round number at or above ``highest`` (1, 2, 2.5, 5 times a power of ten)."""
    if highest <= 0:
        return Scale(1.0, tuple(index / ticks for index in range(ticks + 1)))
    raw = highest / ticks
    power = 10.0 ** _floor_log10(raw)
    step = next(factor * power for factor in (1, 2, 2.5, 5, 10) if factor * power >= raw)
    return Scale(step * ticks, tuple(step * index for index in range(ticks + 1)))


def _floor_log10(value: float) -> int:
    exponent = 0
    while value >= 10:
        value /= 10
        exponent += 1
    while value < 1:
        value *= 10
        exponent -= 1
    return exponent


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _frame(title: str, scale: Scale, labels: Sequence[str], slot: float) -> list[str]:
    plot_height = HEIGHT - _TOP - _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(title)}'
        ' font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in scale.ticks:
        y = _TOP + plot_height * (1 - tick / scale.top)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}"'
            ' stroke="#dddddd"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(tick)}</text>'
        )
    every = max(1, -(-len(labels) // 14))  # at most 14 labels under the axis
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = _LEFT + slot * (index + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - _BOTTOM + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    return parts


def _layout(points: Sequence[Point]) -> tuple[Scale, float, float]:
    highest = max((value for _, value in points if value is not None), default=0.0)
    scale = nice_scale(highest)
    slot = (WIDTH - _LEFT - _RIGHT) / max(len(points), 1)
    return scale, slot, HEIGHT - _TOP - _BOTTOM


def bar_chart(title: str, points: Sequence[Point], unit: str = "") -> str:
    """Bars of ``points`` (non-negative values), each with its value as a tooltip."""
    scale, slot, plot_height = _layout(points)
    parts = _frame(title, scale, [label for label, _ in points], slot)
    for index, (label, value) in enumerate(points):
        if value is None:
            continue
        height = plot_height * max(value, 0.0) / scale.top
        x = _LEFT + slot * index + slot * 0.15
        y = _TOP + plot_height - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}"'
            f' fill="{_BAR_COLOUR}"><title>{escape(label)}: {_number(value)}{escape(unit)}'
            "</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, points: Sequence[Point], unit: str = "") -> str:
    """A line through ``points``; a missing value breaks the line, a lone one is a dot."""
    scale, slot, plot_height = _layout(points)
    parts = _frame(title, scale, [label for label, _ in points], slot)
    runs: list[list[tuple[float, float, str]]] = [[]]
    for index, (label, value) in enumerate(points):
        if value is None:
            runs.append([])
            continue
        x = _LEFT + slot * (index + 0.5)
        y = _TOP + plot_height * (1 - max(value, 0.0) / scale.top)
        runs[-1].append((x, y, f"{label}: {_number(value)}{unit}"))
    for run in filter(None, runs):
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{_LINE_COLOUR}" stroke-width="2"/>'
            )
        for x, y, tip in run:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_LINE_COLOUR}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)

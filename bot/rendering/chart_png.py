"""The /stats chart as a PNG picture, which Telegram's clients show in the chat.

Two panels, one above the other: the median time to the first answer of each
day (bars, minutes) and CSAT (a line, percent). The picture holds only dates
and numbers, drawn with Pillow's own font; the Russian words that explain it
go in the photo's caption (bot.texts.dashboard), so no font with Cyrillic
letters has to be on the server. A day without figures is left empty.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import pairwise

from PIL import Image, ImageDraw, ImageFont

from bot.domain.dashboard import DayFigures

WIDTH = 960
PANEL_HEIGHT = 300
MARGIN_LEFT = 60
MARGIN_RIGHT = 20
MARGIN_TOP = 30
MARGIN_BOTTOM = 40
BACKGROUND = (255, 255, 255)
AXIS = (120, 120, 120)
GRID = (225, 225, 225)
BARS = (46, 117, 182)
LINE = (214, 96, 39)
TEXT = (40, 40, 40)


def stats_chart_png(days: Sequence[DayFigures]) -> bytes:
    image = Image.new("RGB", (WIDTH, 2 * PANEL_HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    minutes = [
        None
        if day.median_first_response is None
        else day.median_first_response.total_seconds() / 60
        for day in days
    ]
    labels = [day.day.strftime("%d.%m") for day in days]
    _panel(draw, font, 0, labels, minutes, "min", bars=True)
    _panel(draw, font, PANEL_HEIGHT, labels, [day.csat for day in days], "%", top=100.0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _panel(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    offset: int,
    labels: Sequence[str],
    values: Sequence[float | None],
    unit: str,
    *,
    bars: bool = False,
    top: float | None = None,
) -> None:
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    upper, lower = offset + MARGIN_TOP, offset + PANEL_HEIGHT - MARGIN_BOTTOM
    known = [value for value in values if value is not None]
    scale = top if top is not None else max(known, default=0.0) or 1.0
    for step in range(5):  # grid lines at 0, 25, 50, 75 and 100% of the scale
        y = lower - (lower - upper) * step / 4
        draw.line([(left, y), (right, y)], fill=GRID)
        draw.text((left - 6, y), _number(scale * step / 4), fill=TEXT, font=font, anchor="rm")
    draw.text((left - 6, upper - 16), unit, fill=TEXT, font=font, anchor="rm")
    draw.line([(left, upper), (left, lower), (right, lower)], fill=AXIS, width=2)
    slot = (right - left) / max(len(values), 1)
    points: list[tuple[float, float] | None] = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        centre = left + slot * (index + 0.5)
        draw.text((centre, lower + 8), label, fill=TEXT, font=font, anchor="mt")
        if value is None:
            points.append(None)
            continue
        y = lower - (lower - upper) * min(value / scale, 1.0)
        if bars:
            draw.rectangle([(centre - slot * 0.3, y), (centre + slot * 0.3, lower)], fill=BARS)
        draw.text((centre, y - 4), _number(value), fill=TEXT, font=font, anchor="mb")
        points.append((centre, y))
    if not bars:
        _line(draw, points)


def _line(draw: ImageDraw.ImageDraw, points: Sequence[tuple[float, float] | None]) -> None:
    """Joins the days in a row that have figures; a day without them breaks the line."""
    for first, second in pairwise(points):
        if first is not None and second is not None:
            draw.line([first, second], fill=LINE, width=3)
    for point in points:
        if point is not None:
            x, y = point
            draw.ellipse([(x - 4, y - 4), (x + 4, y + 4)], fill=LINE)


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"

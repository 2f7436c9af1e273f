"""The /stats chart: a PNG Telegram shows, both panels drawn, empty days left empty."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from bot.domain.dashboard import DayFigures
from bot.rendering.chart_png import BARS, LINE, PANEL_HEIGHT, WIDTH, stats_chart_png


def colours_in(image: Image.Image, top: int, bottom: int) -> set[tuple[int, int, int]]:
    return {image.getpixel((x, y)) for x in range(0, WIDTH, 2) for y in range(top, bottom, 2)}


def test_the_chart_is_a_png_with_bars_above_and_a_line_below() -> None:
    first = date(2026, 11, 19)
    days = [DayFigures(first + timedelta(days=offset)) for offset in range(14)]
    days[3] = DayFigures(days[3].day, answered=2, median_first_response=timedelta(minutes=42))
    days[4] = DayFigures(days[4].day, ratings=3, csat=66.7)
    days[5] = DayFigures(days[5].day, ratings=1, csat=100.0)

    image = Image.open(io.BytesIO(stats_chart_png(days)))

    assert image.format == "PNG"
    assert image.size == (WIDTH, 2 * PANEL_HEIGHT)
    rgb = image.convert("RGB")
    assert BARS in colours_in(rgb, 0, PANEL_HEIGHT)
    assert LINE not in colours_in(rgb, 0, PANEL_HEIGHT)
    assert LINE in colours_in(rgb, PANEL_HEIGHT, 2 * PANEL_HEIGHT)


def test_a_fortnight_without_figures_draws_no_bars_nor_line() -> None:
    days = [DayFigures(date(2026, 11, 19) + timedelta(days=offset)) for offset in range(14)]

    rgb = Image.open(io.BytesIO(stats_chart_png(days))).convert("RGB")

    found = colours_in(rgb, 0, 2 * PANEL_HEIGHT)
    assert BARS not in found and LINE not in found

"""The charts of the last days' figures: on the dashboard's overview and in /stats (SVG)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.charts import HEIGHT, WIDTH, bar_chart, line_chart
from bot.domain.dashboard import DayFigures
from bot.texts import dashboard as t


def day_label(figures: DayFigures) -> str:
    return figures.day.strftime("%d.%m")


def first_response_chart(days: Sequence[DayFigures]) -> str:
    return bar_chart(
        t.CHART_FIRST_RESPONSE,
        [
            (
                day_label(day),
                None
                if day.median_first_response is None
                else day.median_first_response.total_seconds() / 60,
            )
            for day in days
        ],
        unit=" мин",
    )


def csat_chart(days: Sequence[DayFigures]) -> str:
    return line_chart(t.CHART_CSAT, [(day_label(day), day.csat) for day in days], unit=" %")


def stats_chart(days: Sequence[DayFigures]) -> str:
    """Both charts in one SVG file, one above the other (the /stats document)."""
    first = first_response_chart(days)
    second = csat_chart(days)
    width, height = WIDTH, HEIGHT
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{2 * height}"'
        f' viewBox="0 0 {width} {2 * height}">'
        f'<g>{first}</g><g transform="translate(0,{height})">{second}</g></svg>'
    )

"""The charts of the last days' figures on the dashboard's overview (SVG; /stats: chart_png)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.charts import bar_chart, line_chart
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

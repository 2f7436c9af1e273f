"""The SVG charts: well-formed, labels escaped, gaps left for days with nothing measured."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.domain.charts import bar_chart, line_chart, nice_scale

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bars_one_per_value_scaled_to_a_round_top() -> None:
    root = parse(bar_chart("Ответы", [("01.12", 10.0), ("02.12", None), ("03.12", 35.0)]))
    bars = root.findall(f"{SVG}rect")[1:]  # the first is the background
    assert len(bars) == 2  # the day without a value has no bar
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert heights[1] == 154.0  # 35 of a top of 40, in a plot 176 pixels high
    assert abs(heights[0] / heights[1] - 10 / 35) < 0.01
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["01.12: 10", "03.12: 35"]
    assert "Ответы" in root.find(f"{SVG}title").text


def test_labels_are_escaped() -> None:
    svg = bar_chart('<script>alert("x")</script>', [("<b>&", 1.0)])
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'


def test_a_line_breaks_at_a_gap_and_a_lone_point_is_a_dot() -> None:
    points = [("1", 50.0), ("2", 100.0), ("3", None), ("4", 80.0)]
    root = parse(line_chart("CSAT", points, unit=" %"))
    assert len(root.findall(f"{SVG}polyline")) == 1
    dots = root.findall(f"{SVG}circle")
    assert [dot.find(f"{SVG}title").text for dot in dots] == ["1: 50 %", "2: 100 %", "4: 80 %"]


def test_nothing_measured_still_draws_an_empty_chart() -> None:
    root = parse(line_chart("CSAT", [("1", None), ("2", None)]))
    assert root.findall(f"{SVG}circle") == []
    assert parse(bar_chart("Пусто", [])) is not None


def test_nice_scale() -> None:
    assert nice_scale(35).top == 40
    assert nice_scale(100).top == 100
    assert nice_scale(7).top == 8
    assert nice_scale(0.3).top == 0.4
    assert nice_scale(0).top == 1
    assert nice_scale(35).ticks == (0, 10, 20, 30, 40)

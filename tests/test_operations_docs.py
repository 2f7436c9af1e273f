"""docs/operations.md: its alert rules and dashboard name only metrics the bot exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.metrics import METRIC_NAMES, BotMetrics

DOC = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
_BLOCK = re.compile(r"```(yaml|json)\n(.*?)```", re.DOTALL)
_METRIC = re.compile(r"\bbot_[a-z_]+")
# Series a histogram exports besides its name.
_SERIES_SUFFIXES = ("_bucket", "_count", "_sum", "_created")


def blocks(language: str) -> list[str]:
    return [
        body for kind, body in _BLOCK.findall(DOC.read_text(encoding="utf-8")) if kind == language
    ]


def base_name(series: str) -> str:
    for suffix in _SERIES_SUFFIXES:
        if series.endswith(suffix) and series.removesuffix(suffix) in METRIC_NAMES:
            return series.removesuffix(suffix)
    return series


def alert_expressions() -> list[str]:
    [rules] = [yaml.safe_load(body) for body in blocks("yaml")]
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboards = [json.loads(body) for body in blocks("json") if '"panels"' in body]
    assert len(dashboards) == 1
    panels: list[dict[str, Any]] = dashboards[0]["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def test_every_metric_named_in_the_alert_rules_and_the_dashboard_exists() -> None:
    expressions = alert_expressions() + dashboard_expressions()
    named = {base_name(name) for expression in expressions for name in _METRIC.findall(expression)}
    assert named, "no metric found in the documentation"
    assert named <= set(METRIC_NAMES), f"unknown metrics: {named - set(METRIC_NAMES)}"


def test_the_rules_cover_what_the_issue_asks_to_alert_on() -> None:
    rules = " ".join(alert_expressions())
    for needed in (
        "bot_outbox_oldest_age_seconds",
        'result="429"',
        "bot_inbox_backlog",
        'bot_updates_total{outcome="handled"}',
        'bot_sms_total{result="failed"}',
    ):
        assert needed in rules


def test_the_dashboard_shows_every_metric() -> None:
    shown = {
        base_name(name)
        for expression in dashboard_expressions()
        for name in _METRIC.findall(expression)
    }
    assert shown == set(METRIC_NAMES)


def test_the_named_metrics_are_the_ones_exported() -> None:
    exported = {
        family.name
        for family in text_string_to_metric_families(BotMetrics().exposition().decode())
        if not family.name.endswith("_created")
    }
    # prometheus_client names a counter's family without _total.
    assert {name.removesuffix("_total") for name in METRIC_NAMES} == exported

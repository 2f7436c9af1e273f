"""REQUIRE_SERVICES=1 (CI): a test skipped because PostgreSQL or Redis is missing fails."""

from __future__ import annotations

from typing import Any

import pytest

from testkit import require_services


def _skipped(reason: str) -> pytest.TestReport:
    return pytest.TestReport(
        "tests/x.py::test",
        ("tests/x.py", 1, "test"),
        {},
        "skipped",
        ("tests/x.py", 1, f"Skipped: {reason}"),
        "call",
    )


def _after_hook(report: pytest.TestReport) -> pytest.TestReport:
    item: Any = None
    call: Any = None
    hook = require_services.pytest_runtest_makereport(item, call)
    next(hook)
    with pytest.raises(StopIteration) as stop:
        hook.send(report)
    result: pytest.TestReport = stop.value.value
    return result


@pytest.mark.parametrize(
    "reason",
    [
        "Redis at redis://127.0.0.1:6379 unreachable",
        "PostgreSQL at postgresql://127.0.0.1:5432/test unreachable",
        "could not import 'redis': No module named 'redis'",
    ],
)
def test_a_skip_for_a_missing_service_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
    reason: str,
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    report = _after_hook(_skipped(reason))
    assert report.outcome == "failed"
    assert reason in str(report.longrepr)


def test_other_skips_and_runs_without_the_flag_stay_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    assert _after_hook(_skipped("only on Windows")).outcome == "skipped"
    monkeypatch.delenv("REQUIRE_SERVICES")
    assert _after_hook(_skipped("Redis at redis://127.0.0.1:6379 unreachable")).outcome == "skipped"

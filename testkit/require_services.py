"""pytest plugin: with ``REQUIRE_SERVICES=1`` (CI), a test skipped for want of a service fails.

The fixtures that reach PostgreSQL and Redis skip their tests when the server does not
answer, so that a laptop without them still runs the rest. In CI that skip would hide
a broken set-up behind a green run: any skip whose reason names PostgreSQL or Redis
(including ``pytest.importorskip("redis")``) is turned into a failure. Loaded by
``-p testkit.require_services`` in pyproject.toml's pytest options.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

SERVICES = ("postgresql", "postgres", "asyncpg", "redis")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def _reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[-1])
    return str(report.longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and services_required():
        reason = _reason(report)
        if any(service in reason.lower() for service in SERVICES):
            report.outcome = "failed"
            report.longrepr = f"REQUIRE_SERVICES=1, yet the test was skipped: {reason}"
    return report

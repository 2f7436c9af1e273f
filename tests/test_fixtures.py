"""Every dialogue fixture in tests/dialogues, played in both tiers (see docs/fixtures.md).

In process: the dispatcher from the factory, a fresh database per fixture.
Out of process: the real ``python -m bot`` against the fake Telegram server,
one bot process and database for the whole session (fixtures with their own
settings get their own process, and run last).

``FIXTURES_JUNIT=report.xml`` (and ``FIXTURES_HTML=report.html``) write the same
reports as ``python -m testkit.fixtures --junit/--html``: a test case per
fixture and tier, so a CI system shows fixture failures by name. The
in-process tier also records the coverage of the dialogues; once every fixture
ran, at least 90% of the states the routers wait in must have been reached
(``FIXTURES_COVERAGE=coverage.json`` writes it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.fixtures.coverage import CoverageRecorder, bot_states, write_coverage
from testkit.fixtures.engine import Engine, Result
from testkit.fixtures.in_process import InProcessDriver
from testkit.fixtures.loader import discover, load
from testkit.fixtures.model import FixtureError
from testkit.fixtures.out_of_process import OutOfProcessTier
from testkit.fixtures.reports import write_html, write_junit
from testkit.fixtures.runner import in_playing_order, shared_phone_numbers

FOLDER = Path(__file__).parent / "dialogues"


def fixture_paths() -> list[Path]:
    """In playing order; a file that does not load still gets its tests, which then fail."""
    loaded, broken = [], []
    for path in discover([FOLDER]):
        try:
            loaded.append(load(path))
        except FixtureError:
            broken.append(path)
    return [fixture.path for fixture in in_playing_order(loaded)] + broken


PATHS = fixture_paths()
IDS = [path.stem for path in PATHS]


MINIMUM_STATE_COVERAGE = 90.0
RECORDER = CoverageRecorder()


@pytest.fixture(scope="module")
def played() -> Iterator[list[Result]]:
    """Every fixture's result; written as reports at the end if FIXTURES_JUNIT/_HTML say where."""
    results: list[Result] = []
    yield results
    if junit := os.environ.get("FIXTURES_JUNIT"):
        write_junit(results, Path(junit))
    if page := os.environ.get("FIXTURES_HTML"):
        write_html(results, Path(page))


@pytest.mark.parametrize("path", PATHS, ids=IDS)
async def test_in_process(path: Path, played: list[Result]) -> None:
    result = await Engine(InProcessDriver(), coverage=RECORDER).run(load(path))
    played.append(result)
    assert result.passed, "\n" + result.report()


async def test_in_process_fixtures_reach_the_states_the_routers_wait_in() -> None:
    """Runs after every in-process fixture (file order); skipped when only some of them ran."""
    if len(RECORDER.fixtures) < len(PATHS):
        pytest.skip("not every fixture ran in process")
    coverage = RECORDER.report(await bot_states())
    if path := os.environ.get("FIXTURES_COVERAGE"):
        write_coverage(coverage, Path(path))
    assert coverage["states"]["percent"] >= MINIMUM_STATE_COVERAGE, coverage["states"]["missed"]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", PATHS, ids=IDS)
async def test_out_of_process(
    path: Path, fixture_tier: OutOfProcessTier, played: list[Result]
) -> None:
    result = await fixture_tier.run(load(path))
    played.append(result)
    assert result.passed, "\n" + result.report()


def test_fixtures_do_not_share_phone_numbers() -> None:
    fixtures = [load(path) for path in PATHS]
    assert shared_phone_numbers(fixtures) == {}
    assert len(fixtures) >= 25

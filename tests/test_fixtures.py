"""Every dialogue fixture in tests/dialogues, played in both tiers (see docs/fixtures.md).

In process: the dispatcher from the factory, a fresh database per fixture.
Out of process: the real ``python -m bot`` against the fake Telegram server,
played by the runner's pool as ``python -m testkit.fixtures -j N`` plays them:
``FIXTURES_JOBS`` bot processes (2 by default), each with its own fake server and
database, share the fixtures; fixtures with their own settings get a process of
their own in one of the jobs. The pool starts with the first out-of-process test
and plays only the fixtures selected (``-k``); each test waits for its fixture's
result, so a failure is still reported by the fixture's name.

``FIXTURES_JUNIT=report.xml`` (and ``FIXTURES_HTML=report.html``) write the same
reports as ``python -m testkit.fixtures --junit/--html``: a test case per
fixture and tier, so a CI system shows fixture failures by name. The
in-process tier also records the coverage of the dialogues; once every fixture
ran, at least 90% of the states the routers wait in must have been reached
(``FIXTURES_COVERAGE=coverage.json`` writes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from testkit.fixtures.coverage import CoverageRecorder, bot_states, write_coverage
from testkit.fixtures.engine import Engine, Result
from testkit.fixtures.in_process import InProcessDriver
from testkit.fixtures.loader import discover, load
from testkit.fixtures.model import Fixture, FixtureError
from testkit.fixtures.reports import write_html, write_junit
from testkit.fixtures.runner import in_playing_order, run_out_of_process, shared_phone_numbers

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


def jobs_from_environment() -> int:
    """``FIXTURES_JOBS``: bot processes for the out-of-process tier; the machine has 2 cores."""
    jobs = int(os.environ.get("FIXTURES_JOBS") or 2)
    if jobs < 1:
        raise ValueError(f"FIXTURES_JOBS must be 1 or more, not {jobs}")
    return jobs


class PooledRun:
    """The out-of-process fixtures played in the background by ``jobs`` bot processes.

    Each fixture's result is a future its test awaits: the first tests pass as soon as
    their fixtures are played, while the other jobs go on. If the run itself fails (a
    bot process that does not start), every test still waiting gets that error.
    """

    def __init__(self, fixtures: list[Fixture], jobs: int) -> None:
        loop = asyncio.get_running_loop()
        self._results: dict[Path, asyncio.Future[Result]] = {
            fixture.path: loop.create_future() for fixture in fixtures
        }
        self._task = asyncio.ensure_future(
            run_out_of_process(fixtures, jobs=jobs, on_result=self._record)
        )
        self._task.add_done_callback(self._finished)

    def _record(self, result: Result) -> None:
        future = self._results.get(result.path)
        if future is not None and not future.done():
            future.set_result(result)

    def _finished(self, task: asyncio.Task[list[Result]]) -> None:
        error = None if task.cancelled() else task.exception()
        for path, future in self._results.items():
            if not future.done():
                problem = RuntimeError(
                    f"the out-of-process run ended without {path.stem}: {error!r}"
                )
                problem.__cause__ = error
                future.set_exception(problem)

    async def result(self, path: Path) -> Result:
        return await asyncio.shield(self._results[path])

    async def close(self) -> None:
        """Stop what is still playing (a run cut short by ``-x``) and close its processes."""
        if not self._task.done():
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        for future in self._results.values():
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: asyncio does not log it as never awaited


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


def selected_out_of_process(session: pytest.Session) -> list[Path]:
    """The fixtures whose out-of-process tests this session runs (after ``-k``, ``--lf``...)."""
    return [
        item.callspec.params["path"]
        for item in session.items
        if isinstance(item, pytest.Function)
        and item.originalname == test_out_of_process.__name__
        and item.path.resolve() == Path(__file__).resolve()
    ]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def out_of_process_run(request: pytest.FixtureRequest) -> AsyncIterator[PooledRun]:
    fixtures = []
    for path in selected_out_of_process(request.session):
        with contextlib.suppress(FixtureError):  # its test reports it
            fixtures.append(load(path))
    run = PooledRun(fixtures, jobs_from_environment())
    yield run
    await run.close()


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", PATHS, ids=IDS)
async def test_out_of_process(
    path: Path, out_of_process_run: PooledRun, played: list[Result]
) -> None:
    load(path)  # a fixture that does not load fails here, with the loader's message
    result = await out_of_process_run.result(path)
    played.append(result)
    assert result.passed, "\n" + result.report()


def test_fixtures_do_not_share_phone_numbers() -> None:
    fixtures = [load(path) for path in PATHS]
    assert shared_phone_numbers(fixtures) == {}
    assert len(fixtures) >= 25

"""``-j N``: fixtures dealt out to N bot processes, each with its own database."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.__main__ import main
from testkit.fixtures.engine import Result
from testkit.fixtures.loader import load
from testkit.fixtures.model import Actor, Fixture, OperatorsChat, Origin, Restart
from testkit.fixtures.out_of_process import profile_of
from testkit.fixtures.runner import plan_jobs, run_out_of_process


def fixture(
    name: str, settings: dict[str, str] | None = None, chat: OperatorsChat = OperatorsChat.FORUM
) -> Fixture:
    return Fixture(
        Path(f"{name}.yaml"),
        name,
        "",
        {"anna": Actor("anna", "Анна")},
        [],
        [],
        settings or {},
        chat,
    )


def test_jobs_share_a_queue_and_each_settings_profile_stays_in_one_job() -> None:
    cooldown = {"CODE_RESEND_COOLDOWN_SECONDS": "0"}
    restart = Fixture(
        Path("restarts.yaml"),
        "restarts",
        "",
        {},
        [],
        [Restart(Origin(Path("restarts.yaml"), "steps", 1, 2))],
    )
    fixtures = [fixture(f"plain{index}") for index in range(5)] + [
        fixture("fast_resend_1", cooldown),
        fixture("fast_resend_2", cooldown),
        fixture("group_chat", chat=OperatorsChat.GROUP),
        restart,
    ]
    shared, pinned = plan_jobs(fixtures, 3)
    # The slowest first (a bot restart), then the default deployment's in playing order.
    assert [item.name for item in shared] == ["restarts"] + [f"plain{index}" for index in range(5)]
    assert len(pinned) == 3
    assert sorted(item.name for group in pinned for item in group) == [
        "fast_resend_1",
        "fast_resend_2",
        "group_chat",
    ]
    for profile in {profile_of(item) for item in fixtures} - {()}:
        assert sum(any(profile_of(item) == profile for item in group) for group in pinned) == 1


def test_more_jobs_than_fixtures_gives_one_fixture_a_job() -> None:
    shared, pinned = plan_jobs([fixture("a"), fixture("b")], 8)
    assert len(shared) == 2 and pinned == [[], []]


def test_two_jobs_play_every_fixture_and_report_in_playing_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a_nothing_to_cancel.yaml").write_text(
        "steps:\n  - me: /cancel\n  - bot: Отменять нечего.\n  - bot: Главное меню\n",
        encoding="utf-8",
    )
    (tmp_path / "b_start.yaml").write_text(
        "steps:\n  - me: /start\n  - bot: Здравствуйте\n", encoding="utf-8"
    )
    assert main(["-q", "-j", "2", "--junit", str(tmp_path / "report.xml"), str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "PASS a_nothing_to_cancel [out-of-process]" in output
    assert "PASS b_start [out-of-process]" in output
    report = (tmp_path / "report.xml").read_text(encoding="utf-8")
    assert report.index("a_nothing_to_cancel") < report.index("b_start")


def test_a_number_of_jobs_below_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-j", "0", str(tmp_path)]) == 2
    assert "-j takes a number" in capsys.readouterr().err


async def test_each_result_is_told_as_its_fixture_ends(tmp_path: Path) -> None:
    """What the pytest tier builds on: results arrive one by one while the jobs play, and a
    bot process that cannot start fails its own fixture by name, not the run."""
    (tmp_path / "a_start.yaml").write_text(
        "steps:\n  - me: /start\n  - bot: Здравствуйте\n", encoding="utf-8"
    )
    (tmp_path / "b_wrong.yaml").write_text(
        "steps:\n  - me: /start\n  - bot: Такого текста нет\n", encoding="utf-8"
    )
    (tmp_path / "c_broken.yaml").write_text(
        'settings:\n  OPERATORS_CHAT_ID: "not a number"\nsteps:\n  - me: /start\n',
        encoding="utf-8",
    )
    fixtures = [load(tmp_path / name) for name in ("a_start.yaml", "b_wrong.yaml", "c_broken.yaml")]
    told: list[Result] = []
    results = await run_out_of_process(fixtures, jobs=2, timeout=2, on_result=told.append)
    assert sorted(told, key=lambda result: result.fixture) == results
    assert [(result.fixture, result.passed) for result in results] == [
        ("a_start", True),
        ("b_wrong", False),
        ("c_broken", False),
    ]
    assert results[2].failure[0].startswith("its bot process did not start")
    assert "OPERATORS_CHAT_ID" in "\n".join(results[2].failure)

"""``-j N``: fixtures dealt out to N bot processes, each with its own database."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.__main__ import main
from testkit.fixtures.model import Actor, Fixture, OperatorsChat
from testkit.fixtures.out_of_process import profile_of
from testkit.fixtures.runner import split_for_jobs


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


def test_fixtures_are_dealt_out_and_each_settings_profile_stays_in_one_job() -> None:
    cooldown = {"CODE_RESEND_COOLDOWN_SECONDS": "0"}
    fixtures = [fixture(f"plain{index}") for index in range(5)] + [
        fixture("fast_resend_1", cooldown),
        fixture("fast_resend_2", cooldown),
        fixture("group_chat", chat=OperatorsChat.GROUP),
    ]
    groups = split_for_jobs(fixtures, 3)
    assert len(groups) == 3
    assert sorted(item.name for group in groups for item in group) == sorted(
        item.name for item in fixtures
    )
    for profile in {profile_of(item) for item in fixtures} - {()}:
        assert sum(any(profile_of(item) == profile for item in group) for group in groups) == 1
    assert max(map(len, groups)) - min(map(len, groups)) <= 1


def test_more_jobs_than_fixtures_gives_one_fixture_a_job() -> None:
    assert [len(group) for group in split_for_jobs([fixture("a"), fixture("b")], 8)] == [1, 1]


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

"""``python -m testkit.fixtures``: transcripts, PASS/FAIL lines and the exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.__main__ import main

PASSING = """\
steps:
  - me: /cancel
  - bot: Отменять нечего.
  - bot: Главное меню
"""
FAILING = """\
steps:
  - me: /cancel
  - bot: Действие отменено
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "nothing_to_cancel.yaml").write_text(PASSING, encoding="utf-8")
    (tmp_path / "cancel_expects_too_much.yaml").write_text(FAILING, encoding="utf-8")
    return tmp_path


def test_a_passing_fixture_exits_zero_with_its_transcript(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--in-process", str(folder / "nothing_to_cancel.yaml")]) == 0
    output = capsys.readouterr().out
    assert "━━ nothing_to_cancel [in-process]" in output
    assert "Анна: /cancel" in output and "   bot: Отменять нечего." in output
    assert "PASS nothing_to_cancel [in-process]" in output
    assert "1 passed, 0 failed" in output


def test_a_failing_fixture_exits_one_and_quiet_mode_shows_only_its_transcript(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--in-process", "-q", str(folder)]) == 1
    output = capsys.readouterr().out
    assert "━━ nothing_to_cancel" not in output
    assert "PASS nothing_to_cancel [in-process]" in output
    assert "━━ cancel_expects_too_much [in-process]" in output
    assert "expected: a message containing 'Действие отменено'" in output
    assert "actual:   'Отменять нечего.'" in output
    assert "1 passed, 1 failed" in output


def test_an_invalid_fixture_fails_the_run(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "typo.yaml").write_text("steps:\n  - mee: /start\n", encoding="utf-8")
    assert main(["--in-process", str(tmp_path)]) == 1
    output = capsys.readouterr().out
    assert "INVALID invalid fixture:" in output and "typo.yaml" in output
    assert "steps step 1 (line 2): a step does exactly one thing" in output


def test_no_fixtures_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--in-process", str(tmp_path)]) == 2
    assert "no fixtures found" in capsys.readouterr().err


def test_by_default_the_real_bot_process_plays_them(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-q", str(folder)]) == 1
    output = capsys.readouterr().out
    assert "PASS nothing_to_cancel [out-of-process]" in output
    assert "FAIL cancel_expects_too_much [out-of-process]" in output
    assert "bot log:" in output and "Run polling for bot @gosuslugi_support_bot" in output

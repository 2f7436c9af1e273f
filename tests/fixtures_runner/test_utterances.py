"""The shipped phrasings reach their targets: more than 95% as the first suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.__main__ import main
from testkit.fixtures.model import FixtureError
from testkit.fixtures.utterances import (
    THRESHOLD,
    bot_matcher,
    check_utterances,
    read_utterances,
    route,
)

FOLDER = Path(__file__).resolve().parents[1] / "dialogues" / "utterances"


def test_the_shipped_phrasings_are_routed_to_their_targets() -> None:
    report = check_utterances([FOLDER])
    assert report.total >= 200
    assert report.rate > THRESHOLD, "\n".join(report.lines())


def test_every_kind_of_phrasing_is_shipped() -> None:
    texts = [
        utterance.text
        for utterance in check_utterances([FOLDER]).outcomes
        for utterance in [utterance[0]]
    ]
    assert any("c" in text and "м" in text for text in texts)  # Latin lookalikes
    assert any(text.isupper() for text in texts)  # caps lock
    assert (
        sum(len(text.split()) >= 6 and not any(mark in text for mark in ",.?!") for text in texts)
        >= 5
    )  # voice-to-text


def test_the_report_counts_per_target_and_tells_where_the_others_went(tmp_path: Path) -> None:
    (tmp_path / "few.txt").write_text(
        "# two targets\n[recovery]\nне могу войти\nсменить номер\n\n[none]\nпривет\n",
        encoding="utf-8",
    )
    matcher, targets = bot_matcher()
    report = route(read_utterances([tmp_path], targets), matcher)
    assert (report.landed, report.total) == (2, 3)
    assert report.confusion()["recovery"] == {"recovery": 1, "change_phone": 1}
    text = "\n".join(report.lines())
    assert "few.txt:4 «сменить номер» → change_phone (expected recovery)" in text


def test_unknown_targets_and_headless_lines_are_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("до заголовка\n[nowhere]\nчто-то\n", encoding="utf-8")
    with pytest.raises(FixtureError) as error:
        read_utterances([tmp_path], bot_matcher()[1])
    assert "bad.txt:1: a phrasing before any [target] header" in str(error.value)
    assert "bad.txt:2: unknown target [nowhere]" in str(error.value)


def test_the_command_line_reports_and_fails_below_the_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--utterances", str(FOLDER)]) == 0
    assert "all " in capsys.readouterr().out
    (tmp_path / "wrong.txt").write_text("[status]\nне могу войти\n", encoding="utf-8")
    assert main(["--utterances", str(tmp_path)]) == 1
    output = capsys.readouterr().out
    assert "status" in output and "recovery ×1" in output

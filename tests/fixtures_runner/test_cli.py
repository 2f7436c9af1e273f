"""``python -m testkit.fixtures``: transcripts, PASS/FAIL lines and the exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from testkit.fixtures.__main__ import main
from testkit.fixtures.engine import Result
from testkit.fixtures.reports import html_report, junit_xml

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


def test_an_invalid_fixture_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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


def test_junit_and_html_reports_name_each_fixture_and_tier(folder: Path, tmp_path: Path) -> None:
    junit, page = tmp_path / "out" / "report.xml", tmp_path / "out" / "report.html"
    assert (
        main(["--in-process", "-q", "--junit", str(junit), "--html", str(page), str(folder)]) == 1
    )
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"nothing_to_cancel", "cancel_expects_too_much"}
    assert {case.get("classname") for case in cases.values()} == {"fixtures.in-process"}
    failure = cases["cancel_expects_too_much"].find("failure")
    assert failure is not None and failure.text is not None
    assert "steps step 2 (line 3): wrong message in Анна's chat" in failure.get("message", "")
    assert "expected: a message containing 'Действие отменено'" in failure.text
    assert "actual:   'Отменять нечего.'" in failure.text
    assert cases["nothing_to_cancel"].find("failure") is None
    passing_output = cases["nothing_to_cancel"].findtext("system-out") or ""
    assert "Анна: /cancel" in passing_output and "bot: Отменять нечего." in passing_output
    text = page.read_text(encoding="utf-8")
    assert text.index("cancel_expects_too_much") < text.index("nothing_to_cancel")
    assert "expected: a message containing &#x27;Действие отменено&#x27;" in text
    assert '<b class="fail">FAIL</b>' in text and '<b class="pass">PASS</b>' in text


def test_reports_survive_characters_xml_cannot_hold() -> None:
    result = Result(
        "nul",
        Path("nul.yaml"),
        "in-process",
        False,
        0.1,
        ["Анна: a\x00b <tag> & \x1b"],
        ["wrong \x00 message"],
    )
    root = ElementTree.fromstring(junit_xml([result]).encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case is not None and "<tag> &" in (case.findtext("system-out") or "")
    assert "&lt;tag&gt; &amp;" in html_report([result])


def test_the_pytest_run_of_the_fixtures_writes_the_same_junit_report(tmp_path: Path) -> None:
    junit = tmp_path / "fixtures.xml"
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_fixtures.py",
            "-k",
            "in_process and checklist_lists_what_to_prepare",
        ],
        cwd=root,
        env={**os.environ, "FIXTURES_JUNIT": str(junit)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    cases = list(ElementTree.parse(junit).getroot().iter("testcase"))
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("fixtures.in-process", "checklist_lists_what_to_prepare")
    ]
    assert "Что подготовить" in (cases[0].findtext("system-out") or "")

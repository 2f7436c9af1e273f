"""Coverage of the dialogues: the states the routers wait in, and what a fixture reached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testkit.fixtures.__main__ import main
from testkit.fixtures.coverage import CoverageRecorder, bot_states, normalised_label
from testkit.fixtures.engine import Engine
from testkit.fixtures.in_process import InProcessDriver
from testkit.fixtures.loader import load

PHONE_FIXTURE = """\
steps:
  - me: /phone
  - bot: Согласие на обработку персональных данных
  - press: Согласен
  - bot: Смена номера
  - me: "+79170000091"
  - bot: отправлен код
  - bot: Введите код
  - me: /cancel
  - bot: Действие отменено
  - bot: Главное меню
"""


async def test_the_states_are_read_from_the_routers_of_the_factory() -> None:
    states = await bot_states()
    # FSM states that handlers filter on, and aiogram_dialog windows.
    assert {
        "PhoneChange:waiting_for_phone",
        "PhoneChange:waiting_for_code",
        "NewAppeal:choosing_type",
        "WrittenComplaint:reviewing",
        "OperatorClosing:waiting_for_resolution",
    } <= states
    assert not any(state.startswith("AiogramDialogStates") for state in states)
    assert len(states) >= 40


async def test_a_fixture_records_states_transitions_and_buttons(tmp_path: Path) -> None:
    path = tmp_path / "phone.yaml"
    path.write_text(PHONE_FIXTURE, encoding="utf-8")
    recorder = CoverageRecorder()
    result = await Engine(InProcessDriver(), coverage=recorder).run(load(path))
    assert result.passed, result.report()
    assert recorder.fixtures == {"phone"}
    assert recorder.visits["PhoneChange:waiting_for_phone"] == 1
    assert recorder.visits["PhoneChange:waiting_for_code"] == 1
    assert recorder.transitions[("PhoneChange:waiting_for_code", "(no state)")] == 1
    coverage = recorder.report(
        {"PhoneChange:waiting_for_phone", "PhoneChange:waiting_for_code", "NewAppeal:choosing_type"}
    )
    assert coverage["states"]["missed"] == ["NewAppeal:choosing_type"]
    assert coverage["states"]["percent"] == pytest.approx(200 / 3)
    assert (
        "🔁 Отправить код ещё раз"
        in coverage["buttons_never_pressed"]["PhoneChange:waiting_for_code"]
    )
    pressed = recorder.pressed["PersonalDataConsent:waiting_for_answer"]
    assert pressed == {"✅ Согласен"}


def test_numbers_in_labels_do_not_make_new_buttons() -> None:
    assert normalised_label("📎 Это дополнение к обращению № 2026-000001") == (
        "📎 Это дополнение к обращению № N-N"
    )


def test_the_command_line_prints_and_writes_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "phone.yaml"
    path.write_text(PHONE_FIXTURE.replace("+79170000091", "+79170000092"), encoding="utf-8")
    report, page = tmp_path / "coverage.json", tmp_path / "report.html"
    assert main(["-q", "--coverage", str(report), "--html", str(page), str(path)]) == 0
    output = capsys.readouterr().out
    assert "PASS phone [in-process]" in output  # coverage is measured in process
    assert "coverage: " in output and "states never reached:" in output
    coverage = json.loads(report.read_text(encoding="utf-8"))
    assert "PhoneChange:waiting_for_code" in coverage["states"]["visited"]
    assert "Coverage of the dialogues" in page.read_text(encoding="utf-8")

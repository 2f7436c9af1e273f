"""The runner fails a fixture whenever the bot does not do what it says, in both tiers.

Each case is a small fixture that must fail, and the report must say where
and show the expected and the actual.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.engine import Engine, Result
from testkit.fixtures.in_process import InProcessDriver
from testkit.fixtures.loader import load
from testkit.fixtures.out_of_process import OutOfProcessTier

FAILING = {
    "wrong_text": (
        """\
steps:
  - me: /cancel
  - bot: Действие отменено
  - bot: Главное меню
""",
        [
            "steps step 2 (line 3): wrong message in Анна's chat",
            "expected: a message containing 'Действие отменено'",
            "actual:   'Отменять нечего.'",
        ],
    ),
    "unexpected_message": (
        """\
steps:
  - me: /cancel
  - bot: Отменять нечего.
""",
        [
            "steps step 2 (line 3): the bot sent 1 message(s) to Анна's chat that no step expects",
            "unexpected: 'Главное меню. Выберите, что нужно сделать:'",
        ],
    ),
    "missing_message": (
        """\
steps:
  - me: /start
  - bot: Здравствуйте
  - bot: Главное меню
""",
        [
            (
                "steps step 3 (line 4): expected a message containing 'Главное меню'; "
                "the bot sent nothing more"
            )
        ],
    ),
    "must_not_contain": (
        """\
steps:
  - me: /start
  - bot: ["Здравствуйте", "!Анна"]
""",
        [
            "wrong message",
            "expected: a message containing 'Здравствуйте' and not containing 'Анна'",
        ],
    ),
    "file_wide_equals": (
        """\
match: equals
steps:
  - me: /cancel
  - bot: Отменять нечего
  - bot: Главное меню
""",
        ["expected: a message equal to 'Отменять нечего'"],
    ),
    "wrong_buttons": (
        """\
steps:
  - me: /appeal
  - bot: Выберите тип обращения
    buttons: [🛠 Техническая неисправность, ✖️ Отмена]
""",
        ["wrong buttons (different buttons)", "[🛠 Техническая неисправность][❓ Вопрос по услуге]"],
    ),
    "absent_button_shown": (
        """\
steps:
  - me: /appeal
  - bot: Выберите тип обращения
    buttons: ["...", "!📝 Жалоба"]
""",
        ["wrong buttons (must not show '📝 Жалоба')"],
    ),
    "no_such_button": (
        """\
steps:
  - me: /appeal
  - bot: Выберите тип обращения
  - press: Предложение
""",
        [
            (
                "steps step 3 (line 4): no button 'Предложение'; the latest buttons are "
                "['🛠 Техническая неисправность'"
            )
        ],
    ),
    "answer_where_none_expected": (
        """\
steps:
  - me: /start
  - no_answer:
""",
        ["expected no answer in Анна's chat", "actual: 'Здравствуйте, Анна!"],
    ),
    "wrong_alert": (
        """\
steps:
  - me: /appeal
  - bot: Выберите тип обращения
  - press: Консультация
  - bot: Согласие на обработку персональных данных
  - press: Согласен
  - alert: Готово
""",
        [
            "steps step 6 (line 7): wrong answer to the button press",
            "actual:   'Согласие сохранено.'",
        ],
    ),
    "unknown_variable": (
        """\
steps:
  - me: /status $number
""",
        ["steps step 1 (line 2): $number is not set (set so far: none yet)"],
    ),
    "nothing_to_capture": (
        """\
steps:
  - me: /start
  - bot: Здравствуйте
    capture: {number: '\\d{4}-\\d{6}'}
""",
        ["nothing to capture as $number"],
    ),
    "sms_to_another_number": (
        """\
steps:
  - me: /phone
  - bot: Согласие на обработку персональных данных
  - press: Согласен
  - bot: Смена номера
  - me: "+79170000001"
  - bot: отправлен код
  - bot: Введите код
  - sms: "+79170000002"
""",
        ["expected an SMS to +79170000002; unread SMS went to +79170000001"],
    ),
    "no_sms_when_one_was_sent": (
        """\
steps:
  - me: /phone
  - bot: Согласие на обработку персональных данных
  - press: Согласен
  - bot: Смена номера
  - me: "+79170000003"
  - bot: отправлен код
  - bot: Введите код
  - no_sms:
""",
        ["expected no SMS", "actual: SMS to +79170000003"],
    ),
    "any_order_with_a_wrong_text": (
        """\
steps:
  - me: /cancel
  - any_order:
      - bot: Главное меню
      - bot: Действие отменено
""",
        [
            (
                "steps step 2 (line 3): the messages in Анна's chat do not match the 2 expected "
                "in any order"
            ),
            "expected: a message containing 'Действие отменено'",
            "actual:   'Отменять нечего.'",
        ],
    ),
    "any_order_with_too_few_messages": (
        """\
steps:
  - me: /start
  - any_order:
      - bot: Главное меню
      - bot: Здравствуйте
""",
        ["expected 2 messages in any order in Анна's chat; the bot sent 1"],
    ),
    "no_more_after_an_unexpected_message": (
        """\
steps:
  - me: /cancel
  - bot: Отменять нечего.
    remember: nothing
  - no_more:
    since: nothing
""",
        [
            "steps step 3 (line 5): 1 more message(s) in Анна's chat than the steps expect",
            "unexpected: 'Главное меню.",
        ],
    ),
}

PASSING_WITH_OPTIONAL = """\
steps:
  - me: /cancel
  - bot: "?Действие отменено"
  - bot: Отменять нечего.
  - bot: "?Такого сообщения нет"
  - bot: Главное меню
  - bot: "?И этого тоже"
"""


def fixture_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_failed_with(result: Result, expected: list[str]) -> None:
    report = result.report()
    assert not result.passed, report
    assert report.splitlines()[-1].startswith(f"FAIL {result.fixture} [{result.tier}]")
    for fragment in expected:
        assert fragment in report, f"{fragment!r} not in:\n{report}"


@pytest.mark.parametrize("name", FAILING)
async def test_in_process_failures_show_expected_and_actual(tmp_path: Path, name: str) -> None:
    text, expected = FAILING[name]
    result = await Engine(InProcessDriver(), timeout=0.5).run(
        load(fixture_file(tmp_path, name, text))
    )
    assert_failed_with(result, expected)


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize(
    "name",
    [
        "wrong_text",
        "unexpected_message",
        "missing_message",
        "answer_where_none_expected",
        "wrong_alert",
        "sms_to_another_number",
    ],
)
async def test_out_of_process_failures_show_expected_and_actual(
    tmp_path: Path, name: str, fixture_tier: OutOfProcessTier
) -> None:
    # Distinct numbers: the tier's bot keeps one database for the whole session.
    text = FAILING[name][0].replace("+7917", "+7918")
    expected = [line.replace("+7917", "+7918") for line in FAILING[name][1]]
    result = await fixture_tier.run(load(fixture_file(tmp_path, name, text)), timeout=1)
    assert_failed_with(result, expected)


async def test_optional_messages_may_be_absent(tmp_path: Path) -> None:
    path = fixture_file(tmp_path, "optional", PASSING_WITH_OPTIONAL)
    result = await Engine(InProcessDriver()).run(load(path))
    assert result.passed, result.report()
    assert result.status_line().startswith("PASS optional [in-process]")


async def test_any_order_accepts_messages_in_either_order_and_no_more_counts_them(
    tmp_path: Path,
) -> None:
    path = fixture_file(
        tmp_path,
        "any_order",
        """\
steps:
  - me: /cancel
  - any_order:
      - bot: Главное меню
      - bot: Отменять нечего.
        remember: nothing
  - no_more:
  - no_more:
    since: nothing
""",
    )
    result = await Engine(InProcessDriver()).run(load(path))
    assert result.passed, result.report()
    assert "(nothing more in Анна's chat)" in result.report()


async def test_the_transcript_shows_both_sides(tmp_path: Path) -> None:
    path = fixture_file(
        tmp_path,
        "transcript",
        """\
actors:
  boris: {name: Борис}
steps:
  - me: /appeal
  - bot: Выберите тип обращения
  - press: Консультация
  - bot: Согласие на обработку персональных данных
  - press: Согласен
  - bot: Шаг 1 из 2
""",
    )
    lines: list[str] = []
    result = await Engine(InProcessDriver(), echo=lines.append).run(load(path))
    assert result.passed
    assert lines[0] == "━━ transcript [in-process]"
    assert "Борис: /appeal" in lines
    assert "Борис: [press] 💬 Консультация" in lines
    assert "Борис: [press] ✅ Согласен" in lines
    assert (
        "   bot: Шаг 1 из 2. Тема консультации: о чём хотите узнать? Не более 200 символов."
    ) in lines
    assert "        [⬅️ Назад] [✖️ Отмена]" in lines
    assert lines[-1].startswith("PASS transcript [in-process] (")
    assert lines[:-1] == result.transcript

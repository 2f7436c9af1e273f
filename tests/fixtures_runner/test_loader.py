"""Reading fixture files: every problem names the file, the step and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.loader import discover, load
from testkit.fixtures.model import (
    ExpectMessage,
    ExpectSms,
    FixtureError,
    Match,
    Press,
    SendText,
    SetVariables,
    ShareContact,
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> str:
    with pytest.raises(FixtureError) as error:
        load(path)
    return str(error.value)


def test_a_fixture_reads_as_steps_with_strings_everywhere(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "codes.yaml",
        """\
match: equals
actors:
  anna: {name: Анна, phone: "+79160000001"}
steps:
  - me: 000123
  - bot: Код принят
    match: contains
  - bot: "?Главное меню"
  - press: Отправить
  - contact: own
""",
    )
    fixture = load(path)
    say, accepted, menu, press, contact = fixture.steps
    assert isinstance(say, SendText) and say.text == "000123" and say.chat == "anna"
    assert isinstance(accepted, ExpectMessage) and accepted.checks[0].mode == Match.CONTAINS
    assert isinstance(menu, ExpectMessage) and menu.optional
    assert menu.checks[0].mode == Match.EQUALS and menu.checks[0].pattern == "Главное меню"
    assert isinstance(press, Press) and press.label == "Отправить"
    assert isinstance(contact, ShareContact) and contact.owner is None
    assert (say.origin.number, say.origin.line) == (1, 5)
    assert fixture.name == "codes"


def test_shared_parts_are_included_with_their_values_and_origin(tmp_path: Path) -> None:
    write(
        tmp_path,
        "shared/change_phone.yaml",
        """\
params: [phone]
steps:
  - me: $phone
  - sms: $phone
""",
    )
    path = write(
        tmp_path,
        "uses_it.yaml",
        """\
steps:
  - me: /phone
  - include: change_phone
    with: {phone: "+79160000002"}
""",
    )
    _, values, typed, sms = load(path).steps
    assert isinstance(values, SetVariables) and values.values == (("phone", "+79160000002"),)
    assert isinstance(typed, SendText) and typed.text == "$phone"
    assert isinstance(sms, ExpectSms)
    assert sms.origin.describe() == (
        "uses_it.yaml, steps step 2 (line 3) → change_phone.yaml, steps step 2 (line 4)"
    )


def test_every_problem_of_a_file_is_reported_with_its_step_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "broken.yaml",
        """\
actors:
  anna: Анна
steps:
  - me: привет
  - bot: Здравствуйте
    buton: [Меню]
  - me: /start
    bot: Здравствуйте
  - press: Меню
    as: boris
  - bot: x
    capture: {number: "(unclosed"}
  - include: nowhere
  - restart: softly
  - bot: "(a"
    match: regex
""",
    )
    report = problems(path)
    assert report.startswith(str(path))
    for expected in (
        "steps step 2 (line 5): unknown key(s) buton for a 'bot' step; allowed: buttons,",
        "steps step 3 (line 7): a step does exactly one thing",
        "found: me, bot",
        "steps step 4 (line 9): as: 'boris' is not an actor; actors: anna",
        "steps step 5 (line 11): capture number: bad regular expression",
        "steps step 6 (line 13): no shared part 'nowhere'",
        "steps step 7 (line 14): restart: kill (SIGKILL) or restart: stop (SIGTERM)",
        "steps step 8 (line 15): bad regular expression '(a'",
    ):
        assert expected in report, expected


def test_top_level_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "top.yaml",
        """\
match: fuzzy
settings: {CODE_LIFETIME_SECONDS: "60", NO_SUCH_SETTING: "1"}
actors:
  operators: {role: operator}
  anna: {role: admin}
stepz: []
""",
    )
    report = problems(path)
    for expected in (
        "unknown key(s) stepz",
        "match must be one of equals, contains, regex; got 'fuzzy'",
        "unknown setting(s) NO_SUCH_SETTING",
        "actor 'operators': a name is one word and not one of",
        "actor 'anna': role must be one of citizen, operator",
        "'steps:' must be a non-empty list",
    ):
        assert expected in report, expected


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("  - bot: !ошибка", "must be in quotes"),
        ("  - bot: Номер: 1", "a text containing ': ' must be in quotes"),
        ("  - bot: [Номер: 1, ok]", "a text with ': ' in it must be in quotes"),
        ("  - me: a\n    me: b", "the key 'me' appears twice"),
    ],
)
def test_yaml_pitfalls_get_a_hint(tmp_path: Path, line: str, hint: str) -> None:
    path = write(tmp_path, "pitfall.yaml", f"steps:\n{line}\n")
    assert hint in problems(path)


def test_includes_check_their_values_and_cycles(tmp_path: Path) -> None:
    write(tmp_path, "shared/needs.yaml", "params: [phone]\nsteps:\n  - me: $phone\n")
    write(tmp_path, "shared/loop.yaml", "steps:\n  - include: loop\n")
    path = write(tmp_path, "f.yaml", "steps:\n  - include: needs\n  - include: loop\n")
    report = problems(path)
    assert "steps step 1 (line 2): include 'needs' needs with: phone" in report
    assert "include 'loop' includes itself" in report


def test_contact_needs_a_phone_to_share(tmp_path: Path) -> None:
    path = write(tmp_path, "contact.yaml", "steps:\n  - contact: own\n")
    assert "contact: own needs a phone for actor 'citizen'" in problems(path)


def test_discovery_skips_shared_parts(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", "steps: []\n")
    write(tmp_path, "a.yml", "steps: []\n")
    write(tmp_path, "shared/part.yaml", "steps: []\n")
    write(tmp_path, "notes.txt", "")
    assert [path.name for path in discover([tmp_path])] == ["a.yml", "b.yaml"]
    with pytest.raises(FixtureError, match="no such file or folder"):
        discover([tmp_path / "missing"])


def test_any_order_takes_two_or_more_plain_bot_steps_and_no_more_a_known_chat(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "order.yaml",
        """\
steps:
  - me: /start
  - any_order:
      - bot: Здравствуйте
  - any_order:
      - bot: Здравствуйте
      - me: /start
  - any_order:
      - bot: "?Здравствуйте"
      - bot: Главное меню
  - no_more: nobody
""",
    )
    report = problems(path)
    assert "steps step 2 (line 3): any_order: a list of at least two 'bot:' steps" in report
    assert "steps step 3 (line 5): any_order: a list of at least two 'bot:' steps; got" in report
    assert "steps step 4 (line 8): any_order: '?' (optional message) is not allowed" in report
    assert "steps step 5 (line 11): in: 'nobody' is not an actor" in report

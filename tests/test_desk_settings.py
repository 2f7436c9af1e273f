from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error


def test_operator_ids_comma_separated_in_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text("OPERATOR_IDS=111,222\nWORKING_HOURS=mon-fri 09:00-18:00\n", encoding="utf-8")
    monkeypatch.delenv("OPERATOR_IDS", raising=False)
    settings = Settings(_env_file=env)
    assert settings.operator_ids == frozenset({111, 222})
    assert settings.schedule.days is not None
    assert settings.schedule.days[0] == ((9 * 60, 18 * 60),) and settings.schedule.days[6] == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("111, 222", {111, 222}),
        ("111", {111}),
        ("[111, 222]", {111, 222}),
        ("", set()),
        (" 5 ,", {5}),
    ],
)
def test_operator_ids_forms(
    value: str, expected: set[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPERATOR_IDS", value)
    assert Settings(_env_file=None).operator_ids == frozenset(expected)


def test_operator_ids_garbage_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPERATOR_IDS", "111,ivan")
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)
    assert "OPERATOR_IDS" in describe_settings_error(error.value)


def test_bad_working_hours_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKING_HOURS", "с 9 до 6")
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)
    message = describe_settings_error(error.value)
    assert "WORKING_HOURS" in message and "09:00-18:00" in message


def test_every_desk_setting_is_documented_in_env_example() -> None:
    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"\n{name.upper()}=" in example, name

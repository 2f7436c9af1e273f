"""DESKS: appeal types -> operators' chats, parsed into a pure DeskMap; malformed is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.domain.desks import DEFAULT_DESK, DeskError, parse_desks
from bot.domain.models import AppealType
from bot.settings import Settings, describe_settings_error
from tests.unit.test_settings import run_bot


def test_types_go_to_their_desk_and_the_rest_to_the_star() -> None:
    desks = parse_desks("technical=-1001;complaint,consultation=-1002;*=-1003")
    assert desks.names == ("technical", "complaint", DEFAULT_DESK)
    assert desks.chat_ids == {-1001, -1002, -1003}
    assert desks.several
    assert desks.for_type(AppealType.TECHNICAL).chat_id == -1001
    assert desks.for_type(AppealType.CONSULTATION).chat_id == -1002
    assert desks.for_type(AppealType.CALLBACK).chat_id == -1003
    assert desks.by_chat(-1002).name == "complaint"


def test_a_moved_appeal_stays_with_its_desk_while_the_desk_exists() -> None:
    desks = parse_desks("technical=-1001;*=-1003")
    assert desks.of(AppealType.TECHNICAL, "default").chat_id == -1003
    # A desk renamed or removed since: the appeal's type decides again.
    assert desks.of(AppealType.TECHNICAL, "gone").chat_id == -1001
    assert desks.of(AppealType.TECHNICAL, None).chat_id == -1001


def test_move_finds_a_desk_by_name_or_by_a_type_it_serves() -> None:
    desks = parse_desks("Жалобы: complaint, consultation = -1002 ; * = -1003")
    assert desks.find("жалобы").chat_id == -1002
    assert desks.find("CONSULTATION").name == "жалобы"
    assert desks.find("technical").name == DEFAULT_DESK
    assert desks.find("default").chat_id == -1003
    assert desks.find("бухгалтерия") is None


def test_unset_is_the_one_operators_chat_for_every_type() -> None:
    desks = parse_desks("", -1005)
    assert desks.names == (DEFAULT_DESK,) and not desks.several
    assert all(desks.for_type(kind).chat_id == -1005 for kind in AppealType)
    assert not parse_desks("", None)
    assert parse_desks("", None).for_type(AppealType.TECHNICAL) is None


def test_without_a_star_the_operators_chat_serves_the_rest() -> None:
    desks = parse_desks("technical=-1001", -1005)
    assert desks.for_type(AppealType.COMPLAINT).chat_id == -1005
    # OPERATORS_CHAT_ID may be one of the desks: that desk takes the rest too.
    same = parse_desks("technical=-1001;complaint=-1005", -1005)
    assert same.names == ("technical", "complaint")
    assert same.for_type(AppealType.CALLBACK).name == "complaint"
    # Every type listed: nothing is left for a default.
    every = ";".join(f"{kind.value}=-{index + 10}" for index, kind in enumerate(AppealType))
    assert len(parse_desks(every).desks) == len(AppealType)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("technical", "expected types=chat id"),
        ("=-1001", "expected types=chat id"),
        ("technical=abc", "'abc' is not a chat id"),
        ("technical=0", "'0' is not a chat id"),
        ("written=-1001;*=-1002", "unknown appeal type 'written'"),
        ("technical=-1001;technical=-1002;*=-1003", "type 'technical' is in two desks"),
        ("*=-1001;*=-1002", "'*' (the default desk) is given twice"),
        ("technical=-1001;complaint=-1001;*=-1003", "chat -1001 is given twice"),
        ("a:technical=-1001;a:complaint=-1002;*=-1003", "two desks are named 'a'"),
        ("complaint:technical=-1001;complaint=-1002;*=-1003", "two desks are named"),
        ("technical:callback=-1001;complaint,technical=-1002;*=-1003", "named after a type"),
        ("1x:technical=-1001;*=-1003", "must be one word"),
        ("technical=-1001", "no desk for service_question"),
        (";;", "no desks"),
    ],
)
def test_malformed_desks_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(DeskError) as caught:
        parse_desks(text)
    assert says in str(caught.value)


def test_settings_refuse_malformed_desks_in_one_line_naming_desks() -> None:
    for text, fallback in (("technical=-1001;bogus=-1002", None), ("technical=-1001", None)):
        with pytest.raises(ValidationError) as caught:
            Settings(_env_file=None, desks=text, operators_chat_id=fallback)
        line = describe_settings_error(caught.value)
        assert "\n" not in line and "DESKS" in line
    settings = Settings(_env_file=None, desks="technical=-1001", operators_chat_id=-1005)
    assert settings.desk_map.chat_ids == {-1001, -1005}


def test_start_up_with_malformed_desks_is_refused(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": "1:abc", "DESKS": "technical=-1001;written=-1002"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DESKS" in result.stderr and "'written'" in result.stderr
    assert "Traceback" not in result.stderr

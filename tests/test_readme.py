"""The README tells what the bot does: its tables and counts are checked against the code."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings
from bot.texts import common as common_texts
from bot.texts import demo as demo_texts

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _table_rows() -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in README.splitlines()
        if line.startswith("| ")
    ]


def test_the_fixture_count_is_true() -> None:
    stated = re.search(r"There are (\d+) dialogue fixtures", README)
    assert stated is not None, "the README states how many dialogue fixtures there are"
    assert int(stated.group(1)) == len(list((ROOT / "tests" / "dialogues").glob("*.yaml")))


def test_every_settings_table_gives_the_same_working_hours_default() -> None:
    assert Settings.model_fields["working_hours"].default == ""  # empty: around the clock
    defaults = []
    for row in _table_rows():
        names = re.findall(r"`([A-Z_]+)`", row[0])
        if "WORKING_HOURS" in names:
            values = row[1].split(", ") if len(names) > 1 else [row[1]]
            defaults.append(values[names.index("WORKING_HOURS")])
    assert len(defaults) == 2, "the configuration table and the callback settings table"
    assert set(defaults) == {"around the clock"}


def test_the_dialogue_table_names_every_command() -> None:
    table = "\n".join(" | ".join(row) for row in _table_rows())
    for command in common_texts.BOT_COMMANDS:
        if command != "cancel":  # described under the table, for every dialogue
            assert f"`/{command}" in table, command


def test_the_readme_lists_the_demo_commands() -> None:
    intro = README.split("## What it does")[0]
    for command in (
        "/contact",
        "/photo",
        "/doc",
        "/as operator",
        "/as citizen",
        "/reply",
        "/demo",
        "/quit",
    ):
        assert command in intro, command
        assert command in demo_texts.BANNER + demo_texts.HELP, command

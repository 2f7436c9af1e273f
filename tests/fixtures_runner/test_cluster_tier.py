"""``python -m testkit.fixtures --cluster 2``: fixtures played on two worker processes by
webhook, on PostgreSQL + Redis, each fixture on a fresh schema and key prefix.

A handful of fixtures that touch what a cluster changes: dialogue state in Redis across
workers (a whole appeal), the operators' chat through the shared outbox (one card and one
relay each), SMS codes, a restart of the whole cluster mid-dialogue, and /forget (which
erases the citizen's Redis keys while their update holds the chat's lock). The full run is
``python -m testkit.fixtures -q --cluster 2`` (docs/fixtures.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.fixtures.__main__ import main

DIALOGUES = Path(__file__).parent.parent / "dialogues"
FIXTURES = (
    "consent_inside_a_dialogue_leaves_no_consent_screen_behind",
    "operators_chat_gets_one_card_and_one_relay_each",
    "phone_change_confirmed_by_code",
    "complaint_survives_a_bot_restart",
    "forget_erases_personal_data",
)


def test_a_handful_of_fixtures_pass_on_a_two_process_cluster(
    cluster_services: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(DIALOGUES / f"{name}.yaml") for name in FIXTURES]

    exit_code = main(["-q", "--cluster", "2", *paths])

    output = capsys.readouterr().out
    assert exit_code == 0, output
    for name in FIXTURES:
        assert f"PASS {name} [cluster]" in output, output
    assert f"{len(FIXTURES)} passed, 0 failed" in output


def test_the_cluster_tier_takes_a_number_of_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--cluster", "-1", str(tmp_path)]) == 2
    assert "--cluster takes a number" in capsys.readouterr().err

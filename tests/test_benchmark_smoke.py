"""The benchmark in its smoke size: it must keep working; its timings are not judged here."""

from argparse import Namespace
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey

from benchmarks import storages
from benchmarks.cli import parse_args, render, run
from benchmarks.workload import SCRIPT
from bot.storage.sqlite.database import Database


async def test_smoke_run_measures_every_storage_and_files_every_complaint(tmp_path: Path) -> None:
    options = parse_args(["--smoke", "--workdir", str(tmp_path)])

    results = await run(options)

    plans = results["lookups"]["plans"]
    assert any(name.startswith("status by number: SELECT") for name in plans)
    assert any(name.startswith("my appeals: SELECT") for name in plans)
    assert all(plan and "SCAN" not in " ".join(plan) for plan in plans.values())
    assert [case["appeals_per_citizen"] for case in results["lookups"]["cases"]] == [1, 10, 100]

    measured = {row["storage"] for rows in results["groups"].values() for row in rows}
    assert {storages.OURS, storages.MEMORY} <= measured
    assert measured | set(results["skipped"]) == set(storages.ALL)
    assert all("bench" in reason for reason in results["skipped"].values())
    for durability in storages.DURABILITIES:
        closed = results["groups"][f"closed:{options.citizens[0]}:{durability}"]
        opened = results["groups"][f"open:{options.open_citizens}:{durability}"]
        check_rows(options, closed, opened, durability)
    assert len(results["rounds"]) == len(results["groups"])
    text = render(results, options)
    assert "| ours | full (DURABILITY=full) |" in text
    assert "| ours | process (DURABILITY=process) |" in text
    assert "full ÷ process" in text


def check_rows(
    options: Namespace, closed: list[dict[str, Any]], opened: list[dict[str, Any]], durability: str
) -> None:
    assert {row["durability"] for row in closed + opened} == {durability}
    for row in closed:
        assert row["updates"] == options.citizens[0] * len(SCRIPT)
        assert row["confirmed"] == row["appeals_filed"] == options.citizens[0]
    for row in closed + opened:
        assert row["throughput"] > 0
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert row["peak_rss_mib"] > 0
        assert row["errors"] == row["unanswered"] == row["confirmations_without_number"] == 0
        assert row["confirmed"] == row["appeals_filed"]


@pytest.mark.parametrize("peer", sorted(storages.PEERS))
@pytest.mark.parametrize(
    ("durability", "journal", "synchronous"),
    [(storages.FULL, "delete", 2), (storages.PROCESS, "wal", 1)],  # 2 FULL, 1 NORMAL
)
async def test_a_peer_at_each_durability_commits_as_the_table_says(
    tmp_path: Path, peer: str, durability: str, journal: str, synchronous: int
) -> None:
    reason = storages.unavailable_reason(peer)
    if reason is not None:
        pytest.skip(reason)
    database = Database(tmp_path / "bot.sqlite3")
    storage = storages.create_storage(peer, database, tmp_path, durability)
    try:
        connection = storages.peer_connection(storage)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == journal
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == synchronous
        key = StorageKey(bot_id=1, chat_id=2, user_id=2)
        assert await storage.get_data(key) == {}
        await storage.set_data(key, {"step": 1})
        other = StorageKey(bot_id=1, chat_id=2, user_id=2, destiny="aiogram_dialog_stack")
        assert await storage.get_data(other) == {}
        assert await storage.get_data(key) == {"step": 1}
    finally:
        await storage.close()

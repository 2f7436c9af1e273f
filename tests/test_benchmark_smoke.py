"""The benchmark in its smoke size: it must keep working; its timings are not judged here."""

from pathlib import Path

from benchmarks import storages
from benchmarks.cli import parse_args, render, run
from benchmarks.workload import SCRIPT


async def test_smoke_run_measures_every_storage_and_files_every_complaint(tmp_path: Path) -> None:
    options = parse_args(["--smoke", "--workdir", str(tmp_path)])

    results = await run(options)

    measured = {row["storage"] for rows in results["groups"].values() for row in rows}
    assert {storages.OURS, storages.MEMORY} <= measured
    assert measured | set(results["skipped"]) == set(storages.ALL)
    assert all("bench" in reason for reason in results["skipped"].values())
    closed = results["groups"][f"closed:{options.citizens[0]}"]
    opened = results["groups"][f"open:{options.open_citizens}"]
    for row in closed:
        assert row["updates"] == options.citizens[0] * len(SCRIPT)
        assert row["confirmed"] == row["appeals_filed"] == options.citizens[0]
    for row in closed + opened:
        assert row["throughput"] > 0
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert row["peak_rss_mib"] > 0
        assert row["errors"] == row["unanswered"] == row["confirmations_without_number"] == 0
        assert row["confirmed"] == row["appeals_filed"]
    assert results["lookups"]["plans"]["status by number"]
    assert all("SCAN" not in " ".join(plan) for plan in results["lookups"]["plans"].values())
    assert "| ours |" in render(results, options)

"""``python -m benchmarks``: every storage, both load shapes, one table each.

Each case runs in a process of its own (peak memory is then the case's own)
unless ``--in-process`` is given; ``--smoke`` is a few-second run that only
proves the benchmark still works (CI runs it through the test suite).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import report, storages
from benchmarks.case import RESULT_MARK, Case, run_case
from benchmarks.lookups import measure_lookups


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--storages",
        default=",".join(storages.ALL),
        help="comma-separated, from: " + ", ".join(storages.ALL),
    )
    parser.add_argument("--shapes", default="closed,open", help="closed, open or both")
    parser.add_argument(
        "--durability",
        default=",".join(storages.DURABILITIES),
        help="comma-separated, from: full (ours DURABILITY=full, the peers as"
        " shipped), process (ours DURABILITY=process, the peers in"
        " WAL/NORMAL); a table each (default both)",
    )
    parser.add_argument(
        "--citizens",
        type=int,
        nargs="+",
        default=[1000],
        help="closed loop: citizens walking the whole script (one table each)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=64,
        help="closed loop: citizens in flight at once (default 64)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=300.0,
        help="open loop: updates arriving per second (default 300)",
    )
    parser.add_argument(
        "--open-citizens",
        type=int,
        default=10_000,
        help="open loop: citizens the updates come from (default 10,000)",
    )
    parser.add_argument(
        "--duration", type=float, default=30.0, help="open loop: seconds of arrivals (default 30)"
    )
    parser.add_argument(
        "--appeals",
        type=int,
        default=1_000_000,
        help="archived appeals in the database (default 1,000,000)",
    )
    parser.add_argument(
        "--lookup-sizes",
        type=int,
        nargs="*",
        default=[10_000, 1_000_000],
        help="archive sizes for the status lookup scaling table",
    )
    parser.add_argument(
        "--lookup-per-citizen",
        type=int,
        nargs="+",
        default=[1, 10, 1000],
        help="appeals each archived citizen owns, for the lookup table (default 1 10 1000)",
    )
    parser.add_argument("--lookup-samples", type=int, default=2000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every case this many times, storages taking turns;"
        " the table shows the median round (default 3)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(".bench"),
        help="templates and scratch databases (default .bench)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the cases in this process (memory figures then shared)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="write a pyinstrument report of every case into this folder",
    )
    parser.add_argument("--output", type=Path, default=None, help="also write the tables here")
    parser.add_argument("--json", type=Path, default=None, help="write the raw results here")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, in process: proves the benchmark works, measures nothing",
    )
    options = parser.parse_args(argv)
    options.command = " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)])
    if options.smoke:
        options.citizens = [6]
        options.concurrency = 3
        options.rate = 100.0
        options.open_citizens = 30
        options.duration = 0.3
        options.appeals = 300
        options.lookup_sizes = [300]
        options.lookup_samples = 20
        options.lookup_per_citizen = [1, 10, 100]
        options.rounds = 1
        options.in_process = True
    return options


def _families(options: argparse.Namespace, names: list[str]) -> list[list[tuple[str, list[Case]]]]:
    """Groups (one table each: shape, size, durability) measured together, taking turns.

    The groups of one shape and size differ only in durability; their cases
    alternate within every round, so ratios between them are paired too.
    """
    base = Case(
        storage="",
        shape="closed",
        citizens=0,
        concurrency=options.concurrency,
        rate=options.rate,
        duration=options.duration,
        appeals=options.appeals,
        workdir=str(options.workdir),
        profile=str(options.profile) if options.profile else None,
    )
    shapes = options.shapes.split(",")
    durabilities = [item.strip() for item in options.durability.split(",") if item.strip()]
    sizes = [("closed", citizens) for citizens in options.citizens] if "closed" in shapes else []
    if "open" in shapes:
        sizes.append(("open", options.open_citizens))
    return [
        [
            (
                f"{shape}:{citizens}:{durability}",
                [
                    replace(
                        base, storage=name, shape=shape, citizens=citizens, durability=durability
                    )
                    for name in names
                ],
            )
            for durability in durabilities
        ]
        for shape, citizens in sizes
    ]


def _run_isolated(case: Case) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.case", json.dumps(asdict(case))],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    raise RuntimeError(f"case {case.storage}/{case.shape} failed:\n{completed.stderr[-2000:]}")


async def run(options: argparse.Namespace) -> dict[str, Any]:
    requested = [name.strip() for name in options.storages.split(",") if name.strip()]
    skipped = {
        name: reason
        for name in requested
        if (reason := storages.unavailable_reason(name)) is not None
    }
    names = [name for name in requested if name not in skipped]
    results: dict[str, Any] = {
        "machine": report.machine(),
        "command": options.command,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "skipped": skipped,
        "groups": {},
        "rounds": {},
    }
    options.workdir.mkdir(parents=True, exist_ok=True)
    for family in _families(options, names):
        rounds: dict[tuple[str, str], list[dict[str, Any]]] = {
            (group, case.storage): [] for group, cases in family for case in cases
        }
        for number in range(1, options.rounds + 1):
            for group, case in _taking_turns(family):
                started = time.perf_counter()
                row = await run_case(case) if options.in_process else _run_isolated(case)
                print(
                    f"[{group} round {number}] {case.storage}: {row['throughput']:,.0f}"
                    f" updates/s, p99 {row['p99_ms']:.1f} ms, {row['cpu_us_per_update']:,.0f}"
                    f" CPU µs/update, load {row['load_average']:.1f}"
                    f" ({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
                rounds[(group, case.storage)].append(row)
        for group, cases in family:
            key = "throughput" if group.startswith("closed") else "p99_ms"
            results["rounds"][group] = [
                row for case in cases for row in rounds[(group, case.storage)]
            ]
            results["groups"][group] = [
                _median_round(rounds[(group, case.storage)], key) for case in cases
            ]
    if options.lookup_sizes:
        results["lookups"] = await measure_lookups(
            options.workdir,
            options.lookup_sizes,
            options.lookup_samples,
            options.lookup_per_citizen,
        )
    return results


def _taking_turns(family: list[tuple[str, list[Case]]]) -> list[tuple[str, Case]]:
    """One round: each storage at every durability, then the next storage."""
    return [(group, cases[index]) for index in range(len(family[0][1])) for group, cases in family]


def _median_round(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The round in the middle by ``key``, with the spread of all rounds."""
    ordered = sorted(rows, key=lambda row: row[key])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["rounds"] = len(rows)
    middle["spread"] = [ordered[0][key], ordered[-1][key]]
    return middle


def render(results: dict[str, Any], options: argparse.Namespace) -> str:
    parts = [f"Machine: {results['machine']}.", ""]
    for group, rows in results["groups"].items():
        shape, citizens, durability = group.split(":")
        if shape == "closed":
            parts.append(
                f"### Closed loop: {int(citizens):,} citizens, {options.concurrency}"
                f" in flight, {options.appeals:,} archived appeals,"
                f" durability {durability}\n"
            )
            parts.append(report.closed_loop_table(rows, results["skipped"]))
        else:
            parts.append(
                f"### Open loop: {options.rate:,.0f} updates/s from {int(citizens):,}"
                f" citizens for {options.duration:g} s, {options.appeals:,} archived"
                f" appeals, durability {durability}\n"
            )
            parts.append(report.open_loop_table(rows, results["skipped"]))
        parts.append("")
    if len(results["groups"]) > 1:
        parts.append(report.durability_table(results["groups"]))
        parts.append("")
    if "lookups" in results:
        parts.append(
            "### Status lookup and my appeals as the archive and each citizen's appeals grow\n"
        )
        parts.append(report.lookups_table(results["lookups"]))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    results = asyncio.run(run(options))
    text = render(results, options)
    print(text)
    if options.output:
        options.output.write_text(text + "\n", encoding="utf-8")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0

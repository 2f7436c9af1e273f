"""Markdown tables of one run: every figure of a table from the same run."""

from __future__ import annotations

import math
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.storages import MEMORY, OURS, PEERS, describe


def _number(value: float, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(value: float, reference: float | None) -> str:
    if not reference or value is None or math.isnan(value):
        return "–"
    return f"{value / reference:.2f}×"


def _spread(row: dict[str, Any], digits: int) -> str:
    low, high = row.get("spread", [None, None])
    if low is None or row.get("rounds", 1) < 2:
        return ""
    return f" ({_number(low, digits)}–{_number(high, digits)})"


def closed_loop_table(results: Sequence[dict[str, Any]], skipped: dict[str, str]) -> str:
    memory = next((r for r in results if r["storage"] == MEMORY), None)
    lines = [
        (
            "| storage | durability | updates/s (rounds' range) | vs memory | CPU µs per update"
            " | memory's CPU ÷ this | p50 ms | p95 ms | p99 ms | peak RSS MiB | RSS growth MiB"
            " | complaints confirmed / appeals filed | errors |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['storage']} | {_durability(r)} | {_number(r['throughput'], 0)}{_spread(r, 0)}"
            f" | {_ratio(r['throughput'], memory and memory['throughput'])}"
            f" | {_number(r['cpu_us_per_update'], 0)}"
            f" | {_ratio(memory and memory['cpu_us_per_update'], r['cpu_us_per_update'])}"
            f" | {_number(r['p50_ms'])} | {_number(r['p95_ms'])} | {_number(r['p99_ms'])}"
            f" | {_number(r['peak_rss_mib'], 0)} | {_number(r['rss_growth_mib'])}"
            f" | {r['confirmed']:,} / {r['appeals_filed']:,} | {r['errors']} |"
        )
    lines += [f"| {name} | not measured: {reason} ||||||||||||" for name, reason in skipped.items()]
    lines.append(_versus_peers(results, "throughput", higher_is_better=True))
    return "\n".join(lines)


def open_loop_table(results: Sequence[dict[str, Any]], skipped: dict[str, str]) -> str:
    memory = next((r["p99_ms"] for r in results if r["storage"] == MEMORY), None)
    lines = [
        (
            "| storage | durability | offered/s | served/s | p50 ms | p95 ms"
            " | p99 ms (rounds' range) | p99 vs memory | max ms | peak RSS MiB | RSS growth MiB"
            " | dropped | errors |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['storage']} | {_durability(r)} | {_number(r['rate'], 0)}"
            f" | {_number(r['throughput'], 0)}"
            f" | {_number(r['p50_ms'])} | {_number(r['p95_ms'])}"
            f" | {_number(r['p99_ms'])}{_spread(r, 1)}"
            f" | {_ratio(r['p99_ms'], memory)} | {_number(r['max_ms'])}"
            f" | {_number(r['peak_rss_mib'], 0)} | {_number(r['rss_growth_mib'])}"
            f" | {r['arrivals_dropped']} | {r['errors']} |"
        )
    lines += [f"| {name} | not measured: {reason} ||||||||||||" for name, reason in skipped.items()]
    return "\n".join(lines)


def _versus_peers(results: Sequence[dict[str, Any]], metric: str, higher_is_better: bool) -> str:
    ours = next((r[metric] for r in results if r["storage"] == OURS), None)
    if ours is None:
        return ""
    parts = []
    for r in results:
        if r["storage"] in PEERS and r[metric]:
            ratio = ours / r[metric] if higher_is_better else r[metric] / ours
            parts.append(f"{ratio:.2f}× {r['storage']}")
    if not parts:
        return ""
    return "\n\nOurs against the peers at equal durability: " + ", ".join(parts) + "."


def _durability(row: dict[str, Any]) -> str:
    return describe(row["storage"], row.get("durability", "full"))


def durability_table(groups: dict[str, Sequence[dict[str, Any]]]) -> str:
    """Each storage at both durabilities, and ours against each peer at equal durability."""
    lines = [
        "| load | storage | full | process | full ÷ process | ours ÷ this at full"
        " | ours ÷ this at process |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    families: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for group, rows in groups.items():
        shape, citizens, durability = group.split(":")
        for row in rows:
            family = families.setdefault(f"{shape}:{citizens}", {})
            family.setdefault(row["storage"], {})[durability] = row
    for name, by_storage in families.items():
        shape, citizens = name.split(":")
        closed = shape == "closed"
        metric = "throughput" if closed else "p99_ms"
        load = (
            f"closed loop, {int(citizens):,} citizens, updates/s"
            if closed
            else f"open loop, {int(citizens):,} citizens, p99 ms"
        )
        ours = by_storage.get(OURS, {})
        for storage, rows in by_storage.items():
            full, process = rows.get("full"), rows.get("process")
            cells = [
                _number(full[metric], 0 if closed else 1) if full else "–",
                _number(process[metric], 0 if closed else 1) if process else "–",
                _ratio(full[metric], process[metric]) if full and process else "–",
            ]
            for durability in ("full", "process"):
                mine, theirs = ours.get(durability), rows.get(durability)
                if storage == OURS or mine is None or theirs is None:
                    cells.append("–")
                elif closed:
                    cells.append(_ratio(mine[metric], theirs[metric]))
                else:  # a shorter tail is better: how many times ours is shorter
                    cells.append(_ratio(theirs[metric], mine[metric]))
            lines.append(f"| {load} | {storage} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def lookups_table(lookups: dict[str, Any]) -> str:
    lines = [
        (
            "| archived appeals | appeals per citizen | status p50 µs | status p99 µs"
            " | my appeals p50 µs | my appeals p99 µs |"
        ),
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in lookups["cases"]:
        lines.append(
            f"| {row['archived_appeals']:,} | {row['appeals_per_citizen']:,}"
            f" | {_number(row['status_p50_us'], 0)}"
            f" | {_number(row['status_p99_us'], 0)} | {_number(row['my_appeals_p50_us'], 0)}"
            f" | {_number(row['my_appeals_p99_us'], 0)} |"
        )
    lines.append(
        "\nQuery plans (EXPLAIN QUERY PLAN of the statements the repositories ran,"
        " traced on the connection):\n"
    )
    for name, plan in lookups["plans"].items():
        lines.append(f"- {name}: `{' / '.join(plan)}`")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    cores = 0
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name") and cpu == "unknown CPU":
            cpu = line.split(":", 1)[1].strip()
        if line.startswith("processor"):
            cores += 1
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) // 1024:,} MiB"
    disk = (
        subprocess.run(
            ["findmnt", "-n", "-o", "FSTYPE,SOURCE", "-T", "."],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        or "?"
    )
    return (
        f"{cpu}, {cores} cores, {memory} RAM, file system {disk};"
        f" Python {platform.python_version()}, SQLite {_sqlite_version()}"
    )


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version

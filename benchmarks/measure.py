"""Latency histogram and process memory, both in constant space."""

from __future__ import annotations

import math
from pathlib import Path

_STEP = math.log(1.01)  # buckets 1 % wide: percentiles within 1 %
_FLOOR = 1e-6


class LatencyHistogram:
    """Counts per logarithmic bucket, so a million samples cost no more than ten."""

    def __init__(self) -> None:
        self._counts: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.maximum = 0.0

    def add(self, seconds: float) -> None:
        bucket = int(math.log(max(seconds, _FLOOR) / _FLOOR) / _STEP)
        self._counts[bucket] = self._counts.get(bucket, 0) + 1
        self.count += 1
        self.total += seconds
        self.maximum = max(self.maximum, seconds)

    def percentile(self, fraction: float) -> float:
        """The latency (seconds) below which ``fraction`` of the samples fall."""
        if not self.count:
            return math.nan
        rank = fraction * self.count
        seen = 0
        for bucket in sorted(self._counts):
            seen += self._counts[bucket]
            if seen >= rank:
                return min(_FLOOR * math.exp((bucket + 1) * _STEP), self.maximum)
        return self.maximum


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def rss_mib() -> float:
    """Resident set size of this process now."""
    return _status_kib("VmRSS") / 1024


def peak_rss_mib() -> float:
    """The highest resident set size this process has had (VmHWM)."""
    return _status_kib("VmHWM") / 1024

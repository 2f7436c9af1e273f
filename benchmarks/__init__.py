"""Dialogue throughput and latency of the bot with each FSM storage (issue 6).

Run ``python -m benchmarks --help`` or ``make bench``; see docs/performance.md.
"""

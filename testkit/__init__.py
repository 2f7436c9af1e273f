"""Test support shipped with the bot: a recording Bot API session and an in-process harness.

Used by the test suite, the in-process tier of the dialogue-fixture runner and
the benchmark, so all of them drive the dispatcher from ``create_dispatcher``.
"""

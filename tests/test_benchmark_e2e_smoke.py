"""The end-to-end benchmark in its smoke size: the real bot process behind the fake Telegram
server with its latency and limits on. Its timings are not judged here, only that it works."""

from pathlib import Path

from benchmarks.e2e import main, parse_args, run


async def test_smoke_run_answers_every_update_and_delivers_every_card() -> None:
    options = parse_args(["--smoke"])

    results = await run(options)

    assert results["telegram_limits"] is True
    assert results["latency_s"] == 0.04
    [row] = results["rates"]
    assert row["updates_sent"] > 0
    assert row["answered"] == row["updates_sent"]
    assert row["lost"] == row["derailed"] == row["dropped_arrivals"] == 0
    # Every reply goes there and back through the fake's 40 ms.
    assert row["p50_ms"] >= 40
    burst = results["burst"]
    assert burst["walked_to_review"] == burst["appeals_filed"] == 2
    assert burst["cards_in_operators_chat"] == 2
    assert burst["last_card_after_s"] is not None
    assert results["bot_error_lines"] == 0


def test_the_command_writes_its_json(tmp_path: Path) -> None:
    options = parse_args(["--rates", "--burst", "0", "--json", str(tmp_path / "r.json")])
    assert options.rates == [] and options.burst == 0
    main(["--rates", "--burst", "0", "--json", str(tmp_path / "r.json")])
    assert '"highest_rate_with_p99_under_1s": null' in (tmp_path / "r.json").read_text()

"""Times as the storage writes and reads them (storage/sqlite/timefmt.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.storage.sqlite.timefmt import from_db, to_db


def test_a_time_comes_back_as_the_same_utc_moment() -> None:
    moscow = timezone(timedelta(hours=3))
    moment = datetime(2026, 11, 23, 12, 5, 7, 1234, tzinfo=moscow)

    text = to_db(moment)

    assert text == "2026-11-23T09:05:07.001234Z"
    assert from_db(text) == moment
    assert from_db(text).tzinfo is UTC


def test_text_order_is_time_order() -> None:
    early = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (
        to_db(early) < to_db(early + timedelta(microseconds=1)) < to_db(early + timedelta(days=400))
    )


@pytest.mark.parametrize("text", ["2026-11-23T09:05:07", "2026-11-23T12:05:07+03:00", "вчера"])
def test_anything_but_a_stored_utc_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        from_db(text)


def test_a_naive_time_is_not_stored() -> None:
    with pytest.raises(ValueError):
        to_db(datetime(2026, 11, 23, 9, 0))

"""IsCommand: the router-level check of the routers of commands."""

from __future__ import annotations

from typing import Any

import pytest

from bot.filters import IsCommand
from tests.unit.events import message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"text": "/status 2026-000001"}, True),
        ({"text": "/open@gosuslugi_support_bot"}, True),
        ({"text": "  /status"}, True),  # aiogram's Command reads the first word
        (
            {
                "photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}],
                "caption": "/open",
            },
            True,
        ),  # Command filters read captions too
        ({"text": "Не приходит СМС"}, False),
        ({"text": "ответ /status в середине"}, False),
        ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}]}, False),
        (
            {
                "sticker": {
                    "file_id": "S",
                    "file_unique_id": "U",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                    "type": "regular",
                }
            },
            False,
        ),
    ],
)
async def test_a_command_is_text_or_caption_whose_first_word_starts_with_a_slash(
    content: dict[str, Any],
    expected: bool,
) -> None:
    assert await IsCommand()(message(**content)) is expected

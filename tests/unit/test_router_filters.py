"""Router-level filters: cheap checks that let an update skip a whole router (bot/filters.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.callbacks import CallDesk, CallDeskAction, Desk, DeskAction, Menu, MenuItem, TemplatePick
from bot.filters import ButtonOf, IsCommand, OperatorsChatOrCommand
from bot.settings import Settings
from tests.unit.events import button, message


@pytest.mark.parametrize(("content", "expected"), [
    ({"text": "/status 2026-000001"}, True),
    ({"text": "/open@gosuslugi_support_bot"}, True),
    ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}],
      "caption": "/open"}, True),  # Command filters read captions too
    ({"text": "Не приходит СМС"}, False),
    ({"text": "ответ /status в середине"}, False),
    ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}]}, False),
    ({"sticker": {"file_id": "S", "file_unique_id": "U", "width": 1, "height": 1,
                  "is_animated": False, "is_video": False, "type": "regular"}}, False),
])
async def test_a_command_is_text_or_caption_starting_with_a_slash(
    content: dict[str, Any], expected: bool,
) -> None:
    assert await IsCommand()(message(**content)) is expected


async def test_the_operators_routers_see_their_chat_and_commands_only(settings: Settings) -> None:
    operators_chat = settings.operators_chat_id
    assert operators_chat is not None
    check = OperatorsChatOrCommand()

    assert await check(message(operators_chat, text="Здравствуйте, проверили"), settings)
    assert await check(message(text="/open"), settings)
    assert not await check(message(text="Хочу пожаловаться"), settings)
    assert not await check(message(-100777, text="чужая группа"), settings)


async def test_a_button_is_recognised_by_its_prefix_alone() -> None:
    desk_buttons = ButtonOf(Desk, TemplatePick)

    assert await desk_buttons(button(Desk(action=DeskAction.TAKE, number="2026-000001").pack()))
    assert await desk_buttons(button(TemplatePick(template_id=3, number="2026-000001").pack()))
    assert not await desk_buttons(button(Menu(item=MenuItem.MAIN).pack()))
    assert not await desk_buttons(button(
        CallDesk(action=CallDeskAction.CALLED, number="2026-000001").pack()
    ))
    assert not await desk_buttons(button("dx:take"))  # another prefix that starts the same
    assert not await desk_buttons(button(None))
    assert await ButtonOf(CallDesk)(button(
        CallDesk(action=CallDeskAction.CALLED, number="2026-000001").pack()
    ))

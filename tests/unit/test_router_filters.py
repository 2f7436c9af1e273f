"""Cheap checks that let an update skip a whole router: IsCommand, the operators' gates."""

from __future__ import annotations

from typing import Any

import pytest

from bot.callback_data import CallDesk, CallDeskAction, Desk, DeskAction, Menu, MenuItem, TemplatePick
from bot.filters import IsCommand
from bot.routing import GatedRouter
from bot.settings import Settings
from bot.handlers import get_routers
from bot.states.call_booking import OperatorCallResult
from tests.unit.events import button, message


@pytest.mark.parametrize(("content", "expected"), [
    ({"text": "/status 2026-000001"}, True),
    ({"text": "/open@gosuslugi_support_bot"}, True),
    ({"text": "  /status"}, True),  # aiogram's Command reads the first word
    ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}],
      "caption": "/open"}, True),  # Command filters read captions too
    ({"text": "Не приходит СМС"}, False),
    ({"text": "ответ /status в середине"}, False),
    ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}]}, False),
    ({"sticker": {"file_id": "S", "file_unique_id": "U", "width": 1, "height": 1,
                  "is_animated": False, "is_video": False, "type": "regular"}}, False),
])
async def test_a_command_is_text_or_caption_whose_first_word_starts_with_a_slash(
    content: dict[str, Any], expected: bool,
) -> None:
    assert await IsCommand()(message(**content)) is expected


def operators_routers() -> dict[str, GatedRouter]:
    return {router.name: router for router in get_routers()
            if router.name in ("bot.handlers.operators", "bot.handlers.call_desk")}


def test_the_operators_routers_see_their_chat_and_desk_commands_only(settings: Settings) -> None:
    """Derived from their handlers' filters: no router-level filter repeats them."""
    operators_chat = settings.operators_chat_id
    assert operators_chat is not None
    no_state = {"settings": settings, "raw_state": None}
    routers = operators_routers()
    desk = routers["bot.handlers.operators"].gate("message")
    calls = routers["bot.handlers.call_desk"].gate("message")
    assert desk is not None and calls is not None
    answer = message(operators_chat, text="Здравствуйте, проверили")

    assert desk(answer, no_state)  # an operator's answer to relay
    # The call desk takes text in its chat only while a call's result is awaited.
    assert not calls(answer, no_state)
    assert calls(answer, {**no_state, "raw_state": OperatorCallResult.waiting_for_result.state})
    # A desk command typed by a citizen goes in, to be refused.
    assert desk(message(text="/open"), no_state)
    assert calls(message(text="/callbacks"), no_state)
    for gate in (desk, calls):
        assert not gate(message(text="Хочу пожаловаться"), no_state)
        assert not gate(message(-100777, text="чужая группа"), no_state)
        assert not gate(message(text="/status 2026-000001"), no_state)  # a citizen's own


def test_the_operators_routers_see_their_own_buttons_only(settings: Settings) -> None:
    context = {"settings": settings, "raw_state": None}
    routers = operators_routers()
    desk_buttons = routers["bot.handlers.operators"].gate("callback_query")
    call_buttons = routers["bot.handlers.call_desk"].gate("callback_query")
    assert desk_buttons is not None and call_buttons is not None
    take = button(Desk(action=DeskAction.TAKE, number="2026-000001").pack())
    pick = button(TemplatePick(template_id=3, number="2026-000001").pack())
    called = button(CallDesk(action=CallDeskAction.CALLED, number="2026-000001").pack())

    assert desk_buttons(take, context) and desk_buttons(pick, context)
    assert not desk_buttons(called, context)
    assert call_buttons(called, context)
    assert not call_buttons(take, context)
    for other in (button(Menu(item=MenuItem.MAIN).pack()), button("dx:take"), button(None)):
        # "dx:take": another prefix that starts the same
        assert not desk_buttons(other, context)
        assert not call_buttons(other, context)

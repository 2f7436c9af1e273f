"""A dialogue stack that names a dialogue whose state is gone (a process killed between
the two writes, or the dialogue's key expired first) is emptied, and the message that
met it is handled as in no dialogue: the citizen is never stuck with «Я не понял»."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.texts import common as common_texts
from bot.texts import my_appeals as my_texts
from testkit.harness import BotHarness, Person


async def lose_the_top_dialogue(harness: BotHarness, citizen: Person) -> None:
    storage = harness.dispatcher.storage
    key = StorageKey(bot_id=harness.bot.id, chat_id=citizen.id, user_id=citizen.id)
    stack = await storage.get_data(replace(key, destiny="aiogd:stack:"))
    assert stack["intents"], "a dialogue is open"
    await storage.set_data(replace(key, destiny=f"aiogd:context:{stack['intents'][-1]}"), {})


async def test_a_message_after_a_lost_dialogue_is_answered_as_in_no_dialogue(
    harness: BotHarness, consented: Person, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.send(consented, "/appeal")
    await lose_the_top_dialogue(harness, consented)

    with caplog.at_level(logging.WARNING, logger="bot.handlers.dialog_setup"):
        [answer] = await harness.send(consented, "/my")

    assert answer.text == my_texts.LIST_EMPTY
    assert common_texts.UNKNOWN_INPUT not in [m.text for m in harness.messages_in(consented.id)]
    assert [record.getMessage() for record in caplog.records] == [
        f"Chat {consented.id}: its dialogue stack named a dialogue that is gone"
    ]
    # And the next dialogue opens as usual.
    await harness.send(consented, "/appeal")
    assert await harness.state(consented) is not None


async def test_a_reply_to_an_old_dialogue_keeps_the_open_one(
    harness: BotHarness, consented: Person
) -> None:
    [first] = await harness.send(consented, "/appeal")
    old_button = first.inline_buttons()[0]["callback_data"]
    await harness.send(consented, "/cancel")
    await harness.send(consented, "/appeal")
    state = await harness.state(consented)

    # A sound stack: a press on the finished dialogue's message is a stale button,
    # and the open dialogue stays where it was.
    await harness.press_data(consented, old_button, first)

    assert harness.telegram.callback_answers[-1].show_alert
    assert await harness.state(consented) == state

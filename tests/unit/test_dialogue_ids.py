"""Dialogues opened within one second get different ids (aiogram_dialog's own repeat
about once in a hundred), and the ids stay as short in callback data."""

from __future__ import annotations

from aiogram import Router
from aiogram_dialog.api.entities.stack import Stack, new_id

from bot.handlers.dialog_setup import attach_dialogues


def test_dialogue_ids_opened_in_one_second_do_not_repeat() -> None:
    attach_dialogues(Router())

    ids = [new_id() for _ in range(2000)]  # well within a second

    assert len(set(ids)) == len(ids)
    assert max(len(one) for one in ids) <= 6
    assert Stack().id != Stack().id

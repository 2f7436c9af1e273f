"""The heap the bot settles before it serves (bot/runtime.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from aiogram.methods.base import Response
from aiogram.types import Message, MessageId, Update

from bot.runtime import response_models, settle_heap


@pytest.fixture
def unfreeze_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting as before


@pytest.mark.parametrize("result_type", [Message, bool, MessageId, list[Update]])
def test_an_answer_model_outlives_a_full_collection(result_type: object) -> None:
    response_models()
    model = weakref.ref(Response[result_type])  # type: ignore[index]

    gc.collect()

    assert model() is not None
    assert Response[result_type] is model()  # type: ignore[index]


def test_every_answer_model_is_built_once() -> None:
    assert response_models() is response_models()
    assert Response[Message] in response_models()


def test_settling_freezes_what_start_up_built(unfreeze_afterwards: None) -> None:
    built_at_start_up = {"routers": [], "keyboards": []}

    frozen = settle_heap()

    assert frozen == gc.get_freeze_count() > 0
    walked_by_collections = gc.get_objects()
    assert not any(obj is built_at_start_up for obj in walked_by_collections)
    assert not any(obj is built_at_start_up["routers"] for obj in walked_by_collections)

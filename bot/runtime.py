"""The process's heap, settled once the bot is built and before it serves.

Importing aiogram, pydantic and the bot leaves about 200,000 objects that
live as long as the process. Python's garbage collector walks all of them in
every full collection (about 100 ms on a 2-core server), and under load full
collections come every few seconds: the bot then answers nobody. Freezing
the heap built at start-up (:func:`gc.freeze`) leaves them out of every
collection; only objects created while serving are walked.

aiogram validates each Bot API answer with a generic model,
``Response[<the method's result type>]``. pydantic builds that class on first
use and keeps it only in a weak cache, so a full collection drops it and the
next answer builds it again (a millisecond each, several times a minute under
load). Building every one before the freeze, and holding it, makes them
permanent.

Measured in the closed-loop benchmark (1,000 citizens, our SQLite storage):
garbage collection 110-130 µs per update before, about 20 after
(docs/performance.md, step 10).
"""

from __future__ import annotations

import gc
import inspect
from functools import cache
from typing import Any

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod


@cache
def response_models() -> tuple[type[Response[Any]], ...]:
    """The answer model of every Bot API method, built once and held for the process."""
    result_types = {
        method.__returning__
        for method in vars(methods).values()
        if inspect.isclass(method)
        and issubclass(method, TelegramMethod)
        and method is not TelegramMethod
    }
    # The result types are only known at run time: the generic is parametrised dynamically.
    generic: Any = Response
    return tuple(generic[result_type] for result_type in result_types)


def settle_heap() -> int:
    """Hold the answer models, collect start-up garbage, freeze the rest; return objects frozen."""
    response_models()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()

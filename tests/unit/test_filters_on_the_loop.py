"""No filter of ours is checked in a worker thread (aiogram does that for synchronous ones)."""

from __future__ import annotations

from aiogram import Router

from handlers import get_routers


def all_filters(router: Router):
    for name, observer in router.observers.items():
        # Router-level filters live in the observer's own handler object.
        for handler in (observer._handler, *observer.handlers):  # noqa: SLF001
            for filter_object in handler.filters or ():
                yield f"{router.name}.{name}", filter_object
    for sub_router in router.sub_routers:
        yield from all_filters(sub_router)


def test_every_filter_is_awaited_on_the_event_loop() -> None:
    threaded = [
        (where, repr(filter_object.callback))
        for router in get_routers()
        for where, filter_object in all_filters(router)
        if not filter_object.awaitable
    ]
    assert threaded == []
    # The magic filters are still there, now resolved inline.
    magic = [f for router in get_routers() for _, f in all_filters(router) if f.magic is not None]
    assert len(magic) > 10


async def test_inlined_filters_still_filter(harness, citizen) -> None:
    """A State filter gets raw_state, a magic filter the event: the phone step still works."""
    await harness.consent(citizen)
    await harness.send(citizen, "/phone")
    replies = await harness.send_sticker(citizen)
    assert replies[0].text.startswith("Отправьте номер текстом")
    replies = await harness.send(citizen, "+79123456789")
    assert "отправлен код" in replies[0].text

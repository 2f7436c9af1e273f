"""Routers, one per dialogue, in the order the dispatcher must try them.

Each call builds new routers, because a router can belong to one dispatcher
only and tests, fixtures and benchmarks build many.

The operators' desk comes first (its callback part before the rest, so that
a call's result an operator types is not relayed to the citizen): it handles
only the operators' chat, card buttons and operator commands (refused in
private chats before the citizen router calls them unknown). Navigation
(menu, cancel) comes next so it works in every state; the conversation with
operators (any message outside a dialogue) comes after the dialogues; the
catch-alls come last so they never shadow a dialogue step.

Every router is a ``bot.routing.GatedRouter``: once its handlers are
registered, its gates are fitted here, and an update skips, without entering
it, a router none of whose handlers could take it. The order above still
decides which handler wins.
"""

from __future__ import annotations

from aiogram import Router

from bot.filters import check_filters_on_the_loop
from bot.routing import GatedRouter


def get_routers() -> list[Router]:
    from handlers import (
        appeal,
        callback_desk,
        callback_request,
        common,
        complaint,
        consent,
        conversation,
        fallback,
        help_section,
        my_appeals,
        operators,
        phone,
        privacy,
        recovery,
    )

    modules = (
        callback_desk, operators, common, consent, phone, recovery, appeal, complaint,
        my_appeals, callback_request, help_section, privacy, conversation, fallback,
    )
    routers = [module.create_router() for module in modules]
    for router in routers:
        check_filters_on_the_loop(router)
        if isinstance(router, GatedRouter):
            router.fit_gates()
    return routers

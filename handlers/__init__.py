"""Routers, one per dialogue, in the order the dispatcher must try them.

Each call builds new routers, because a router can belong to one dispatcher
only and tests, fixtures and benchmarks build many.

Navigation (menu, cancel) comes first so it works in every state; the
catch-alls come last so they never shadow a dialogue step.
"""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import (
        appeal,
        common,
        complaint,
        fallback,
        help_section,
        my_appeals,
        phone,
        privacy,
        recovery,
    )

    modules = (
        common, phone, recovery, appeal, complaint, my_appeals, help_section, privacy, fallback,
    )
    return [module.create_router() for module in modules]

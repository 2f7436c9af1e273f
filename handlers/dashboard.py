"""``/dashboard`` in a private chat: a one-time sign-in link for operators and supervisors.

Anyone else (a citizen) is politely refused. The link leads to the web dashboard
(``python -m bot dashboard``), valid 10 minutes and once.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import LinkPreviewOptions, Message, User

from bot.filters import PrivateChat
from bot.services.dashboard import DashboardAccess, dashboard_role
from bot.services.operator_access import OperatorAccess
from bot.texts import dashboard as t
from bot.texts import render


async def dashboard_command(
    message: Message,
    bot: Bot,
    operator_access: OperatorAccess,
    supervisor_access: OperatorAccess | None,
    dashboard_access: DashboardAccess,
    event_from_user: User,
) -> None:
    user_id = event_from_user.id
    role = await dashboard_role(bot, user_id, operator_access, supervisor_access)
    if role is None:
        await message.answer(t.REFUSED)
        return
    await message.answer(
        render(t.LINK, role=t.ROLE_NAMES[role], url=dashboard_access.link(user_id, role)),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


COMMAND = "dashboard"


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(dashboard_command, PrivateChat(), Command(COMMAND))
    return router

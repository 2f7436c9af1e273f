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
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, or_f

from bot.callback_data import CallDesk, Desk, TemplatePick
from bot.domain.clock import Clock
from bot.filters import InOperatorsChat, PrivateChat
from bot.settings import Settings


def get_routers(settings: Settings, clock: Clock) -> list[Router]:
    from bot.handlers import (
        appeal,
        call_booking,
        call_desk,
        complaint,
        consent,
        conversation,
        dashboard,
        fallback,
        help_section,
        my_appeals,
        navigation,
        operators,
        phone,
        privacy,
        recovery,
    )
    from bot.handlers.dialog_setup import attach_dialogues, leave_dialogues_in, own_buttons_only

    menu = navigation.create_router()
    call_buttons = call_booking.create_router()
    # Navigation's own handlers (start, menu, cancel) leave dialogues themselves; its
    # commands open other screens, and a booked call's buttons the moving of it.
    for router in (*menu.sub_routers, call_buttons):
        leave_dialogues_in(router)
    # Dialogues on aiogram_dialog come right after navigation, which works in every state.
    dialogs = [
        own_buttons_only(dialog)
        for dialog in (
            *(
                module.create_dialog(settings, clock)
                for module in (
                    complaint,
                    appeal,
                    my_appeals,
                    help_section,
                    call_booking,
                    privacy,
                    phone,
                    recovery,
                    consent,
                )
            ),
            call_booking.create_rescheduling_dialog(settings, clock),
            *conversation.create_dialogs(settings, clock),
        )
    ]
    citizens = Router(name="citizens")
    citizens.include_routers(
        menu,
        conversation.create_screens_router(dialogs),
        *dialogs,
        call_buttons,
        conversation.create_router(),
        fallback.create_citizen_router(),
    )
    attach_dialogues(citizens)
    # A router's own filters are checked before its sub-routers' middlewares run:
    # aiogram_dialog's (on ``citizens``) never see the operators' chats. Everything below
    # is for private chats only, without filters of its own.
    private_chats = Router(name="private chats")
    for observer in (
        private_chats.message,
        private_chats.edited_message,
        private_chats.callback_query,
        private_chats.my_chat_member,
    ):
        observer.filter(PrivateChat())
    private_chats.include_router(citizens)
    # The operators' side behind one gate, a superset of what its routers take: anything in
    # an operators' chat, a command of theirs anywhere (refused in private chats, /dashboard
    # taken), a button of a card, a template or a call. A citizen's answer, press or command
    # is refused here instead of entering each of the three.
    staff = Router(name="staff")
    staff_commands = Command(*operators.DESK_ONLY, call_desk.COMMAND, dashboard.COMMAND)
    staff.message.filter(or_f(InOperatorsChat(), staff_commands))
    staff.edited_message.filter(InOperatorsChat())
    staff.callback_query.filter(or_f(Desk.filter(), TemplatePick.filter(), CallDesk.filter()))
    staff.include_routers(
        call_desk.create_router(),
        operators.create_router(),
        # Before the citizens' dialogues: an operator's /dashboard works in any state.
        dashboard.create_router(),
    )
    return [staff, private_chats, fallback.create_router()]

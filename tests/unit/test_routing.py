"""Router gates (bot/routing.py): what each filter lets through the door, and what is skipped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.filters import Command, CommandStart, StateFilter, and_f, or_f
from aiogram.fsm.state import State, StatesGroup, any_state, default_state
from aiogram.types import Message, TelegramObject

from bot.callback_data import Desk, DeskAction, Menu, MenuItem, Nav, NavAction
from bot.filters import IsOperator, PrivateChat, TypedWord, WordGate
from bot.routing import GatedRouter, filter_gate, router_gate
from bot.handlers import get_routers
from tests.unit.events import button, message


class Form(StatesGroup):
    waiting_for_name = State()
    waiting_for_date = State()


class Other(StatesGroup):
    confirming = State()


def in_state(state: State | None) -> dict[str, Any]:
    return {"raw_state": state.state if state is not None else None}


def admitted(gate: Any, event: TelegramObject, data: dict[str, Any] | None = None) -> bool:
    assert gate is not None
    return gate(event, data or {})


TEXT = message(text="Иван Петров")


def test_a_state_admits_only_that_state() -> None:
    gate = filter_gate(Form.waiting_for_name)
    assert admitted(gate, TEXT, in_state(Form.waiting_for_name))
    assert not admitted(gate, TEXT, in_state(Form.waiting_for_date))
    assert not admitted(gate, TEXT, in_state(None))


@pytest.mark.parametrize(("states", "inside", "outside"), [
    ((Form.waiting_for_name, Other.confirming), [Form.waiting_for_name, Other.confirming],
     [Form.waiting_for_date, None]),
    ((Form,), [Form.waiting_for_name, Form.waiting_for_date], [Other.confirming, None]),
    ((Form(),), [Form.waiting_for_date], [Other.confirming]),
    ((None,), [None], [Form.waiting_for_name]),
    ((default_state,), [None], [Form.waiting_for_name]),
    (("Form:waiting_for_date",), [Form.waiting_for_date], [Form.waiting_for_name]),
])
def test_a_state_filter_admits_its_states(states: tuple[Any, ...], inside: list[State | None],
                                          outside: list[State | None]) -> None:
    gate = filter_gate(StateFilter(*states))
    assert all(admitted(gate, TEXT, in_state(state)) for state in inside)
    assert not any(admitted(gate, TEXT, in_state(state)) for state in outside)


@pytest.mark.parametrize("state_filter", [StateFilter("*"), StateFilter(any_state), any_state])
def test_any_state_admits_everything(state_filter: Any) -> None:
    assert admitted(filter_gate(state_filter), TEXT, in_state(Form.waiting_for_name))
    assert admitted(filter_gate(state_filter), TEXT, in_state(None))


@pytest.mark.parametrize(("content", "expected"), [
    ({"text": "/status 2026-000001"}, True),
    ({"text": "/STATUS"}, False),  # aiogram's Command is case-sensitive unless told otherwise
    ({"text": "/status@gosuslugi_support_bot 2026-000001"}, True),
    ({"text": "  /status"}, True),  # aiogram reads the first word, spaces before it or not
    ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}],
      "caption": "/my"}, True),
    ({"text": "/statuses"}, False),
    ({"text": "/start"}, False),
    ({"text": "status"}, False),
    ({"text": "   "}, False),
    ({"photo": [{"file_id": "F", "file_unique_id": "U", "width": 1, "height": 1}]}, False),
])
async def test_a_command_gate_reads_the_command_as_aiogram_does(
    content: dict[str, Any], expected: bool,
) -> None:
    event = message(**content)
    assert admitted(filter_gate(Command("status", "my")), event) is expected
    # What aiogram's filter says of the same message (the mention is not asked about).
    assert bool(await Command("status", "my", ignore_mention=True)(event, bot=None)) is expected


def test_command_gates_follow_the_filter_s_options() -> None:
    assert admitted(filter_gate(Command("status", ignore_case=True)), message(text="/Status"))
    assert admitted(filter_gate(Command("status", prefix="!/")), message(text="!status"))
    assert not admitted(filter_gate(Command("status")), message(text="!status"))
    assert admitted(filter_gate(CommandStart()), message(text="/start payload"))
    # A regular expression: any command may match it, ordinary text cannot.
    pattern = filter_gate(Command(re.compile(r"tpl_\w+")))
    assert admitted(pattern, message(text="/anything"))
    assert not admitted(pattern, message(text="anything"))
    assert not admitted(filter_gate(Command("status")), button("status"))


def test_a_button_filter_admits_its_kind_by_prefix() -> None:
    gate = filter_gate(Menu.filter(F.item == MenuItem.MAIN))
    assert admitted(gate, button(Menu(item=MenuItem.MAIN).pack()))
    # The rule on the fields is the handler's to check: the gate reads the prefix only.
    assert admitted(gate, button(Menu(item=MenuItem.HELP).pack()))
    assert not admitted(gate, button(Nav(action=NavAction.CANCEL).pack()))
    assert not admitted(gate, button(None))
    assert not admitted(gate, message(text=Menu(item=MenuItem.MAIN).pack()))


def test_logic_filters_combine_their_gates() -> None:
    either = filter_gate(or_f(Menu.filter(), Nav.filter()))
    assert admitted(either, button(Menu(item=MenuItem.MAIN).pack()))
    assert admitted(either, button(Nav(action=NavAction.BACK).pack()))
    assert not admitted(either, button(Desk(action=DeskAction.TAKE, number="1").pack()))
    both = filter_gate(and_f(Form.waiting_for_name, Command("cancel")))
    assert admitted(both, message(text="/cancel"), in_state(Form.waiting_for_name))
    assert not admitted(both, message(text="/cancel"), in_state(None))
    assert not admitted(both, TEXT, in_state(Form.waiting_for_name))
    # One alternative the gate cannot read, and anything may pass.
    assert filter_gate(or_f(Menu.filter(), F.text)) is None
    assert filter_gate(F.text) is None


def test_our_filters_answer_at_the_door_as_they_answer_aiogram() -> None:
    menu = filter_gate(TypedWord(("Главное меню",)))
    assert admitted(menu, message(text="главное МЕНЮ!"))
    assert not admitted(menu, message(text="меню пожалуйста"))
    private = filter_gate(PrivateChat())
    assert admitted(private, TEXT)
    assert not admitted(private, message(-100777, text="в группе"))
    # Asking Telegram who is an operator is no door check.
    assert filter_gate(IsOperator()) is None


async def take(event: TelegramObject) -> None:
    raise AssertionError("not called in these tests")


def test_a_router_is_closed_to_what_none_of_its_handlers_takes() -> None:
    router = GatedRouter(name="form")
    router.message.register(take, Form.waiting_for_name, F.text)
    router.message.register(take, StateFilter(Form.waiting_for_date))
    router.callback_query.register(take, Nav.filter(F.action == NavAction.CONFIRM))
    router.fit_gates()

    messages = router.gate("message")
    assert admitted(messages, TEXT, in_state(Form.waiting_for_name))
    assert admitted(messages, TEXT, in_state(Form.waiting_for_date))
    assert not admitted(messages, TEXT, in_state(Other.confirming))
    buttons = router.gate("callback_query")
    assert admitted(buttons, button(Nav(action=NavAction.CONFIRM).pack()))
    assert not admitted(buttons, button(Menu(item=MenuItem.MAIN).pack()))
    # No handler for edits at all: every edit is turned away.
    assert not admitted(router.gate("edited_message"), TEXT)


def test_one_handler_that_takes_anything_opens_the_door() -> None:
    router = GatedRouter(name="catch-all")
    router.message.filter(PrivateChat())
    router.message.register(take, Form.waiting_for_name)
    router.message.register(take, F.text)
    router.fit_gates()
    # Only the router-level filter is left to check at the door.
    assert admitted(router.gate("message"), TEXT, in_state(None))
    assert not admitted(router.gate("message"), message(-100777, text="в группе"))


def test_reading_stops_at_a_filter_that_does_work() -> None:
    """aiogram would ask Telegram before it reaches the state: so must the visit."""
    router = GatedRouter(name="operators")
    router.message.register(take, IsOperator(), Form.waiting_for_name)
    router.fit_gates()
    assert router.gate("message") is None


def test_sub_routers_are_part_of_the_parent_s_way_in() -> None:
    parent = GatedRouter(name="parent")
    parent.message.register(take, Command("menu"))
    child = GatedRouter(name="child")
    child.message.register(take, Form.waiting_for_name)
    parent.include_router(child)
    parent.fit_gates()
    assert admitted(parent.gate("message"), message(text="/menu"))
    assert admitted(parent.gate("message"), TEXT, in_state(Form.waiting_for_name))
    assert not admitted(parent.gate("message"), TEXT, in_state(None))
    # A plain aiogram sub-router has no gate: it may take anything.
    parent.include_router(Router(name="plain"))
    parent.fit_gates()
    assert parent.gate("message") is None


def test_a_router_with_outer_middleware_is_always_entered() -> None:
    router = GatedRouter(name="watched")
    router.message.register(take, Form.waiting_for_name)

    async def middleware(handler: Any, event: TelegramObject, data: dict[str, Any]) -> Any:
        return await handler(event, data)

    router.message.outer_middleware(middleware)
    router.fit_gates()
    assert router.gate("message") is None
    assert router_gate(router, "message") is None


@pytest.mark.gates_as_in_production
async def test_a_turned_away_update_never_reaches_the_router_s_filters() -> None:
    checked: list[str] = []

    async def counting(event: Message) -> bool:
        checked.append(event.text or "")
        return True

    router = GatedRouter(name="form")
    router.message.register(take, Form.waiting_for_name, counting)
    router.fit_gates()

    result = await router.propagate_event("message", TEXT, **in_state(None))
    assert result is UNHANDLED
    assert checked == []


async def test_an_admitted_update_is_handled_as_aiogram_handles_it() -> None:
    taken: list[str | None] = []

    async def take_name(message: Message, raw_state: str | None) -> str:
        taken.append(raw_state)
        return "taken"

    router = GatedRouter(name="form")
    router.message.register(take_name, Form.waiting_for_name, F.text)
    router.fit_gates()

    result = await router.propagate_event("message", TEXT, **in_state(Form.waiting_for_name))
    assert result == "taken"
    assert taken == [Form.waiting_for_name.state]


def test_word_lists_of_one_router_are_read_once() -> None:
    router = GatedRouter(name="navigation")
    router.message.register(take, TypedWord(("Меню",)))
    router.message.register(take, TypedWord(("Отмена",)))
    router.fit_gates()
    gate = router.gate("message")
    assert isinstance(gate, WordGate)  # one check, not one per list
    assert admitted(gate, message(text="✖️ Отмена"))
    assert admitted(gate, message(text="меню"))
    assert not admitted(gate, message(text="Отменить заявление"))


def test_every_router_of_the_bot_is_gated() -> None:
    """A plain ``Router`` would still work, only slower: no router is left out."""

    def walk(router: Router) -> list[Router]:
        return [router, *(r for sub in router.sub_routers for r in walk(sub))]

    routers = [router for top in get_routers() for router in walk(top)]
    assert [r.name for r in routers if not isinstance(r, GatedRouter)] == []
    # Messages and buttons are gated everywhere but at the catch-all of stale buttons,
    # which takes any button press nothing else took.
    ungated = [f"{r.name}.{kind}" for r in routers for kind in ("message", "callback_query")
               if isinstance(r, GatedRouter) and r.gate(kind) is None]
    assert ungated == ["bot.handlers.fallback.callback_query"]

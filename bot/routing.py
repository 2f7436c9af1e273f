"""Routers that turn an update away at the door when none of their handlers could take it.

aiogram enters every router in turn until one handles the update. Entering
costs about 10 µs even for a router with nothing for this update: the
router's outer middlewares are wrapped, the context (twenty-odd keys) is
copied several times, its router-level filters are checked, then each
handler's filters, one handler after another (about 3 µs each). A citizen
answering a question of the written complaint entered nine routers and
passed 28 filter checks before the complaint's handler took the answer.

A gate is a cheap necessary condition derived from the filters already
registered: the states a router's handlers wait in, the commands they
answer, the callback-data prefixes of their buttons, and the router-level
filters. When the gate says no, no handler of the router or of its
sub-routers could have taken the update, so the router is not entered and
the result is the same ``UNHANDLED`` aiogram would have reached. When it
says yes, aiogram enters the router as before and checks every filter as
before: a gate never admits anything, it only spares a visit.

Filters are read in order, as aiogram checks them, up to the first one the
gate cannot read (a magic filter, being a pure attribute check, is stepped
over). So a filter that does work (``IsOperator`` asks Telegram) is still
called exactly when aiogram would call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.filters.logic import _AndFilter, _OrFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject
from magic_filter import MagicFilter

Context = Mapping[str, Any]
Gate = Callable[[TelegramObject, Context], bool]


@runtime_checkable
class Gated(Protocol):
    """A filter that can also answer at the door, synchronously, from the event and context."""

    def admits(self, event: TelegramObject, data: Context) -> bool: ...


class GatedRouter(Router):
    """A ``Router`` that checks its gate for the update's type before being entered.

    The gates are fitted by ``fit_gates`` once every handler is registered;
    until then (or for a type whose gate cannot be derived) the router is
    entered as any aiogram router is.
    """

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._gates: dict[str, Gate] = {}

    def fit_gates(self) -> None:
        """Derive this router's gates, and its sub-routers', from what is registered now."""
        for router in self.sub_routers:
            if isinstance(router, GatedRouter):
                router.fit_gates()
        self._gates = {}
        for update_type in self.observers:
            gate = router_gate(self, update_type)
            if gate is not None:
                self._gates[update_type] = gate

    def gate(self, update_type: str) -> Gate | None:
        return self._gates.get(update_type)

    async def propagate_event(self, update_type: str, event: TelegramObject,
                              **kwargs: Any) -> Any:
        gate = self._gates.get(update_type)
        if gate is not None and not gate(event, kwargs):
            return UNHANDLED
        return await super().propagate_event(update_type, event, **kwargs)


def router_gate(router: Router, update_type: str) -> Gate | None:
    """What an update must satisfy for ``router`` to possibly take it; None: anything may pass."""
    observer = router.observers.get(update_type)
    if observer is None or len(observer.outer_middleware):
        return None  # outer middlewares run on every visit: skipping one would skip them
    # Router-level filters: aiogram keeps them on the observer's inner handler.
    root_filters = getattr(getattr(observer, "_handler", None), "filters", None) or ()
    ways_in: list[Gate] = []
    for handler in observer.handlers:
        gate = filters_gate(handler.filters or ())
        if gate is None:
            return filters_gate(root_filters)
        ways_in.append(gate)
    for sub_router in router.sub_routers:
        gate = sub_router.gate(update_type) if isinstance(sub_router, GatedRouter) else None
        if gate is None:
            return filters_gate(root_filters)
        ways_in.append(gate)
    # The way in first: it is what turns most updates away.
    return all_of([any_of(ways_in), *_readable_prefix(root_filters)])


def filters_gate(filters: Sequence[FilterObject]) -> Gate | None:
    """A necessary condition of a list of filters all passing; None if none can be read."""
    gates = _readable_prefix(filters)
    return all_of(gates) if gates else None


def _readable_prefix(filters: Sequence[FilterObject]) -> list[Gate]:
    gates: list[Gate] = []
    for filter_object in filters:
        if filter_object.magic is not None:
            continue  # a pure check on the event: stepping over it changes nothing
        gate = filter_gate(filter_object.callback)
        if gate is None:
            break
        gates.append(gate)
    return gates


def filter_gate(callback: Any) -> Gate | None:
    """A gate that admits at least every event ``callback`` (a filter) passes; None if unknown."""
    if isinstance(callback, MagicFilter):
        return None  # it answers any attribute asked of it, ``admits`` included
    callback = getattr(callback, "__wrapped__", callback)  # a filter moved onto the loop
    if isinstance(callback, Gated):
        return callback.admits
    if isinstance(callback, State):
        return _state_gate((callback,))
    if isinstance(callback, StateFilter):
        return _state_gate(callback.states)
    if isinstance(callback, Command):
        return CommandGate.of(callback)
    if isinstance(callback, CallbackQueryFilter):
        return ButtonGate((callback.callback_data,))
    if isinstance(callback, _OrFilter):
        alternatives = [filter_gate(target.callback) for target in callback.targets]
        if any(gate is None for gate in alternatives):
            return None
        return any_of(alternatives)  # type: ignore[arg-type]
    if isinstance(callback, _AndFilter):
        return filters_gate(callback.targets)
    return None


def _state_gate(states: Iterable[Any]) -> Gate | None:
    names: set[str | None] = set()
    for state in states:
        if isinstance(state, State):
            state = state.state
        elif isinstance(state, StatesGroup):
            state = type(state)
        if isinstance(state, type) and issubclass(state, StatesGroup):
            names.update(state.__all_states_names__)
        elif state == "*":
            return always
        elif state is None or isinstance(state, str):
            names.add(state)
        else:
            return None
    return StateGate(frozenset(names))


def always(event: TelegramObject, data: Context) -> bool:
    return True


def never(event: TelegramObject, data: Context) -> bool:
    return False


class StateGate:
    """The citizen's state is one of ``names`` (None: no state)."""

    def __init__(self, names: frozenset[str | None]) -> None:
        self.names = names

    def __call__(self, event: TelegramObject, data: Context) -> bool:
        return data.get("raw_state") in self.names

    def union(self, other: StateGate) -> StateGate:
        return StateGate(self.names | other.names)


class ButtonGate:
    """A button whose callback data is of one of ``kinds`` (by prefix; nothing is parsed)."""

    def __init__(self, kinds: Iterable[type[CallbackData]]) -> None:
        self.kinds = tuple(kinds)
        self._prefixes = frozenset(kind.__prefix__ for kind in self.kinds)
        self._separators = tuple({kind.__separator__ for kind in self.kinds})

    def __call__(self, event: TelegramObject, data: Context) -> bool:
        if not isinstance(event, CallbackQuery) or not event.data:
            return False
        for separator in self._separators:
            if event.data.partition(separator)[0] in self._prefixes:
                return True
        return False

    def union(self, other: ButtonGate) -> ButtonGate:
        return ButtonGate((*self.kinds, *other.kinds))


class CommandGate:
    """Text or caption whose first word is one of ``names`` after one of ``prefixes``.

    ``names`` None: any command (a filter with a regular expression).
    Read as aiogram's ``Command`` reads it: the first word, then the part
    before "@"; case-folded when the filter ignores case.
    """

    def __init__(self, prefixes: str, names: frozenset[str] | None, ignore_case: bool) -> None:
        self.prefixes = prefixes
        self.names = names
        self.ignore_case = ignore_case

    @classmethod
    def of(cls, command: Command) -> CommandGate:
        names = frozenset(name for name in command.commands if isinstance(name, str))
        every_name_known = len(names) == len(command.commands)
        return cls(command.prefix, names if every_name_known else None, command.ignore_case)

    def __call__(self, event: TelegramObject, data: Context) -> bool:
        if not isinstance(event, Message):
            return False
        text = event.text or event.caption
        if not text:
            return False
        words = text.split(maxsplit=1)
        if not words or words[0][0] not in self.prefixes:
            return False
        if self.names is None:
            return True
        name = words[0][1:].partition("@")[0]
        return (name.casefold() if self.ignore_case else name) in self.names

    def union(self, other: CommandGate) -> CommandGate | None:
        if (self.prefixes, self.ignore_case) != (other.prefixes, other.ignore_case):
            return None
        if self.names is None or other.names is None:
            return CommandGate(self.prefixes, None, self.ignore_case)
        return CommandGate(self.prefixes, self.names | other.names, self.ignore_case)


def any_of(gates: Sequence[Gate]) -> Gate:
    """Admits what any of ``gates`` admits; gates of one kind are merged into one check."""
    merged: list[Gate] = []
    for gate in gates:
        if gate is always:
            return always
        if gate is never:
            continue
        for index, earlier in enumerate(merged):
            if type(earlier) is type(gate) and hasattr(earlier, "union"):
                union = earlier.union(gate)
                if union is not None:
                    merged[index] = union
                    break
        else:
            merged.append(gate)
    if not merged:
        return never
    if len(merged) == 1:
        return merged[0]
    alternatives = tuple(merged)

    def admits(event: TelegramObject, data: Context) -> bool:
        for gate in alternatives:
            if gate(event, data):
                return True
        return False

    return admits


def all_of(gates: Sequence[Gate]) -> Gate:
    """Admits what every one of ``gates`` admits."""
    conditions = tuple(gate for gate in gates if gate is not always)
    if any(gate is never for gate in conditions):
        return never
    if not conditions:
        return always
    if len(conditions) == 1:
        return conditions[0]

    def admits(event: TelegramObject, data: Context) -> bool:
        for gate in conditions:
            if not gate(event, data):
                return False
        return True

    return admits

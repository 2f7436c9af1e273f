"""A small engine for the text steps of a form: ask, parse, store, move on.

A dialogue describes its steps (state, field, prompt, parser); the engine
asks the question, re-asks with the validator's reason on bad input, keeps
the answer in FSM data, and finds the next or the previous step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import Nav, NavAction
from bot.keyboards.common import add_navigation
from bot.domain.validators import Invalid
from bot.texts import common as common_texts
from bot.texts import render, validation
from bot.handlers.replies import problem_text


@dataclass(frozen=True, slots=True)
class StepContext:
    """What parsers may need besides the text."""

    region: str
    now: datetime  # local time of the portal (settings.timezone)


Parser = Callable[[str, StepContext], Any]


@dataclass(frozen=True, slots=True)
class Step:
    field: str
    state: State
    prompt: str  # may use {step} and {total}
    parse: Parser
    problems: Mapping[str, str] = dataclasses.field(default_factory=lambda: validation.GENERIC)
    skippable: bool = False
    buttons: Callable[[InlineKeyboardBuilder], None] | None = None


class Form:
    def __init__(self, steps: Sequence[Step], *, back_from_first: bool = True) -> None:
        """``back_from_first``: whether the first step has a screen to go back to."""
        self.steps = tuple(steps)
        self._by_state = {step.state.state: step for step in self.steps}
        self._back_from_first = back_from_first
        self._keyboards: dict[int, InlineKeyboardMarkup] = {}  # built once per step

    @property
    def first(self) -> Step:
        return self.steps[0]

    @property
    def states(self) -> tuple[State, ...]:
        return tuple(step.state for step in self.steps)

    def step_for(self, state: str | None) -> Step | None:
        return self._by_state.get(state or "")

    def after(self, step: Step) -> Step | None:
        index = self.steps.index(step)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    def before(self, step: Step) -> Step | None:
        index = self.steps.index(step)
        return self.steps[index - 1] if index > 0 else None

    def prompt(self, step: Step) -> str:
        return render(step.prompt, step=self.steps.index(step) + 1, total=len(self.steps))

    def keyboard(self, step: Step) -> InlineKeyboardMarkup:
        index = self.steps.index(step)
        if index not in self._keyboards:
            self._keyboards[index] = self._build_keyboard(step)
        return self._keyboards[index]

    def _build_keyboard(self, step: Step) -> InlineKeyboardMarkup:
        back = self._back_from_first or step is not self.first
        builder = InlineKeyboardBuilder()
        if step.buttons is not None:
            step.buttons(builder)
        if step.skippable:
            builder.button(text=common_texts.BUTTON_SKIP, callback_data=Nav(action=NavAction.SKIP))
        builder.adjust(1)
        add_navigation(builder, back=back)
        return builder.as_markup()


async def ask(message: Message, state: FSMContext, form: Form, step: Step) -> None:
    await state.set_state(step.state)
    await message.answer(form.prompt(step), reply_markup=form.keyboard(step))


async def take_answer(
    message: Message, state: FSMContext, form: Form, step: Step, context: StepContext
) -> bool:
    """Parse and store the answer to ``step``; on bad input explain and re-ask."""
    try:
        value = step.parse(message.text or "", context)
    except Invalid as error:
        await message.answer(
            problem_text(error, dict(step.problems)), reply_markup=form.keyboard(step)
        )
        return False
    await state.update_data({step.field: value})
    return True


async def current_step(state: FSMContext, form: Form) -> Step:
    step = form.step_for(await state.get_state())
    if step is None:
        raise LookupError("the handler's state filter admitted a state outside its form")
    return step


async def answered_step(
    message: Message, state: FSMContext, form: Form, context: StepContext
) -> Step | None:
    """The step the text answered, once stored; None if it was refused (and re-asked)."""
    step = await current_step(state, form)
    return step if await take_answer(message, state, form, step, context) else None


async def reask(message: Message, state: FSMContext, form: Form) -> None:
    """The current question again, after input of the wrong kind (a sticker, a photo)."""
    step = await current_step(state, form)
    await message.answer(
        common_texts.TEXT_EXPECTED + "\n\n" + form.prompt(step), reply_markup=form.keyboard(step)
    )


def step_context(settings: Any, clock: Any) -> StepContext:
    """``settings``: bot.settings.Settings; ``clock``: bot.domain.clock.Clock."""
    return StepContext(region=settings.default_region, now=clock.now().astimezone(settings.zone))

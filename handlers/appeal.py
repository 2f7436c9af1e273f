"""A new appeal: choose the type, answer what that type needs, review, send.

The type decides the questions (``FORMS``), so «Назад» and the next question
follow the chosen form, not the order of the windows. The complaint and the
status lookup are dialogues of their own, opened on top of the type chooser:
their «Назад» comes back to it.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Group, Select
from aiogram_dialog.widgets.text import Const, Format

from bot.callback_data import ConsentNext
from bot.domain.clock import Clock
from bot.domain.models import AppealType
from bot.domain.validators import clean_text, parse_application_number, parse_moment
from bot.handlers import my_appeals
from bot.handlers.replies import clear_fsm, consent_asked
from bot.handlers.widgets import (
    Catalog,
    Refusal,
    choices,
    expects,
    file_appeal,
    keep_start_data,
    navigation,
    question,
    submit_button,
)
from bot.rendering.citizen import field_lines, field_value
from bot.settings import Settings
from bot.states.appeal import NewAppeal
from bot.states.complaint import WrittenComplaint
from bot.texts import appeals as t
from bot.texts import common as common_texts
from bot.texts import join_lines, validation

# The questions of each form, in the order they are asked.
FORMS: dict[str, tuple[str, ...]] = {
    AppealType.TECHNICAL: ("description", "error_text", "occurred_at", "application_number"),
    AppealType.SERVICE_QUESTION: ("service_name", "description", "application_number"),
    AppealType.CONSULTATION: ("topic", "description"),
}
STATES = {
    "service_name": NewAppeal.waiting_for_service_name,
    "topic": NewAppeal.waiting_for_topic,
    "description": NewAppeal.waiting_for_description,
    "error_text": NewAppeal.waiting_for_error_text,
    "occurred_at": NewAppeal.waiting_for_occurred_at,
    "application_number": NewAppeal.waiting_for_application_number,
}
FIELD_OF_STATE = {state.state: field for field, state in STATES.items()}
LIMITS = {"service_name": 200, "topic": 200, "description": 2000, "error_text": 1000}
MIN_LENGTHS = {"service_name": 2, "topic": 2}
STATUS_CHECK = "status_check"  # not a type of appeal: the type chooser's way to the lookup
KIND = "kind"  # dialog data: the chosen type (an AppealType value)


async def start_new_appeal(message: Message, manager: DialogManager) -> None:
    await clear_fsm(manager)
    await manager.start(NewAppeal.choosing_type, mode=StartMode.RESET_STACK)


async def start_form(message: Message, manager: DialogManager, kind: str) -> None:
    """The form of ``kind`` from its first question (after the consent screen, if due)."""
    if await consent_asked(manager, ConsentNext(kind)):
        return
    await manager.start(STATES[FORMS[kind][0]], data={KIND: kind}, mode=StartMode.RESET_STACK)


def _form(manager: DialogManager) -> tuple[str, ...]:
    return FORMS[manager.dialog_data[KIND]]


def _current_field(manager: DialogManager) -> str:
    return FIELD_OF_STATE[manager.current_context().state.state]


# --- the type chooser ------------------------------------------------------------------------


async def type_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, kind: str
) -> None:
    if kind == STATUS_CHECK:
        await my_appeals.ask_for_number(manager, on_top=True)
        return
    # The consent screen instead of a form not agreed to; it resumes the form at ``kind``.
    if await consent_asked(manager, ConsentNext(kind)):
        return
    if kind == AppealType.COMPLAINT:
        # On top of the types: the complaint's «Назад» on its first step comes back here.
        await manager.start(WrittenComplaint.waiting_for_topic)
        return
    manager.dialog_data.clear()
    manager.dialog_data[KIND] = kind
    await manager.switch_to(STATES[FORMS[kind][0]])


async def types_getter(**_: Any) -> dict[str, Any]:
    return {"types": list(t.TYPE_BUTTONS.items())}


# --- the questions ---------------------------------------------------------------------------


EDITING = "editing"  # dialog data: a field is being fixed from the review


async def _next_question(manager: DialogManager, field: str) -> None:
    """The question after ``field``, or the review after the last one or after an edit."""
    if manager.dialog_data.get(EDITING):
        await manager.switch_to(NewAppeal.confirming)
        return
    form = _form(manager)
    index = form.index(field)
    if index + 1 == len(form):
        await manager.switch_to(NewAppeal.confirming)
    else:
        await manager.switch_to(STATES[form[index + 1]])


async def answered(message: Message, widget: Any, manager: DialogManager, value: Any) -> None:
    field = widget.widget.widget_id
    manager.dialog_data[field] = value
    await _next_question(manager, field)


async def skipped(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    field = _current_field(manager)
    manager.dialog_data[field] = None
    await _next_question(manager, field)


async def went_back(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The previous question; the types from the first; the review when fixing a field."""
    form = _form(manager)
    if manager.dialog_data.get(EDITING):
        await manager.switch_to(NewAppeal.confirming)
        return
    if manager.current_context().state == NewAppeal.confirming:
        await manager.switch_to(STATES[form[-1]])
        return
    index = form.index(_current_field(manager))
    await manager.switch_to(STATES[form[index - 1]] if index else NewAppeal.choosing_type)


async def question_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    field = _current_field(dialog_manager)
    form = _form(dialog_manager)
    data = dialog_manager.dialog_data
    current = field_value(field, data.get(field)) if data.get(EDITING) else None
    return {"step": form.index(field) + 1, "total": len(form), "current": current}


# --- the review ------------------------------------------------------------------------------


async def submit(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    kind = data[KIND]
    fields = {field: data.get(field) for field in FORMS[kind]}
    await file_appeal(callback, manager, AppealType(kind), fields)


async def edit_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, field: str
) -> None:
    if field not in _form(manager):  # a button of an older review of another form
        return
    manager.dialog_data[EDITING] = True
    await manager.switch_to(STATES[field])


async def review_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    data[EDITING] = False
    form = FORMS[data[KIND]]
    return {
        "editable": [(field, common_texts.FIELD_NAMES[field]) for field in form],
        "type": common_texts.APPEAL_TYPE_NAMES[data[KIND]],
        "fields": join_lines(
            field_lines({field: data.get(field) for field in form}, t.SUMMARY_LINE)
        ),
    }


# --- the dialogue ----------------------------------------------------------------------------


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    def now() -> Any:
        return clock.now().astimezone(settings.zone)

    def text(field: str) -> Any:
        return lambda answer: clean_text(
            answer, max_length=LIMITS[field], min_length=MIN_LENGTHS.get(field, 1)
        )

    parsers = {
        "service_name": (text("service_name"), validation.GENERIC),
        "topic": (text("topic"), validation.GENERIC),
        "description": (text("description"), validation.GENERIC),
        "error_text": (text("error_text"), validation.GENERIC),
        "occurred_at": (lambda answer: parse_moment(answer, now=now()).iso(), validation.MOMENTS),
        "application_number": (parse_application_number, validation.APPLICATION_NUMBER),
    }

    def ask(field: str) -> Window:
        parse, problems = parsers[field]
        return question(
            STATES[field],
            Catalog(t.PROMPTS[field]),
            Catalog(common_texts.EDITING_CURRENT, when="current"),
            field=field,
            parse=parse,
            on_success=answered,
            problems=problems,
            buttons=(
                [Button(Const(common_texts.BUTTON_SKIP), id="skip", on_click=skipped)]
                if field == "application_number"
                else []
            ),
            on_back=went_back,
            getter=question_getter,
        )

    return Dialog(
        Window(
            Refusal(),
            Const(t.CHOOSE_TYPE),
            choices("type", "types", type_chosen),
            expects(common_texts.DIALOGUE_BUTTON_ONLY),
            navigation(back=False),
            state=NewAppeal.choosing_type,
            getter=types_getter,
        ),
        *(ask(field) for field in STATES),
        Window(
            Refusal(),
            Catalog(t.SUMMARY),
            submit_button(submit),
            Group(
                Select(
                    Format(t.BUTTON_EDIT),
                    id="edit",
                    item_id_getter=lambda item: item[0],
                    items="editable",
                    on_click=edit_chosen,
                ),
                width=2,
            ),
            expects(t.CONFIRM_EXPECTED),
            navigation(on_back=went_back),
            state=NewAppeal.confirming,
            getter=review_getter,
        ),
        on_start=keep_start_data,
    )

"""Recovering access: cause -> guidance -> e-mail / SNILS instructions or a support appeal.

One dialogue (aiogram_dialog), its windows in the order a citizen meets them:
the cause, its guidance (with buttons to every way out it mentions), the
instructions for e-mail or SNILS, then the appeal to support (full name,
SNILS, contact, description: typed answers checked by the domain validators),
its review and the number. The appeal collects personal data: the consent
screen comes first, and «Согласен» opens the form for the cause chosen.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, SwitchTo
from aiogram_dialog.widgets.text import Case, Const, Format

from bot.callback_data import ConsentNext, Menu, MenuItem, RecoveryAction, RecoveryCause
from bot.domain.clock import Clock
from bot.domain.masking import TypedNames
from bot.domain.models import AppealType
from bot.domain.validators import clean_text, parse_contact, parse_full_name, parse_snils
from bot.handlers.replies import clear_fsm, consent_asked
from bot.handlers.widgets import (
    KEEPS_OTHER_SCREENS,
    Catalog,
    OtherScreens,
    Refusal,
    choices,
    expects,
    explain_refusal,
    file_appeal,
    keep_start_data,
    navigation,
    not_refused,
    question,
    submit_button,
)
from bot.keyboards.common import button
from bot.rendering.citizen import field_value
from bot.settings import Settings
from bot.states.recovery import AccessRecovery
from bot.texts import Safe, validation
from bot.texts import common as common_texts
from bot.texts import recovery as t

# Dialog data: the RecoveryCause value chosen. Not the appeal field's name «cause»: a
# cause alone is no answer to the form, and leaving then drops no draft.
CAUSE = "chosen_cause"
VIA = "via"  # dialog data: the RecoveryAction of the instructions read
PENDING_CAUSE = "recovery_cause"  # FSM data: the cause, while the consent screen waits
FIELDS = ("cause", "full_name", "snils", "contact", "description")


def _fields(manager: DialogManager) -> dict[str, Any]:
    data = manager.dialog_data
    return {name: data.get(name) for name in FIELDS} | {"cause": data[CAUSE]}


async def start_recovery(message: Message, manager: DialogManager) -> None:
    await clear_fsm(manager)
    await manager.start(AccessRecovery.choosing_cause, mode=StartMode.RESET_STACK)


async def start_support_form(message: Message, manager: DialogManager) -> None:
    """The appeal to support, after the consent screen's «Согласен».

    The cause waited in FSM data.
    """
    state: FSMContext = manager.middleware_data["state"]
    cause = (await state.get_data()).get(PENDING_CAUSE, RecoveryCause.OTHER.value)
    await state.clear()
    await manager.start(
        AccessRecovery.waiting_for_full_name, data={CAUSE: cause}, mode=StartMode.RESET_STACK
    )


# --- cause, guidance, instructions -------------------------------------------------------


async def cause_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, cause: str
) -> None:
    manager.dialog_data[CAUSE] = cause
    await manager.switch_to(AccessRecovery.reading_guidance)


async def guidance_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    cause = RecoveryCause(dialog_manager.dialog_data[CAUSE])
    others = [button(common_texts.BUTTON_CALLBACK, Menu(item=MenuItem.CALLBACK))]
    if cause in (RecoveryCause.NO_SMS, RecoveryCause.CHANGED_PHONE):
        others.insert(0, button(t.BUTTON_CHANGE_PHONE, Menu(item=MenuItem.CHANGE_PHONE)))
    # Every way out the guidance mentions: support always, the instructions for e-mail and
    # SNILS for every cause but OTHER («Если номер сменился, восстановите доступ по почте или
    # СНИЛС»: no SMS offers both too).
    return {
        "guidance": Safe(t.GUIDANCE[cause]),
        "others": others,
        "instructions": cause != RecoveryCause.OTHER,
    }


async def instructions_chosen(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    manager.dialog_data[VIA] = button.widget_id


async def to_support(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The appeal collects full name, SNILS and contact: consent first."""
    state: FSMContext = manager.middleware_data["state"]
    await state.update_data({PENDING_CAUSE: manager.dialog_data[CAUSE]})
    if await consent_asked(manager, ConsentNext.RECOVERY_APPEAL):
        return
    await state.clear()
    await manager.switch_to(AccessRecovery.waiting_for_full_name)


# --- the appeal to support ---------------------------------------------------------------


async def answered(message: Message, widget: Any, manager: DialogManager, value: Any) -> None:
    manager.dialog_data[widget.widget.widget_id] = value
    await manager.next()


def _remembering_name(handler: Any) -> Any:
    """``handler`` (of an answer, or of its refusal) once the words typed as a name are
    remembered: before any line could show them, even refused, log lines mask them."""

    async def remembered(message: Message, widget: Any, manager: DialogManager, *args: Any) -> None:
        typed_names: TypedNames = manager.middleware_data["typed_names"]
        typed_names.remember(message.text or "")
        await handler(message, widget, manager, *args)

    return remembered


async def back_to_guidance(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.switch_to(AccessRecovery.reading_guidance)


async def summary_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {name: field_value(name, value) for name, value in _fields(dialog_manager).items()}


async def submit(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await file_appeal(callback, manager, AppealType.ACCESS_RECOVERY, _fields(manager))


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    def text_step(field: str, prompt: str, parse: Any, **options: Any) -> Window:
        options.setdefault("on_success", answered)
        state = getattr(AccessRecovery, f"waiting_for_{field}")
        return question(state, Const(prompt), field=field, parse=parse, **options)

    return Dialog(
        Window(
            Const(t.CHOOSE_CAUSE, when=not_refused),
            Refusal(),
            choices("cause", "causes", cause_chosen),
            expects(common_texts.DIALOGUE_BUTTON_ONLY),
            navigation(back=False),
            state=AccessRecovery.choosing_cause,
            getter={"causes": [(cause.value, t.CAUSE_BUTTONS[cause]) for cause in RecoveryCause]},
        ),
        Window(
            Format("{guidance}", when=not_refused),
            Refusal(),
            *(
                SwitchTo(
                    Const(label),
                    id=way.value,
                    state=AccessRecovery.reading_instructions,
                    on_click=instructions_chosen,
                    when="instructions",
                )
                for way, label in (
                    (RecoveryAction.VIA_EMAIL, t.BUTTON_VIA_EMAIL),
                    (RecoveryAction.VIA_SNILS, t.BUTTON_VIA_SNILS),
                )
            ),
            Button(Const(t.BUTTON_SUPPORT), id=RecoveryAction.SUPPORT.value, on_click=to_support),
            OtherScreens("others"),
            expects(common_texts.DIALOGUE_BUTTON_ONLY),
            navigation(),
            state=AccessRecovery.reading_guidance,
            getter=guidance_getter,
            markup_factory=KEEPS_OTHER_SCREENS,
        ),
        Window(
            Case(
                {RecoveryAction.VIA_EMAIL: Const(t.VIA_EMAIL), ...: Const(t.VIA_SNILS)},
                selector=F["dialog_data"][VIA],
                when=not_refused,
            ),
            Refusal(),
            Button(Const(t.BUTTON_DID_NOT_HELP), id="did_not_help", on_click=to_support),
            expects(common_texts.DIALOGUE_BUTTON_ONLY),
            navigation(),
            state=AccessRecovery.reading_instructions,
        ),
        text_step(
            "full_name",
            t.ASK_FULL_NAME,
            parse_full_name,
            on_success=_remembering_name(answered),
            on_error=_remembering_name(explain_refusal(validation.FULL_NAME)),
            on_back=back_to_guidance,
        ),
        text_step("snils", t.ASK_SNILS, parse_snils, problems=validation.SNILS),
        text_step(
            "contact",
            t.ASK_CONTACT,
            partial(parse_contact, region=settings.default_region),
            problems=validation.CONTACT,
        ),
        text_step("description", t.ASK_DESCRIPTION, partial(clean_text, max_length=2000)),
        Window(
            Catalog(t.SUMMARY, when=not_refused),
            Refusal(),
            submit_button(submit),
            expects(t.CONFIRM_EXPECTED),
            navigation(),
            state=AccessRecovery.confirming,
            getter=summary_getter,
        ),
        on_start=keep_start_data,
    )

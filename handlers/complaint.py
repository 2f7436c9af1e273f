"""The written complaint: five questions, attachments, a review with per-field edits, a number."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, ContentType, Message, ReplyKeyboardRemove, User
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Next, Select
from aiogram_dialog.widgets.text import Const, Format

from bot.callback_data import ConsentNext
from bot.domain.clock import Clock
from bot.domain.models import AppealType, Attachment
from bot.domain.validators import Invalid, clean_text, format_phone, parse_moments, parse_phone
from bot.handlers.replies import confirm_then_close, consent_asked, handled_update, off_hours
from bot.handlers.widgets import (
    Catalog,
    Refusal,
    explain_refusal,
    navigation,
    opened_on_top,
    refuse,
    text_expected,
)
from bot.keyboards.common import main_menu
from bot.keyboards.complaint import share_contact
from bot.rendering.citizen import appeal_filed, field_value
from bot.services.appeals import AppealService
from bot.services.consent import ConsentService
from bot.services.desk import DeskService
from bot.services.phone_change import PhoneChangeService
from bot.settings import Settings
from bot.states.complaint import WrittenComplaint
from bot.texts import common as common_texts
from bot.texts import complaint as t
from bot.texts import explain, join_lines, render, validation

MAX_ATTACHMENTS = 10
TEXT_FIELDS = ("topic", "caller_phone", "attempts", "errors", "desired_result")


async def start_complaint(
    message: Message, state: FSMContext, consent: ConsentService, manager: DialogManager
) -> None:
    if await consent_asked(manager, consent, ConsentNext.COMPLAINT):
        return
    await state.clear()
    await manager.start(WrittenComplaint.waiting_for_topic, mode=StartMode.RESET_STACK)


async def answered(message: Message, widget: Any, manager: DialogManager, value: Any) -> None:
    """Keep the answer; the next question, or back to the review after an edit."""
    await _keep(manager, widget.widget.widget_id, value)


async def _keep(manager: DialogManager, field: str, value: Any) -> None:
    manager.dialog_data[field] = value
    if field == "caller_phone":
        # Says which number was taken, and takes the contact keyboard away.
        await _chat_message(
            manager, render(t.PHONE_TAKEN, phone=format_phone(value)), ReplyKeyboardRemove()
        )
    if manager.dialog_data.get("editing"):
        await manager.switch_to(WrittenComplaint.reviewing)
    elif field == "topic":
        await show_phone_step(manager)
    else:
        await manager.next()


async def _chat_message(manager: DialogManager, text: str, markup: Any) -> None:
    bot: Bot = manager.middleware_data["bot"]
    chat: Chat = manager.middleware_data["event_chat"]
    await bot.send_message(chat.id, text, reply_markup=markup)


async def show_phone_step(manager: DialogManager) -> None:
    """The phone step, then the keyboard that shares the Telegram account's number.

    A message with inline buttons cannot carry a contact button, so the
    keyboard comes in a message of its own, after the question.
    """
    await manager.switch_to(WrittenComplaint.waiting_for_caller_phone)
    await manager.show()
    await _chat_message(manager, t.CONTACT_HINT, share_contact())
    manager.show_mode = ShowMode.NO_UPDATE


async def profile_phone_chosen(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
    phone = await phone_change.current_phone(callback.from_user.id)
    if phone is None:  # forgotten meanwhile (/forget): the number is asked again
        refuse(manager, validation.CALLER_PHONE["empty"])
        return
    await _keep(manager, "caller_phone", phone)


async def contact_shared(message: Message, widget: Any, manager: DialogManager) -> None:
    assert message.contact is not None
    settings: Settings = manager.middleware_data["settings"]
    try:
        phone = parse_phone(
            message.contact.phone_number, region=settings.default_region, mobile_only=False
        )
    except Invalid as error:
        refuse(manager, explain(error.problem.value, dict(error.details), validation.CALLER_PHONE))
        return
    await _keep(manager, "caller_phone", phone)


async def phone_getter(
    dialog_manager: DialogManager, phone_change: PhoneChangeService, event_from_user: User, **_: Any
) -> dict[str, Any]:
    profile = await phone_change.current_phone(event_from_user.id)
    values = await current_value_getter("caller_phone")(dialog_manager)
    return {**values, "phone": format_phone(profile) if profile else None}


async def nobody_answered(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data["errors"] = t.NO_ANSWER
    await manager.switch_to(
        WrittenComplaint.reviewing
        if manager.dialog_data.get("editing")
        else WrittenComplaint.waiting_for_desired_result
    )


async def attachment_received(message: Message, widget: Any, manager: DialogManager) -> None:
    stored = list(manager.dialog_data.get("attachments", []))
    if len(stored) >= MAX_ATTACHMENTS:
        refuse(manager, render(t.ATTACHMENT_LIMIT, limit=MAX_ATTACHMENTS))
        return
    if message.photo:
        largest = message.photo[-1]
        stored.append(
            {
                "kind": "photo",
                "file_id": largest.file_id,
                "file_unique_id": largest.file_unique_id,
                "file_name": None,
            }
        )
    else:
        assert message.document is not None
        stored.append(
            {
                "kind": "document",
                "file_id": message.document.file_id,
                "file_unique_id": message.document.file_unique_id,
                "file_name": message.document.file_name,
            }
        )
    manager.dialog_data["attachments"] = stored
    refuse(manager, render(t.ATTACHMENT_ADDED, count=len(stored), limit=MAX_ATTACHMENTS))


async def attachment_removed(
    callback: CallbackQuery, widget: Any, manager: DialogManager, index: str
) -> None:
    stored = list(manager.dialog_data.get("attachments", []))
    position = int(index) - 1
    if 0 <= position < len(stored):  # a press of an older list may name one already removed
        del stored[position]
        manager.dialog_data["attachments"] = stored
        refuse(manager, render(t.ATTACHMENT_REMOVED, index=index))


async def attachment_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    refuse(manager, t.ATTACHMENT_EXPECTED)


async def edit_field(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data["editing"] = True
    field = (button.widget_id or "").removeprefix("edit_")
    if field == "caller_phone":
        await show_phone_step(manager)
    else:
        await manager.switch_to(getattr(WrittenComplaint, f"waiting_for_{field}"))


def editing(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """``when``: the step is open to fix one field from the review."""
    return bool(manager.dialog_data.get("editing"))


def opened_on_top_not_editing(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    return opened_on_top(data, widget, manager) and not editing(data, widget, manager)


async def went_back(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The previous step; the review, unchanged, when a field is being fixed from it."""
    if manager.dialog_data.get("editing"):
        await manager.switch_to(WrittenComplaint.reviewing)
    elif manager.current_context().state == WrittenComplaint.waiting_for_attempts:
        await show_phone_step(manager)
    else:
        await manager.back()


async def submit(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    appeals: AppealService = manager.middleware_data["appeals"]
    desk: DeskService = manager.middleware_data["desk"]
    data = manager.dialog_data
    attachments = [
        Attachment(item["kind"], item["file_id"], item["file_unique_id"], item.get("file_name"))
        for item in data.get("attachments", [])
    ]
    assert callback.message is not None
    appeal = await appeals.file(
        callback.from_user.id,
        callback.message.chat.id,
        AppealType.COMPLAINT,
        {name: data[name] for name in TEXT_FIELDS},
        attachments,
        filed_by=handled_update(manager),
    )
    # The whole stack: opened from the appeal types, the complaint does not go back to them.
    await confirm_then_close(
        callback.message.answer(appeal_filed(appeal, off_hours(desk)), reply_markup=main_menu()),
        manager.reset_stack,
    )


async def attachments_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    stored = dialog_manager.dialog_data.get("attachments", [])
    items = [
        render(t.ATTACHMENT_PHOTO, index=index)
        if item["kind"] == "photo"
        else render(t.ATTACHMENT_DOCUMENT, index=index, name=item.get("file_name") or "без имени")
        for index, item in enumerate(stored, start=1)
    ]
    return {
        "limit": MAX_ATTACHMENTS,
        "count": len(stored),
        "has_attachments": bool(stored),
        "items": join_lines(items),
        "numbers": [str(index) for index in range(1, len(stored) + 1)],
    }


def current_value_getter(field: str) -> Any:
    async def getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
        data = dialog_manager.dialog_data
        if not data.get("editing"):
            return {"current": None}
        return {"current": field_value(field, data.get(field))}

    return getter


async def review_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    dialog_manager.dialog_data["editing"] = False
    lines = [
        render(
            t.SUMMARY_LINE,
            name=common_texts.FIELD_NAMES[name],
            value=field_value(name, data.get(name)),
        )
        for name in TEXT_FIELDS
    ]
    count = len(data.get("attachments", []))
    lines.append(
        render(
            t.SUMMARY_LINE,
            name=common_texts.FIELD_NAMES["attachments"],
            value=render(t.ATTACHMENTS_COUNT, count=count) if count else t.NO_ATTACHMENTS,
        )
    )
    return {"fields": join_lines(lines)}


def _edit_button(field: str) -> Button:
    return Button(
        Const(render(t.BUTTON_EDIT, name=common_texts.FIELD_NAMES[field])),
        id=f"edit_{field}",
        on_click=edit_field,
    )


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    def now() -> Any:
        return clock.now().astimezone(settings.zone)

    def text_step(
        field: str,
        state: Any,
        parse: Any,
        problems: Any = validation.GENERIC,
        *extra: Any,
        back: Any = True,
        texts: tuple[Any, ...] = (),
        inputs: tuple[Any, ...] = (),
        getter: Any = None,
    ) -> Window:
        return Window(
            Refusal(),
            Const(t.PROMPTS[field]),
            *texts,
            Catalog(common_texts.EDITING_CURRENT, when="current"),
            *inputs,
            TextInput(
                id=field,
                type_factory=parse,
                on_success=answered,
                on_error=explain_refusal(problems),
            ),
            text_expected(),
            *extra,
            navigation(back=back, on_back=went_back),
            state=state,
            getter=getter or current_value_getter(field),
        )

    return Dialog(
        text_step(
            "topic",
            WrittenComplaint.waiting_for_topic,
            lambda text: clean_text(text, max_length=200, min_length=3),
            validation.GENERIC,
            # From «Новое обращение» (on top of the types): «Назад» goes back to them.
            Cancel(Const(common_texts.BUTTON_BACK), id="to_types", when=opened_on_top_not_editing),
            back=editing,
        ),
        text_step(
            "caller_phone",
            WrittenComplaint.waiting_for_caller_phone,
            lambda text: parse_phone(text, region=settings.default_region, mobile_only=False),
            validation.CALLER_PHONE,
            Button(
                Format(t.BUTTON_PROFILE_PHONE),
                id="profile_phone",
                on_click=profile_phone_chosen,
                when="phone",
            ),
            texts=(Catalog(t.PROMPTS["caller_phone_profile"], when="phone"),),
            inputs=(MessageInput(contact_shared, content_types=[ContentType.CONTACT]),),
            getter=phone_getter,
        ),
        text_step(
            "attempts",
            WrittenComplaint.waiting_for_attempts,
            lambda text: [moment.iso() for moment in parse_moments(text, now=now())],
            validation.MOMENTS_SEVERAL,
        ),
        text_step(
            "errors",
            WrittenComplaint.waiting_for_errors,
            lambda text: clean_text(text, max_length=1000),
            validation.GENERIC,
            Button(Const(t.BUTTON_NO_ANSWER), id="no_answer", on_click=nobody_answered),
        ),
        text_step(
            "desired_result",
            WrittenComplaint.waiting_for_desired_result,
            lambda text: clean_text(text, max_length=1000),
        ),
        Window(
            Refusal(),
            Catalog(t.PROMPTS["attachments"], when=~F["has_attachments"]),
            Catalog(t.ATTACHMENTS_LIST, when=F["has_attachments"]),
            MessageInput(
                attachment_received, content_types=[ContentType.PHOTO, ContentType.DOCUMENT]
            ),
            MessageInput(attachment_expected, content_types=ContentType.ANY),
            Group(
                Select(
                    Format(t.BUTTON_REMOVE),
                    id="remove",
                    item_id_getter=str,
                    items="numbers",
                    on_click=attachment_removed,
                ),
                width=5,
            ),
            Next(Const(t.BUTTON_DONE), when=F["has_attachments"]),
            Next(Const(common_texts.BUTTON_SKIP), when=~F["has_attachments"]),
            navigation(on_back=went_back),
            state=WrittenComplaint.waiting_for_attachments,
            getter=attachments_getter,
        ),
        Window(
            Refusal(),
            Catalog(t.SUMMARY),
            Button(Const(common_texts.BUTTON_CONFIRM), id="submit", on_click=submit),
            Group(
                *(_edit_button(field) for field in (*TEXT_FIELDS, "attachments")),
                width=2,
            ),
            MessageInput(_review_expected, content_types=ContentType.ANY),
            navigation(back=False),
            state=WrittenComplaint.reviewing,
            getter=review_getter,
        ),
    )


async def _review_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    refuse(manager, t.REVIEW_EXPECTED)

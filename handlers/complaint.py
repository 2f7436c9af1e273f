"""The written complaint: five questions, attachments, a review with per-field edits, a number."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Chat, ContentType, Message, ReplyKeyboardRemove
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Next
from aiogram_dialog.widgets.text import Const

from bot.callback_data import ConsentNext
from bot.domain.clock import Clock
from bot.domain.models import AppealType, Attachment
from bot.domain.validators import clean_text, format_phone, parse_moments, parse_phone
from bot.handlers.replies import clear_fsm, consent_asked
from bot.handlers.widgets import (
    Catalog,
    Form,
    Refusal,
    choices,
    contact_input,
    editing,
    expects,
    file_appeal,
    navigation,
    opened_on_top,
    profile_phone,
    profile_phone_button,
    refuse,
    submit_button,
)
from bot.keyboards.complaint import share_contact
from bot.rendering.citizen import field_lines
from bot.settings import Settings
from bot.states.complaint import WrittenComplaint
from bot.texts import common as common_texts
from bot.texts import complaint as t
from bot.texts import join_lines, render, validation

MAX_ATTACHMENTS = 10
TEXT_FIELDS = ("topic", "caller_phone", "attempts", "errors", "desired_result")
STATES = {
    field: getattr(WrittenComplaint, f"waiting_for_{field}")
    for field in (*TEXT_FIELDS, "attachments")
}


async def start_complaint(message: Message, manager: DialogManager) -> None:
    if await consent_asked(manager, ConsentNext.COMPLAINT):
        return
    await clear_fsm(manager)
    await manager.start(WrittenComplaint.waiting_for_topic, mode=StartMode.RESET_STACK)


async def _chat_message(manager: DialogManager, text: str, markup: Any) -> None:
    bot: Bot = manager.middleware_data["bot"]
    chat: Chat = manager.middleware_data["event_chat"]
    await bot.send_message(chat.id, text, reply_markup=markup)


class _Form(Form):
    async def open(self, manager: DialogManager, state: State) -> None:
        """A step; the phone's followed by the keyboard that shares the Telegram account's
        number (a message with inline buttons cannot carry a contact button, so the
        keyboard comes in a message of its own, after the question)."""
        await manager.switch_to(state)
        if state == WrittenComplaint.waiting_for_caller_phone:
            await manager.show()
            await _chat_message(manager, t.CONTACT_HINT, share_contact())
            manager.show_mode = ShowMode.NO_UPDATE


FORM = _Form(STATES, t.PROMPTS, WrittenComplaint.reviewing)


async def phone_chosen(
    event: Message | CallbackQuery, widget: Any, manager: DialogManager, phone: str
) -> None:
    """Typed, pressed (the verified phone) or shared: kept; says which number was taken,
    and takes the contact keyboard away."""
    manager.dialog_data["caller_phone"] = phone
    await _chat_message(
        manager, render(t.PHONE_TAKEN, phone=format_phone(phone)), ReplyKeyboardRemove()
    )
    await FORM.next_step(manager, "caller_phone")


async def nobody_answered(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await FORM.keep(manager, "errors", t.NO_ANSWER)


async def attachment_received(message: Message, widget: Any, manager: DialogManager) -> None:
    stored = list(manager.dialog_data.get("attachments", []))
    if len(stored) >= MAX_ATTACHMENTS:
        refuse(manager, render(t.ATTACHMENT_LIMIT, limit=MAX_ATTACHMENTS))
        return
    if message.photo:
        photo = message.photo[-1]
        attachment = Attachment("photo", photo.file_id, photo.file_unique_id)
    else:
        document = message.document
        assert document is not None
        attachment = Attachment(
            "document", document.file_id, document.file_unique_id, document.file_name
        )
    stored.append(asdict(attachment))
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


async def submit(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    attachments = [Attachment(**item) for item in data.get("attachments", [])]
    fields = {name: data[name] for name in TEXT_FIELDS}
    await file_appeal(callback, manager, AppealType.COMPLAINT, fields, attachments)


async def edit_field(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await FORM.edit(callback, button, manager, (button.widget_id or "").removeprefix("edit_"))


def opened_on_top_not_editing(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    return opened_on_top(data, widget, manager) and not editing(data, widget, manager)


async def attachments_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    stored = dialog_manager.dialog_data.get("attachments", [])
    items = [
        render(t.ATTACHMENT_PHOTO, index=index)
        if item["kind"] == "photo"
        else render(t.ATTACHMENT_DOCUMENT, index=index, name=item.get("file_name") or t.NO_NAME)
        for index, item in enumerate(stored, start=1)
    ]
    return {
        "limit": MAX_ATTACHMENTS,
        "count": len(stored),
        "has_attachments": bool(stored),
        "items": join_lines(items),
        "numbers": [(str(index), index) for index in range(1, len(stored) + 1)],
    }


async def review_getter(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    count = len(data.get("attachments", []))
    attached = render(t.ATTACHMENTS_COUNT, count=count) if count else t.NO_ATTACHMENTS
    fields = {**{name: data.get(name) for name in TEXT_FIELDS}, "attachments": attached}
    return {"fields": join_lines(field_lines(fields, t.SUMMARY_LINE))}


def _edit_button(field: str) -> Button:
    return Button(
        Const(render(t.BUTTON_EDIT, name=common_texts.FIELD_NAMES[field])),
        id=f"edit_{field}",
        on_click=edit_field,
    )


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    def now() -> Any:
        return clock.now().astimezone(settings.zone)

    def caller_phone(text: str) -> str:
        return parse_phone(text, region=settings.default_region, mobile_only=False)

    return Dialog(
        FORM.question(
            "topic",
            parse=lambda text: clean_text(text, max_length=200, min_length=3),
            # From «Новое обращение» (on top of the types): «Назад» goes back to them.
            buttons=[
                Cancel(
                    Const(common_texts.BUTTON_BACK), id="to_types", when=opened_on_top_not_editing
                )
            ],
            back=editing,
        ),
        FORM.question(
            "caller_phone",
            Catalog(t.PROMPTS["caller_phone_profile"], when="phone"),
            parse=caller_phone,
            problems=validation.CALLER_PHONE,
            inputs=[contact_input(caller_phone, phone_chosen, validation.CALLER_PHONE)],
            buttons=[
                profile_phone_button(
                    t.BUTTON_PROFILE_PHONE, phone_chosen, validation.CALLER_PHONE["empty"]
                )
            ],
            on_success=phone_chosen,
            getter=[profile_phone],
        ),
        FORM.question(
            "attempts",
            parse=lambda text: [moment.iso() for moment in parse_moments(text, now=now())],
            problems=validation.MOMENTS_SEVERAL,
        ),
        FORM.question(
            "errors",
            parse=lambda text: clean_text(text, max_length=1000),
            buttons=[Button(Const(t.BUTTON_NO_ANSWER), id="no_answer", on_click=nobody_answered)],
        ),
        FORM.question("desired_result", parse=lambda text: clean_text(text, max_length=1000)),
        Window(
            Refusal(),
            Catalog(t.PROMPTS["attachments"], when=~F["has_attachments"]),
            Catalog(t.ATTACHMENTS_LIST, when=F["has_attachments"]),
            MessageInput(
                attachment_received, content_types=[ContentType.PHOTO, ContentType.DOCUMENT]
            ),
            expects(t.ATTACHMENT_EXPECTED),
            choices("remove", "numbers", attachment_removed, label=t.BUTTON_REMOVE, width=5),
            Next(Const(t.BUTTON_DONE), when=F["has_attachments"]),
            Next(Const(common_texts.BUTTON_SKIP), when=~F["has_attachments"]),
            navigation(on_back=FORM.went_back),
            state=WrittenComplaint.waiting_for_attachments,
            getter=attachments_getter,
        ),
        Window(
            Refusal(),
            Catalog(t.SUMMARY),
            submit_button(submit),
            Group(*(_edit_button(field) for field in STATES), width=2),
            expects(t.REVIEW_EXPECTED),
            navigation(back=False),
            state=WrittenComplaint.reviewing,
            getter=[FORM.reviewed, review_getter],
        ),
    )

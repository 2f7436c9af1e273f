"""The written complaint: six steps, a review with per-field edits, a number."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import Complaint, ComplaintAction, ConsentNext, Menu, MenuItem, Nav, NavAction
from bot.keyboards import complaint as keyboards
from bot.keyboards.common import main_menu
from bot.services.appeals import AppealService
from bot.services.clock import Clock
from bot.services.consent import ConsentService
from bot.services.desk import DeskService
from bot.services.validators import clean_text, parse_moments, parse_phone
from bot.settings import Settings
from bot.texts import common as common_texts
from bot.texts import complaint as t
from bot.texts import join_lines, render, validation
from bot.views import appeal_filed, field_value
from handlers.forms import Form, Step, answered_step, ask, reask, step_context
from handlers.replies import answer_long, citizen_router, consent_asked, off_hours, origin
from states.complaint import WrittenComplaint
from storage.models import AppealType, Attachment

MAX_ATTACHMENTS = 10
TEXT_FIELDS = ("topic", "caller_phone", "attempts", "errors", "desired_result")


def _no_answer_button(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=t.BUTTON_NO_ANSWER, callback_data=Complaint(action=ComplaintAction.NO_ANSWER))


FORM = Form(
    [
        Step("topic", WrittenComplaint.waiting_for_topic, t.PROMPTS["topic"],
             lambda text, _: clean_text(text, max_length=200, min_length=3)),
        Step("caller_phone", WrittenComplaint.waiting_for_caller_phone, t.PROMPTS["caller_phone"],
             lambda text, ctx: parse_phone(text, region=ctx.region, mobile_only=False),
             validation.CALLER_PHONE),
        Step("attempts", WrittenComplaint.waiting_for_attempts, t.PROMPTS["attempts"],
             lambda text, ctx: [moment.iso() for moment in parse_moments(text, now=ctx.now)],
             validation.MOMENTS),
        Step("errors", WrittenComplaint.waiting_for_errors, t.PROMPTS["errors"],
             lambda text, _: clean_text(text, max_length=1000), buttons=_no_answer_button),
        Step("desired_result", WrittenComplaint.waiting_for_desired_result,
             t.PROMPTS["desired_result"], lambda text, _: clean_text(text, max_length=1000)),
    ],
    back_from_first=False,
)


async def start_complaint(message: Message, state: FSMContext, consent: ConsentService) -> None:
    if await consent_asked(message, state, consent, ConsentNext.COMPLAINT):
        return
    await state.clear()
    await ask(message, state, FORM, FORM.first)


async def complaint_button(callback: CallbackQuery, state: FSMContext,
                           consent: ConsentService) -> None:
    await start_complaint(origin(callback), state, consent)


async def ask_attachments(message: Message, state: FSMContext) -> None:
    await state.set_state(WrittenComplaint.waiting_for_attachments)
    count = len((await state.get_data()).get("attachments", []))
    await message.answer(
        render(t.PROMPTS["attachments"], limit=MAX_ATTACHMENTS),
        reply_markup=keyboards.attachments(count),
    )


async def show_review(message: Message, state: FSMContext) -> None:
    await state.set_state(WrittenComplaint.reviewing)
    await state.update_data(editing=False)
    data = await state.get_data()
    lines = [
        render(t.SUMMARY_LINE, name=common_texts.FIELD_NAMES[name],
               value=field_value(name, data.get(name)))
        for name in TEXT_FIELDS
    ]
    count = len(data.get("attachments", []))
    lines.append(render(
        t.SUMMARY_LINE,
        name=common_texts.FIELD_NAMES["attachments"],
        value=render(t.ATTACHMENTS_COUNT, count=count) if count else t.NO_ATTACHMENTS,
    ))
    await answer_long(
        message,
        render(t.SUMMARY, fields=join_lines(lines)),
        reply_markup=keyboards.review([*TEXT_FIELDS, "attachments"]),
    )


async def after_answer(message: Message, state: FSMContext, step: Step) -> None:
    """Next question, or back to the review when a single field was being edited."""
    if (await state.get_data()).get("editing"):
        await show_review(message, state)
        return
    following = FORM.after(step)
    if following is None:
        await ask_attachments(message, state)
    else:
        await ask(message, state, FORM, following)


async def text_answer(message: Message, state: FSMContext, settings: Settings,
                      clock: Clock) -> None:
    step = await answered_step(message, state, FORM, step_context(settings, clock))
    if step is not None:
        await after_answer(message, state, step)


async def text_expected(message: Message, state: FSMContext) -> None:
    await reask(message, state, FORM)


async def nobody_answered(callback: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(errors=t.NO_ANSWER)
    step = FORM.step_for(WrittenComplaint.waiting_for_errors.state)
    assert step is not None
    await after_answer(origin(callback), state, step)


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        largest = message.photo[-1]
        return Attachment("photo", largest.file_id, largest.file_unique_id)
    if message.document:
        document = message.document
        return Attachment("document", document.file_id, document.file_unique_id,
                          document.file_name)
    return None


async def attachment_received(message: Message, state: FSMContext) -> None:
    attachment = _attachment(message)
    assert attachment is not None
    stored = list((await state.get_data()).get("attachments", []))
    if len(stored) >= MAX_ATTACHMENTS:
        await message.answer(render(t.ATTACHMENT_LIMIT, limit=MAX_ATTACHMENTS),
                             reply_markup=keyboards.attachments(len(stored)))
        return
    stored.append({"kind": attachment.kind, "file_id": attachment.file_id,
                   "file_unique_id": attachment.file_unique_id,
                   "file_name": attachment.file_name})
    await state.update_data(attachments=stored)
    await message.answer(
        render(t.ATTACHMENT_ADDED, count=len(stored), limit=MAX_ATTACHMENTS),
        reply_markup=keyboards.attachments(len(stored)),
    )


async def attachment_expected(message: Message, state: FSMContext) -> None:
    count = len((await state.get_data()).get("attachments", []))
    await message.answer(t.ATTACHMENT_EXPECTED, reply_markup=keyboards.attachments(count))


async def attachments_done(callback: CallbackQuery, state: FSMContext) -> None:
    await show_review(origin(callback), state)


async def edit_field(
    callback: CallbackQuery, callback_data: Complaint, state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    message = origin(callback)
    if callback_data.field == "attachments":
        await state.update_data(editing=True, attachments=[])
        await ask_attachments(message, state)
        return
    step = next((step for step in FORM.steps if step.field == callback_data.field), None)
    if step is None:
        callback_answer.text = common_texts.STALE_BUTTON
        return
    await state.update_data(editing=True)
    await ask(message, state, FORM, step)


async def submit(callback: CallbackQuery, state: FSMContext, appeals: AppealService,
                 desk: DeskService) -> None:
    data = await state.get_data()
    attachments = [
        Attachment(item["kind"], item["file_id"], item["file_unique_id"], item.get("file_name"))
        for item in data.get("attachments", [])
    ]
    fields = {name: data[name] for name in TEXT_FIELDS}
    message = origin(callback)
    appeal = await appeals.file(
        callback.from_user.id, message.chat.id, AppealType.COMPLAINT, fields, attachments
    )
    await state.clear()
    await message.answer(appeal_filed(appeal, off_hours(desk)), reply_markup=main_menu())


async def review_expected(message: Message) -> None:
    await message.answer(t.REVIEW_EXPECTED, reply_markup=keyboards.review([*TEXT_FIELDS,
                                                                           "attachments"]))


async def back(callback: CallbackQuery, state: FSMContext) -> None:
    current = await state.get_state()
    message = origin(callback)
    if current == WrittenComplaint.reviewing.state:
        await ask_attachments(message, state)
        return
    if current == WrittenComplaint.waiting_for_attachments.state:
        await ask(message, state, FORM, FORM.steps[-1])
        return
    step = FORM.step_for(current)
    previous = FORM.before(step) if step is not None else None
    await ask(message, state, FORM, previous or FORM.first)


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(complaint_button, Menu.filter(F.item == MenuItem.COMPLAINT))
    router.message.register(text_answer, StateFilter(*FORM.states), F.text)
    router.message.register(text_expected, StateFilter(*FORM.states))
    router.callback_query.register(
        nobody_answered,
        WrittenComplaint.waiting_for_errors,
        Complaint.filter(F.action == ComplaintAction.NO_ANSWER),
    )
    router.message.register(
        attachment_received,
        WrittenComplaint.waiting_for_attachments,
        F.photo | F.document,
    )
    router.message.register(attachment_expected, WrittenComplaint.waiting_for_attachments)
    router.callback_query.register(
        attachments_done,
        WrittenComplaint.waiting_for_attachments,
        or_f(
            Complaint.filter(F.action == ComplaintAction.DONE),
            Nav.filter(F.action == NavAction.SKIP),
        ),
    )
    router.callback_query.register(
        edit_field,
        WrittenComplaint.reviewing,
        Complaint.filter(F.action == ComplaintAction.EDIT),
    )
    router.callback_query.register(
        submit,
        WrittenComplaint.reviewing,
        Nav.filter(F.action == NavAction.CONFIRM),
    )
    router.message.register(review_expected, WrittenComplaint.reviewing)
    router.callback_query.register(
        back,
        StateFilter(WrittenComplaint),
        Nav.filter(F.action == NavAction.BACK),
    )
    return router

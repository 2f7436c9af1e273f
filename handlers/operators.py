"""The operators' chat: card buttons, answers relayed to citizens, desk commands.

Two routers: ``desk`` serves operators (members of the operators' chat or
OPERATOR_IDS); ``refusals`` answers everyone else who presses a card's button
or sends an operator command, and nothing changes. Operator commands sent in a
private chat are refused too: they work in the operators' chat only.
"""

from __future__ import annotations

from functools import partial
from typing import TypeGuard

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, Filter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import Desk, DeskAction, TemplateAction, TemplatePick
from bot.domain.models import Actor, Appeal, AppealEvent, AppealType, EventKind
from bot.domain.validators import Invalid, clean_text, parse_appeal_number
from bot.filters import InOperatorsChat, IsOperator, PrivateChat
from bot.handlers.replies import (
    ALERT_LIMIT,
    Handler,
    alert,
    alert_press,
    answer_long,
    content_of,
    operator,
    origin,
    ref,
)
from bot.keyboards import operators as keyboards
from bot.rendering import operators as rendering
from bot.rendering.chart_png import stats_chart_png
from bot.services.assignment import AssignmentService
from bot.services.call_booking import CallBookingService
from bot.services.dashboard import CHART_DAYS, DashboardService
from bot.services.deadlines import DeadlineService
from bot.services.desk import ActionOutcome, DeskService, MoveOutcome
from bot.settings import Settings
from bot.states.operators import OperatorClosing
from bot.texts import common as common_texts
from bot.texts import dashboard as dashboard_texts
from bot.texts import operators as t
from bot.texts import plain, render

# /stats's chart: a PNG photo (dates and numbers only; the legend is the caption).
STATS_CHART_FILE = "stats-14-days.png"
NOTE_PREFIX = "//"  # a message for colleagues, not for the citizen
CARD_ACTIONS = frozenset(
    {DeskAction.TAKE, DeskAction.CLOSE, DeskAction.REVEAL, DeskAction.TEMPLATES}
)
TEMPLATE_TITLE_LIMIT = 60
TEMPLATE_TEXT_LIMIT = 3000
RESOLUTION_LIMIT = 1000

TAKE_ANSWERS = {
    ActionOutcome.DONE: t.TAKEN,
    ActionOutcome.ALREADY_TAKEN: t.ALREADY_TAKEN,
    ActionOutcome.CLOSED: t.ALREADY_CLOSED,
    ActionOutcome.NOT_NEW: t.NOT_NEW,
}
ASSIGN_REPLIES = {
    ActionOutcome.DONE: t.ASSIGNED,
    ActionOutcome.UNCHANGED: t.ASSIGN_SAME,
    ActionOutcome.CLOSED: t.ALREADY_CLOSED,
    ActionOutcome.NOT_FOUND: t.ALREADY_CLOSED,
    ActionOutcome.NOT_NEW: t.ASSIGN_BUSY,  # changed by others at the same moment, every retry
}
MOVE_REPLIES = {
    MoveOutcome.MOVED: t.MOVED,
    MoveOutcome.UNKNOWN_DESK: t.MOVE_UNKNOWN,
    MoveOutcome.SAME_DESK: t.MOVE_SAME,
    MoveOutcome.CLOSED: t.MOVE_CLOSED,
    MoveOutcome.NOT_FOUND: t.MOVE_CLOSED,
    MoveOutcome.BUSY: t.MOVE_BUSY,
}


# --- finding the appeal a message is about -------------------------------------------


async def appeal_of(
    message: Message, desk: DeskService
) -> tuple[Appeal, AppealEvent | None] | None:
    thread_id = message.message_thread_id if message.is_topic_message else None
    reply = message.reply_to_message
    found = await desk.appeal_in_thread(
        message.chat.id, thread_id, reply.message_id if reply else None
    )
    if found is not None or not sent_by_this_bot(reply):
        return found
    # A card the bot did not record (posted again after a crash): its buttons name the appeal.
    number = card_number(reply)
    appeal = await desk.find(number) if number is not None else None
    return None if appeal is None else (appeal, None)


def sent_by_this_bot(message: Message | None) -> TypeGuard[Message]:
    return (
        message is not None
        and message.from_user is not None
        and message.bot is not None
        and message.from_user.id == message.bot.id
    )


def card_number(message: Message) -> str | None:
    """The number of the appeal a card shows, read from its buttons."""
    markup = message.reply_markup
    buttons = [button for row in markup.inline_keyboard for button in row] if markup else []
    for button in buttons:
        if button.callback_data is None:
            continue
        try:
            data = Desk.unpack(button.callback_data)
        except ValueError:  # another button: a call's, a template's
            continue
        if data.action in CARD_ACTIONS:
            return data.number
    return None


async def appeal_named(
    message: Message, typed: str | None, desk: DeskService, usage: str
) -> Appeal | None:
    """The appeal whose number an operator typed, else the one of the thread; or None, the
    refusal replied (``usage`` when neither)."""
    if typed:
        try:
            number = parse_appeal_number(typed)
        except Invalid:
            await message.reply(t.NUMBER_INVALID)
            return None
        appeal = await desk.find(number)
        refusal = render(t.APPEAL_NOT_FOUND, number=number)
    else:
        found = await appeal_of(message, desk)
        appeal = None if found is None else found[0]
        refusal = usage
    if appeal is None:
        await message.reply(refusal)
    return appeal


def sender(message: Message) -> Actor:
    """The operator who sent a message (the desk's messages all have a sender)."""
    assert message.from_user is not None
    return operator(message.from_user)


def thread_usage(command: CommandObject) -> str:
    return render(t.THREAD_COMMAND_USAGE, command=f"/{command.command}")


async def text_asked_for(
    message: Message, limit: int, prompt: str, expected: str, markup: InlineKeyboardMarkup
) -> str | None:
    """The text an operator was asked for; or None, asked again with ``prompt`` (after
    ``expected`` if the message is not text at all) when empty or too long."""
    try:
        return clean_text(message.text, max_length=limit)
    except Invalid:
        if message.text is None:
            prompt = expected + " " + prompt
        await message.reply(prompt, reply_markup=markup)
        return None


# --- card buttons -------------------------------------------------------------------


async def take(
    callback: CallbackQuery, callback_data: Desk, callback_answer: CallbackAnswer, desk: DeskService
) -> None:
    result = await desk.take(callback_data.number, operator(callback.from_user))
    appeal = result.appeal
    if appeal is None:
        alert_press(callback_answer, t.APPEAL_GONE)
        return
    callback_answer.text = alert(
        plain(
            TAKE_ANSWERS[result.outcome],
            name=appeal.assignee_name,
            number=appeal.number,
            status=common_texts.STATUS_NAMES[appeal.status],
        )
    )
    if result.outcome != ActionOutcome.DONE:
        callback_answer.show_alert = True


async def ask_resolution(
    callback: CallbackQuery,
    callback_data: Desk,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    desk: DeskService,
) -> None:
    number = callback_data.number
    appeal = await desk.find(number)
    if appeal is None or not appeal.is_open:
        alert_press(
            callback_answer,
            t.APPEAL_GONE if appeal is None else plain(t.ALREADY_CLOSED, number=number),
        )
        return
    await state.set_state(OperatorClosing.waiting_for_resolution)
    await state.set_data({"number": number})
    await origin(callback).reply(
        render(t.ASK_RESOLUTION, number=number), reply_markup=keyboards.close_prompt(number)
    )


async def close_appeal(
    chat: Message,
    number: str,
    by: Actor,
    resolution: str | None,
    desk: DeskService,
    *,
    not_found: str = t.APPEAL_GONE,
) -> None:
    """Closes the appeal and says so in ``chat``'s chat (or its topic); or why not."""
    result = await desk.close(number, by, resolution)
    replies = {ActionOutcome.DONE: t.CLOSED, ActionOutcome.NOT_FOUND: not_found}
    reply = replies.get(result.outcome, t.ALREADY_CLOSED)
    await chat.answer(render(reply, number=number, name=by.name))


async def for_closing_appeal(message: Message, state: FSMContext, desk: DeskService) -> bool:
    """Whether a message can be the awaited resolution.

    Not if it answers another appeal (a reply to its card or its message,
    or written in its topic): that is relayed to its own citizen, and the
    closing stays pending. Otherwise one citizen would get, as the
    resolution of their appeal, an answer meant for somebody else.
    """
    found = await appeal_of(message, desk)
    return found is None or found[0].number == (await state.get_data()).get("number")


async def resolution_typed(message: Message, state: FSMContext, desk: DeskService) -> None:
    """The awaited resolution; asked again if empty or too long, or not text at all."""
    number = (await state.get_data())["number"]
    resolution = await text_asked_for(
        message,
        RESOLUTION_LIMIT,
        render(t.ASK_RESOLUTION, number=number),
        t.RESOLUTION_EXPECTED,
        keyboards.close_prompt(number),
    )
    if resolution is None:
        return
    await state.clear()
    await close_appeal(message, number, sender(message), resolution, desk)


async def close_without_resolution(
    callback: CallbackQuery, callback_data: Desk, state: FSMContext, desk: DeskService
) -> None:
    await state.clear()
    prompt = origin(callback)
    await prompt.edit_reply_markup(reply_markup=None)
    # The prompt was made for an existing appeal: one not found is reported as closed.
    await close_appeal(
        prompt,
        callback_data.number,
        operator(callback.from_user),
        None,
        desk,
        not_found=t.ALREADY_CLOSED,
    )


async def keep_open(callback: CallbackQuery, callback_data: Desk, state: FSMContext) -> None:
    await state.clear()
    await origin(callback).edit_text(render(t.CLOSE_KEPT, number=callback_data.number))


async def reveal(
    callback: CallbackQuery,
    callback_data: Desk,
    callback_answer: CallbackAnswer,
    bot: Bot,
    desk: DeskService,
) -> None:
    callback_answer.show_alert = True
    appeal = await desk.reveal(callback_data.number, operator(callback.from_user))
    if appeal is None:
        callback_answer.text = t.APPEAL_GONE
        return
    events = await desk.events(appeal)
    if not rendering.has_hidden_data(appeal, events):
        callback_answer.text = t.NO_HIDDEN_DATA
        return
    text = rendering.reveal_text(appeal, events)
    if len(text) > ALERT_LIMIT:
        # Too long for an alert: only the operator's private chat keeps it to them.
        try:
            await bot.send_message(callback.from_user.id, render("{text}", text=text))
            text = t.REVEAL_TOO_LONG
        except TelegramAPIError:
            text = t.REVEAL_START_BOT
    callback_answer.text = text


async def show_templates(
    callback: CallbackQuery,
    callback_data: Desk | TemplatePick,
    callback_answer: CallbackAnswer,
    desk: DeskService,
) -> None:
    """The templates to answer with: under the card (its button), or again instead of a
    template's preview («Назад»)."""
    templates = await desk.templates()
    if not templates:
        alert_press(callback_answer, t.TEMPLATES_EMPTY)
        return
    text = render(t.TEMPLATES_PICK, number=callback_data.number)
    markup = keyboards.template_picker(templates, callback_data.number)
    if isinstance(callback_data, Desk):
        await origin(callback).reply(text, reply_markup=markup)
    else:
        await origin(callback).edit_text(text, reply_markup=markup)


async def template_previewed(
    callback: CallbackQuery,
    callback_data: TemplatePick,
    callback_answer: CallbackAnswer,
    desk: DeskService,
) -> None:
    """A template picked: its text first, sent only with «Отправить»."""
    template = await desk.template(callback_data.template_id)
    if template is None:
        alert_press(callback_answer, t.TEMPLATE_GONE)
        return
    await origin(callback).edit_text(
        render(
            t.TEMPLATE_PREVIEW,
            title=template.title,
            number=callback_data.number,
            text=template.text,
        ),
        reply_markup=keyboards.template_send(template.id, callback_data.number),
    )


async def template_picked(
    callback: CallbackQuery,
    callback_data: TemplatePick,
    callback_answer: CallbackAnswer,
    desk: DeskService,
) -> None:
    number = callback_data.number
    actor = operator(callback.from_user)
    result, template = await desk.answer_with_template(
        number,
        callback_data.template_id,
        actor,
        again=callback_data.action == TemplateAction.SEND_AGAIN,
    )
    if result.outcome in (ActionOutcome.DONE, ActionOutcome.REPEATED):
        assert template is not None
        repeated = result.outcome == ActionOutcome.REPEATED
        await origin(callback).edit_text(
            render(
                t.TEMPLATE_REPEAT if repeated else t.TEMPLATE_SENT,
                title=template.title,
                number=number,
                name=actor.name,
            ),
            # Sent within TEMPLATE_REPEAT already: asked whether to send it again.
            reply_markup=(
                keyboards.template_send(template.id, number, again=True) if repeated else None
            ),
        )
        return
    callback_answer.show_alert = True
    if template is None:
        callback_answer.text = t.TEMPLATE_GONE
    elif result.outcome == ActionOutcome.CLOSED:
        callback_answer.text = plain(t.ANSWER_TO_CLOSED, number=number)
    else:
        callback_answer.text = t.APPEAL_GONE


# --- answers to citizens ------------------------------------------------------------


async def relay_answer(message: Message, desk: DeskService) -> None:
    """An operator's reply to a card or a relayed message, or a message in an appeal's topic."""
    found = await appeal_of(message, desk)
    content = content_of(message)
    if content is not None and content.plain.startswith(NOTE_PREFIX):
        return
    if found is None:
        if sent_by_this_bot(message.reply_to_message):
            # The operator meant to answer someone: never drop it in silence.
            await message.reply(t.REPLY_NOT_PLACED)
        return  # otherwise colleagues talking in the chat
    appeal, replied = found
    serving = desk.desk_of(appeal)
    if serving is not None and serving.chat_id != message.chat.id:
        # A reply to the card it left behind in the desk it was moved from.
        await message.reply(render(t.MOVED_ELSEWHERE, number=appeal.number, desk=serving.name))
        return
    if content is None:
        await message.reply(t.UNSUPPORTED_CONTENT)
        return
    citizen_message = None
    if replied is not None and replied.kind == EventKind.CITIZEN_MESSAGE and replied.origin:
        citizen_message = replied.origin.message_id
    result = await desk.answer(
        appeal,
        sender(message),
        content,
        ref(message),
        reply_to_citizen_message=citizen_message,
    )
    if result.outcome == ActionOutcome.CLOSED:
        await message.reply(render(t.ANSWER_TO_CLOSED, number=appeal.number))


async def answer_edited(message: Message, desk: DeskService) -> None:
    content = content_of(message)
    if content is None or message.from_user is None:
        return
    await desk.operator_edit(ref(message), content, operator(message.from_user))


# --- commands -------------------------------------------------------------------------


async def appeal_command(
    message: Message,
    command: CommandObject,
    desk: DeskService,
    deadlines: DeadlineService,
    settings: Settings,
) -> None:
    appeal = await appeal_named(message, command.args, desk, t.APPEAL_USAGE)
    if appeal is None:
        return
    shown = await message.reply(
        rendering.card_text(
            appeal,
            await desk.flags_of(appeal),
            settings.zone,
            forum=False,
            deadlines=await deadlines.of(appeal),
        ),
        reply_markup=keyboards.card(
            appeal, has_hidden_data=rendering.has_hidden_data(appeal, await desk.events(appeal))
        ),
    )
    await desk.card_shown(appeal, ref(shown), sender(message))


async def open_command(
    message: Message, desk: DeskService, call_bookings: CallBookingService
) -> None:
    appeals = await desk.open_appeals()
    here = desk.desks.by_chat(message.chat.id)
    if desk.desks.several and here is not None:
        # Several desks: each chat lists the appeals it serves.
        appeals = [appeal for appeal in appeals if desk.desk_of(appeal) == here]
    await answer_long(message, rendering.open_list(appeals, desk.now(), call_bookings.policy))


async def overdue_command(message: Message, deadlines: DeadlineService, settings: Settings) -> None:
    if not deadlines.enabled:
        await message.answer(t.OVERDUE_DISABLED)
        return
    await answer_long(message, rendering.overdue_list(await deadlines.overview(), settings.zone))


async def shift_command(message: Message, assignment: AssignmentService) -> None:
    """On shift or off it; who is on shift now, with their open appeals."""
    assert message.from_user is not None
    on = await assignment.toggle(operator(message.from_user), message.chat.id)
    on_shift = await assignment.on_shift()
    load = await assignment.load() if on_shift else {}
    await message.answer(
        rendering.shift_text(message.from_user.full_name, on, assignment.capacity, on_shift, load)
    )
    if on:
        await assignment.assign_waiting()


async def assign_command(
    message: Message, command: CommandObject, desk: DeskService, assignment: AssignmentService
) -> None:
    """``/assign @username [number]``: the appeal (named, or of this thread) goes to them."""
    words = (command.args or "").split()
    if not words or not words[0].startswith("@") or len(words) > 2:
        await message.reply(t.ASSIGN_USAGE)
        return
    target = await assignment.find_operator(words[0])
    if target is None:
        await message.reply(render(t.ASSIGN_UNKNOWN, username=words[0].lstrip("@")))
        return
    number = words[1] if len(words) == 2 else None
    appeal = await appeal_named(message, number, desk, t.ASSIGN_USAGE)
    if appeal is None:
        return
    by = sender(message)
    result = await desk.reassign(appeal, target, by)
    await message.reply(
        render(ASSIGN_REPLIES[result.outcome], number=appeal.number, name=target.name, by=by.name)
    )


async def move_command(message: Message, command: CommandObject, desk: DeskService) -> None:
    """``/move отдел`` on a card or in its topic: the appeal goes to another desk."""
    names = ", ".join(desk.desks.names)
    types = ", ".join(member.value for member in AppealType)
    if not desk.desks.several:
        await message.reply(t.MOVE_SINGLE_DESK)
        return
    words = (command.args or "").split()
    found = await appeal_of(message, desk)
    if len(words) != 1 or found is None:
        await message.reply(render(t.MOVE_USAGE, desks=names, types=types))
        return
    by = sender(message)
    result = await desk.move(found[0], words[0], by)
    await message.reply(
        render(
            MOVE_REPLIES[result.outcome],
            number=found[0].number,
            desk=words[0] if result.desk is None else result.desk.name,  # unknown: as typed
            name=by.name,
            desks=names,
            types=types,
        )
    )


async def stats_command(message: Message, desk: DeskService, dashboard: DashboardService) -> None:
    await message.answer(rendering.stats_text(await desk.stats()))
    await message.answer_photo(
        BufferedInputFile(
            stats_chart_png(await dashboard.daily(CHART_DAYS)), filename=STATS_CHART_FILE
        ),
        caption=render(dashboard_texts.CHART_FILE_CAPTION, days=CHART_DAYS),
    )


async def history_command(
    message: Message, command: CommandObject, desk: DeskService, settings: Settings
) -> None:
    appeal = await appeal_named(message, command.args, desk, thread_usage(command))
    if appeal is None:
        return
    await answer_long(
        message, rendering.history_text(appeal, await desk.events(appeal), settings.zone)
    )


async def templates_command(message: Message, desk: DeskService) -> None:
    templates = await desk.templates()
    found = await appeal_of(message, desk)
    if found is not None and templates and found[0].is_open:
        number = found[0].number
        await message.reply(
            render(t.TEMPLATES_PICK, number=number),
            reply_markup=keyboards.template_picker(templates, number),
        )
        return
    await answer_long(message, rendering.templates_list(templates))


async def template_add_command(message: Message, command: CommandObject, desk: DeskService) -> None:
    raw = command.args or ""
    title, separator, text = raw.partition("|")
    if not separator:
        title, _, text = raw.partition("\n")
    try:
        title = clean_text(title, max_length=TEMPLATE_TITLE_LIMIT)
        text = clean_text(text, max_length=TEMPLATE_TEXT_LIMIT)
    except Invalid:
        await message.reply(t.TEMPLATE_ADD_USAGE)
        return
    added = await desk.add_template(title, text, sender(message))
    await message.reply(render(t.TEMPLATE_ADDED if added else t.TEMPLATE_EXISTS, title=title))


async def template_del_command(message: Message, command: CommandObject, desk: DeskService) -> None:
    title = (command.args or "").strip()
    if not title:
        await message.reply(t.TEMPLATE_DEL_USAGE)
        return
    deleted = await desk.delete_template(title)
    await message.reply(
        render(t.TEMPLATE_DELETED if deleted else t.TEMPLATE_NOT_FOUND, title=title)
    )


async def set_ban(
    message: Message, command: CommandObject, desk: DeskService, *, banned: bool
) -> None:
    """/ban and /unban: the citizen of the appeal (named, or of the thread) may write or not."""
    appeal = await appeal_named(message, command.args, desk, thread_usage(command))
    if appeal is None:
        return
    result = await desk.set_ban(appeal, sender(message), banned)
    if result.outcome == ActionOutcome.UNCHANGED:
        await message.reply(t.ALREADY_BANNED if banned else t.NOT_BANNED)
    else:
        await message.reply(render(t.BANNED if banned else t.UNBANNED, number=appeal.number))


async def help_command(message: Message) -> None:
    await message.answer(render(t.HELP, forum=t.HELP_FORUM if message.chat.is_forum else ""))


async def cancel_command(message: Message, state: FSMContext) -> None:
    number = (await state.get_data()).get("number")
    await state.clear()
    await message.reply(
        t.NOTHING_TO_CANCEL if number is None else render(t.CLOSE_KEPT, number=number)
    )


# --- refusals ---------------------------------------------------------------------------


async def refuse_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    alert_press(callback_answer, t.NOT_OPERATOR)


async def refuse_command(message: Message) -> None:
    await message.reply(t.ANONYMOUS_ADMIN if message.sender_chat is not None else t.NOT_OPERATOR)


async def refuse_answer(message: Message, desk: DeskService) -> None:
    """Someone not an operator writes in an appeal's thread: it is not relayed, say so."""
    if await appeal_of(message, desk) is not None:
        await refuse_command(message)


async def refuse_in_private(message: Message) -> None:
    await message.answer(t.OPERATOR_COMMAND_ONLY)


# The commands of the operators' chat. /appeal, /help and /cancel are citizens' commands
# too: in private chats they are the citizens' own, not refused as the others.
COMMANDS: dict[str, Handler] = {
    "cancel": cancel_command,
    "help": help_command,
    "appeal": appeal_command,
    "open": open_command,
    "overdue": overdue_command,
    "shift": shift_command,
    "assign": assign_command,
    "move": move_command,
    "stats": stats_command,
    "history": history_command,
    "templates": templates_command,
    "template_add": template_add_command,
    "template_del": template_del_command,
    "ban": partial(set_ban, banned=True),
    "unban": partial(set_ban, banned=False),
}
CITIZENS_TOO = ("appeal", "help", "cancel")
# Refused in private chats (the staff gate in handlers/__init__.py lets only these through).
DESK_ONLY = tuple(name for name in COMMANDS if name not in CITIZENS_TOO)
# The buttons of a card, of its closing prompt and of its templates.
CARD_BUTTONS: dict[DeskAction, Handler] = {
    DeskAction.TAKE: take,
    DeskAction.CLOSE: ask_resolution,
    DeskAction.CLOSE_PLAIN: close_without_resolution,
    DeskAction.CLOSE_CANCEL: keep_open,
    DeskAction.REVEAL: reveal,
    DeskAction.TEMPLATES: show_templates,
}
TEMPLATE_BUTTONS: dict[TemplateAction, Handler] = {
    TemplateAction.PREVIEW: template_previewed,
    TemplateAction.BACK: show_templates,
    TemplateAction.SEND: template_picked,
    TemplateAction.SEND_AGAIN: template_picked,
}


def staff_routers(name: str, presses: Filter) -> tuple[Router, Router, Router]:
    """A staff module's router, with its ``desk`` (operators in the operators' chat; their
    presses anywhere) and ``refusals`` (everyone else; their presses refused) sub-routers.

    Messages come through the staff gate (handlers/__init__.py); of the presses it lets
    through, ``presses`` are the module's.
    """
    router = Router(name=name)
    router.callback_query.filter(presses)
    desk = Router(name=f"{name}.desk")
    desk.message.filter(InOperatorsChat(), IsOperator())
    # The module's buttons only: citizens' buttons must not cost a membership check.
    desk.callback_query.filter(presses, IsOperator())
    refusals = Router(name=f"{name}.refusals")
    refusals.callback_query.register(refuse_button, presses)
    router.include_routers(desk, refusals)
    return router, desk, refusals


def create_router() -> Router:
    """A card's and a template's presses are this desk's."""
    router, desk, refusals = staff_routers(__name__, or_f(Desk.filter(), TemplatePick.filter()))
    desk.edited_message.filter(InOperatorsChat(), IsOperator())
    not_command = ~F.text.startswith("/")
    for action, handler in CARD_BUTTONS.items():
        desk.callback_query.register(handler, Desk.filter(F.action == action))
    for template_action, handler in TEMPLATE_BUTTONS.items():
        desk.callback_query.register(handler, TemplatePick.filter(F.action == template_action))
    for name, handler in COMMANDS.items():
        desk.message.register(handler, Command(name))
    desk.message.register(
        resolution_typed, OperatorClosing.waiting_for_resolution, not_command, for_closing_appeal
    )
    desk.message.register(relay_answer, not_command)
    desk.edited_message.register(answer_edited)

    operators_only = [name for name in COMMANDS if name != "help"]
    refusals.message.register(refuse_command, InOperatorsChat(), Command(*operators_only))
    refusals.message.register(refuse_answer, InOperatorsChat(), not_command)
    refusals.message.register(refuse_in_private, PrivateChat(), Command(*DESK_ONLY))
    return router

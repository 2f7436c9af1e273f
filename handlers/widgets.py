"""Pieces every citizen dialogue is built from (aiogram_dialog windows).

A window's text comes from the catalog (:class:`Catalog`, values escaped);
a step that asks for a typed answer is a :func:`question`: a ``TextInput``
whose type factory is a domain validator, a refused answer explained by
:func:`explain_refusal`, after which aiogram_dialog shows the window (the
question) again. Input of the wrong kind (a sticker where text is expected,
text under buttons) is answered by :func:`expects`. The last row of every
step is [Назад] [Отмена] (:func:`navigation`). Also here: the pieces several
dialogues share (the phone's contact and verified-phone inputs, a list of
choices, filing the appeal a form collected).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from aiogram import F
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    ContentType,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.utils import add_intent_id
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Back, Button, Group, Keyboard, Row, Select
from aiogram_dialog.widgets.markup.inline_keyboard import InlineKeyboardFactory
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory
from aiogram_dialog.widgets.text import Const, Format, Text

from bot.domain.models import Appeal, AppealType, Attachment
from bot.domain.validators import Invalid, format_phone
from bot.handlers.replies import (
    confirm_then_close,
    off_hours,
    origin,
    problem_text,
    this_dialogue,
)
from bot.keyboards.common import main_menu
from bot.rendering.citizen import appeal_filed, field_value
from bot.services.appeals import AppealService
from bot.services.desk import DeskService
from bot.services.phone_change import PhoneChangeService
from bot.texts import common as common_texts
from bot.texts import explain, render, validation


class Catalog(Text):
    """A catalog template rendered with the getter's values, every value escaped for HTML."""

    def __init__(self, template: str, when: Any = None) -> None:
        super().__init__(when=when)
        self.template = template

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return render(self.template, **_template_values(self.template, data))


def _template_values(template: str, data: Mapping[str, Any]) -> dict[str, Any]:
    import string

    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return {name: data[name] for name in names}


REFUSAL = "refusal"


class Refusal(Text):
    """Why the last answer was refused, above the question asked again; shown once.

    A refused answer and the question again are one message: the reason
    first, then the window as it was, with its buttons.
    """

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        reason = manager.dialog_data.pop(REFUSAL, None)
        return "" if reason is None else f"{reason}\n"


def not_refused(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """``when``: no refusal waits to be shown (put the widget before :class:`Refusal`)."""
    return REFUSAL not in manager.dialog_data


def refuse(manager: DialogManager, reason: str) -> None:
    """Show ``reason`` (HTML) above the current window's question when it is shown next."""
    manager.dialog_data[REFUSAL] = reason


def explain_refusal(table: Mapping[str, str]) -> Callable[..., Any]:
    """``on_error`` of a ``TextInput``: say why the answer was refused and ask again."""

    async def on_error(
        message: Message, widget: Any, manager: DialogManager, error: ValueError
    ) -> None:
        if isinstance(error, Invalid):
            refuse(manager, problem_text(error, dict(table)))
        else:
            refuse(manager, explain("empty", {}, dict(table)))

    return on_error


def expects(reason: str) -> MessageInput:
    """Any message a window does not take (typed under buttons): ``reason``, then the window."""

    async def refused(message: Message, widget: Any, manager: DialogManager) -> None:
        refuse(manager, reason)

    return MessageInput(refused, content_types=ContentType.ANY)


async def keep_start_data(start_data: Any, manager: DialogManager) -> None:
    """``on_start``: what the dialogue was started with becomes its dialog data."""
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


def choices(
    widget_id: str, items: str, on_click: Any, *, label: str = "{item[1]}", width: int = 1
) -> Group:
    """A button for each of the getter's ``items``, (id, label) pairs, ``width`` a row;
    ``label`` formats the pair (``item``)."""
    return Group(
        Select(
            Format(label),
            id=widget_id,
            item_id_getter=itemgetter(0),
            items=items,
            on_click=on_click,
        ),
        width=width,
    )


def question(
    state: State,
    *texts: Any,
    field: str,
    parse: Callable[[str], Any],
    on_success: Any,
    problems: Mapping[str, str] = validation.GENERIC,
    on_error: Any = None,
    inputs: Sequence[MessageInput] = (),
    buttons: Sequence[Any] = (),
    otherwise: MessageInput | None = None,
    back: bool | Callable[..., bool] = True,
    on_back: OnClick | None = None,
    getter: Any = None,
) -> Window:
    """A step that asks for a typed answer.

    ``texts`` say what is asked (below the refusal of the last answer, if any);
    the answer goes through ``parse`` (a domain validator) to ``on_success``
    (``inputs``, such as a shared contact, are tried first); a refused one is
    explained by ``problems`` and asked again; anything but text is answered by
    ``otherwise`` (by default: text is expected). ``buttons`` stand above
    [Назад] [Отмена] (``back``, ``on_back``: see :func:`navigation`).
    """
    return Window(
        Refusal(),
        *texts,
        *inputs,
        TextInput(
            id=field,
            type_factory=parse,
            on_success=on_success,
            on_error=on_error or explain_refusal(problems),
        ),
        otherwise or expects(common_texts.TEXT_EXPECTED),
        *buttons,
        navigation(back=back, on_back=on_back),
        state=state,
        getter=getter,
    )


# (event, widget, manager, phone): the phone typed, shared or pressed, checked.
OnPhone = Callable[..., Awaitable[None]]


def contact_input(
    parse: Callable[[str], str],
    on_success: OnPhone,
    problems: Mapping[str, str],
    *,
    foreign: str | None = None,
) -> MessageInput:
    """A contact shared with Telegram's button, its number checked as if it were typed.

    ``foreign``: the refusal for somebody else's contact, where only one's own is taken.
    """

    async def shared(message: Message, widget: Any, manager: DialogManager) -> None:
        contact = message.contact
        assert contact is not None and message.from_user is not None
        if foreign is not None and contact.user_id != message.from_user.id:
            refuse(manager, foreign)
            return
        try:
            phone = parse(contact.phone_number)
        except Invalid as error:
            refuse(manager, problem_text(error, dict(problems)))
            return
        await on_success(message, widget, manager, phone)

    return MessageInput(shared, content_types=ContentType.CONTACT)


async def profile_phone(
    phone_change: PhoneChangeService, event_from_user: User, **_: Any
) -> dict[str, Any]:
    """Getter: the citizen's verified phone as it reads (``phone``), or None."""
    profile = await phone_change.current_phone(event_from_user.id)
    return {"phone": format_phone(profile) if profile else None}


def profile_phone_button(label: str, on_chosen: OnPhone, missing: str) -> Button:
    """The verified phone in one press (shown when the getter has ``phone``).

    ``missing``: the refusal when it was forgotten meanwhile (/forget) and is asked again.
    """

    async def chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
        phone_change: PhoneChangeService = manager.middleware_data["phone_change"]
        phone = await phone_change.current_phone(callback.from_user.id)
        if phone is None:
            refuse(manager, missing)
            return
        await on_chosen(callback, button, manager, phone)

    return Button(Format(label), id="profile_phone", on_click=chosen, when="phone")


async def file_appeal(
    callback: CallbackQuery,
    manager: DialogManager,
    kind: AppealType,
    fields: dict[str, Any],
    attachments: list[Attachment] | None = None,
) -> None:
    """A form's «Отправить»: the appeal filed, every dialogue left, its number with the menu."""
    appeals: AppealService = manager.middleware_data["appeals"]
    message = origin(callback)
    appeal = await appeals.file(
        callback.from_user.id,
        message.chat.id,
        kind,
        fields,
        attachments,
        filed_by=this_dialogue(manager),
    )
    await tell_filed(message, manager, appeal)


async def tell_filed(message: Message, manager: DialogManager, appeal: Appeal) -> None:
    """A filed appeal's number with the menu first, then the whole stack closed (a form
    opened on top of the appeal types does not go back to them): see ``confirm_then_close``."""
    desk: DeskService = manager.middleware_data["desk"]
    await confirm_then_close(
        message.answer(appeal_filed(appeal, off_hours(desk)), reply_markup=main_menu()),
        manager.reset_stack,
    )


SUBMIT = "submit"


def submit_button(on_click: OnClick) -> Button:
    """[✅ Отправить] of a review: files what the dialogue collected."""
    return Button(Const(common_texts.BUTTON_CONFIRM), id=SUBMIT, on_click=on_click)


EDITING = "editing"  # dialog data: a field is being fixed from the review


# A pager's ``when`` sees its scroll's page as kept, which is past the last one when the list
# (a page of appeals, a day's free times) shrank: the page shown then is the last.
HAS_PREVIOUS_PAGE = (F["current_page"] > 0) & (F["pages"] > 1)
HAS_NEXT_PAGE = F["current_page"] + 1 < F["pages"]


def editing(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """``when``: the step is open to fix one field from the review."""
    return bool(manager.dialog_data.get(EDITING))


@dataclass(eq=False)
class Form:
    """Questions answered in turn, then a review from which any field can be fixed.

    ``states``: each field's question (field -> window), asked in this order
    unless :meth:`order` says otherwise, in the words of ``prompts`` (their
    ``step`` and ``total``: the question's place in the order); the review
    comes after the last, and «Назад» on the first leads to ``before``. While a
    field is fixed from the review (``editing``) its question shows the answer
    given, and a new answer or «Назад» returns to the review, whose getter
    (:meth:`reviewed`, first of the review window's getters) ends the fixing.
    """

    states: Mapping[str, State]
    prompts: Mapping[str, str]
    review: State
    before: State | None = None

    def order(self, data: dict[str, Any]) -> Sequence[str]:
        """The fields asked for, in turn."""
        return tuple(self.states)

    def _steps(self, manager: DialogManager) -> list[State]:
        """The questions in turn, then the review."""
        return [*(self.states[field] for field in self.order(manager.dialog_data)), self.review]

    async def open(self, manager: DialogManager, state: State) -> None:
        """A question or the review (a dialogue may show one of them its own way)."""
        await manager.switch_to(state)

    async def keep(self, manager: DialogManager, field: str, value: Any) -> None:
        """Keep the answer, then :meth:`next_step`."""
        manager.dialog_data[field] = value
        await self.next_step(manager, field)

    async def next_step(self, manager: DialogManager, field: str) -> None:
        """After ``field``'s answer: the next step, or back to the review after an edit."""
        steps = self._steps(manager)
        following = steps[steps.index(self.states[field]) + 1]
        await self.open(manager, self.review if manager.dialog_data.get(EDITING) else following)

    async def answered(
        self, message: Message, widget: Any, manager: DialogManager, value: Any
    ) -> None:
        await self.keep(manager, widget.widget.widget_id, value)

    async def went_back(
        self, callback: CallbackQuery, button: Button, manager: DialogManager
    ) -> None:
        """The previous step; the review, unchanged, when a field is being fixed from it."""
        if manager.dialog_data.get(EDITING):
            await manager.switch_to(self.review)
            return
        steps = self._steps(manager)
        index = steps.index(manager.current_context().state)
        if index:
            await self.open(manager, steps[index - 1])
        elif self.before is not None:
            await manager.switch_to(self.before)

    async def reviewed(self, dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
        """The review's getter, before the dialogue's own: the review shown ends the fixing
        of a field."""
        dialog_manager.dialog_data[EDITING] = False
        return {}

    async def edit(
        self, callback: CallbackQuery, widget: Any, manager: DialogManager, field: str
    ) -> None:
        """An edit button of the review: the question of ``field``, to fix it."""
        if field not in self.order(manager.dialog_data):  # an older review's, of another form
            return
        manager.dialog_data[EDITING] = True
        await self.open(manager, self.states[field])

    def question(self, field: str, *texts: Any, getter: Any = (), **options: Any) -> Window:
        """The question of ``field`` (see :func:`question`), ``texts`` below its prompt: an
        answer is kept (:meth:`answered`, unless ``on_success`` says otherwise), the answer
        given shown while it is fixed. ``getter``: the window's getters besides the form's.
        """

        async def place(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
            data = dialog_manager.dialog_data
            order = self.order(data)
            current = field_value(field, data.get(field)) if data.get(EDITING) else None
            return {"step": order.index(field) + 1, "total": len(order), "current": current}

        options.setdefault("on_success", self.answered)
        return question(
            self.states[field],
            Catalog(self.prompts[field]),
            *texts,
            Catalog(common_texts.EDITING_CURRENT, when="current"),
            field=field,
            on_back=self.went_back,
            getter=[place, *getter],
            **options,
        )


async def _cancelled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    # The whole stack: a dialogue opened on top of another (the complaint from the
    # appeal types) is left together with it.
    await manager.reset_stack()
    # A step may have put a reply keyboard under the chat (the complaint's contact button).
    await origin(callback).answer(common_texts.CANCELLED, reply_markup=ReplyKeyboardRemove())
    await origin(callback).answer(common_texts.MAIN_MENU, reply_markup=main_menu())


def opened_on_top(data: dict[str, Any], widget: Any, manager: DialogManager) -> bool:
    """``when``: this dialogue was opened from another one, which closing it returns to."""
    return len(manager.current_stack().intents) > 1


OnClick = Callable[[CallbackQuery, Button, DialogManager], Awaitable[None]]


def navigation(*, back: bool | Callable[..., bool] = True, on_back: OnClick | None = None) -> Row:
    """[⬅️ Назад] [✖️ Отмена]: one step back, or leave the dialogue for the main menu.

    ``back``: whether «Назад» is shown, or a ``when`` condition for it. ``on_back``:
    where «Назад» leads when it is not the previous window of the group (a form
    whose steps depend on earlier answers, a field edited from the review).
    """
    buttons: list[Any] = []
    if back:
        when = None if back is True else back
        if on_back is None:
            buttons.append(Back(Const(common_texts.BUTTON_BACK), when=when))
        else:
            buttons.append(
                Button(Const(common_texts.BUTTON_BACK), id="back", on_click=on_back, when=when)
            )
    buttons.append(Button(Const(common_texts.BUTTON_CANCEL), id="cancel", on_click=_cancelled))
    return Row(*buttons)


async def to_main_menu(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Every dialogue left for the main menu."""
    await manager.reset_stack()
    await origin(callback).answer(common_texts.MAIN_MENU, reply_markup=main_menu())


def main_menu_button() -> Button:
    """[🏠 Главное меню]: leave the dialogue (a screen to read, nothing to cancel) for the menu."""
    return Button(Const(common_texts.BUTTON_MAIN_MENU), id="main_menu", on_click=to_main_menu)


class _OtherScreensButton(InlineKeyboardButton):
    """A button whose press belongs to a router outside the dialogue (see OtherScreens)."""


class OtherScreens(Keyboard):
    """Buttons of other screens, one a row, from the getter's ``items`` (InlineKeyboardButton).

    Their callback data stay as the other screen packed them (the window needs
    ``markup_factory=KEEPS_OTHER_SCREENS``): a press goes past the dialogue to
    the router of that screen (a call's «Перенести» to the call booking), which
    leaves the dialogue as any plain router does.
    """

    def __init__(self, items: str, when: Any = None) -> None:
        super().__init__(when=when)
        self.items = items

    async def _render_keyboard(self, data: dict[str, Any], manager: DialogManager) -> RawKeyboard:
        return [
            [_OtherScreensButton(**button.model_dump(exclude_none=True))]
            for button in data[self.items]
        ]


class _KeepsOtherScreens(InlineKeyboardFactory):
    async def render_markup(
        self, data: dict[str, Any], manager: DialogManager, keyboard: RawKeyboard
    ) -> InlineKeyboardMarkup:
        own = [
            [button for button in row if not isinstance(button, _OtherScreensButton)]
            for row in keyboard
        ]
        add_intent_id(own, manager.current_context().id)
        # An inline keyboard factory is only given inline buttons.
        return InlineKeyboardMarkup(
            inline_keyboard=cast(list[list[InlineKeyboardButton]], keyboard)
        )


KEEPS_OTHER_SCREENS = _KeepsOtherScreens()


class PlainReplyKeyboard(ReplyKeyboardFactory):
    """A reply keyboard whose buttons come back as the text a person reads on them.

    aiogram_dialog hides a reply button's id in its label with invisible
    characters; ``InvisibleCharactersMiddleware`` removes them from every
    message before any handler (as it must for what people type), so such a
    press would arrive as plain text anyway. The labels are sent plain, and the
    window takes them as text: a ``MessageInput`` filtered by the label (or, for
    «Отмена», navigation's typed words, which work in every state).
    """

    async def render_markup(
        self, data: dict[str, Any], manager: DialogManager, keyboard: RawKeyboard
    ) -> ReplyKeyboardMarkup:
        rows = [
            [
                button if isinstance(button, KeyboardButton) else KeyboardButton(text=button.text)
                for button in row
            ]
            for row in keyboard
        ]
        return ReplyKeyboardMarkup(
            keyboard=rows,
            resize_keyboard=self.resize_keyboard,
            one_time_keyboard=self.one_time_keyboard,
        )

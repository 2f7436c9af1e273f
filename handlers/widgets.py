"""Pieces every citizen dialogue is built from (aiogram_dialog windows).

A window's text comes from the catalog (:class:`Catalog`, values escaped);
typed answers are ``TextInput`` widgets whose type factory is a domain
validator, and a refused answer is explained by :func:`explain_refusal`,
after which aiogram_dialog shows the window (the question) again. Input of
the wrong kind (a sticker where text is expected) is answered by
:func:`text_expected`. The last row of every step is [Назад] [Отмена].
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from aiogram.types import (
    CallbackQuery,
    ContentType,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram_dialog import DialogManager
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.utils import add_intent_id
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Back, Button, Keyboard, Row
from aiogram_dialog.widgets.markup.inline_keyboard import InlineKeyboardFactory
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory
from aiogram_dialog.widgets.text import Const, Text

from bot.domain.validators import Invalid
from bot.keyboards.common import main_menu
from bot.texts import common as common_texts
from bot.texts import explain, render


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
            refuse(manager, explain(error.problem.value, dict(error.details), dict(table)))
        else:
            refuse(manager, explain("empty", {}, dict(table)))

    return on_error


async def _text_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    refuse(manager, common_texts.TEXT_EXPECTED)


def text_expected() -> MessageInput:
    """Anything but text at a text step: explained, then the question again."""
    return MessageInput(_text_expected, content_types=ContentType.ANY)


async def _cancelled(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    # The whole stack: a dialogue opened on top of another (the complaint from the
    # appeal types) is left together with it.
    await manager.reset_stack()
    assert callback.message is not None
    # A step may have put a reply keyboard under the chat (the complaint's contact button).
    await callback.message.answer(common_texts.CANCELLED, reply_markup=ReplyKeyboardRemove())
    await callback.message.answer(common_texts.MAIN_MENU, reply_markup=main_menu())


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


async def _to_main_menu(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.reset_stack()
    assert callback.message is not None
    await callback.message.answer(common_texts.MAIN_MENU, reply_markup=main_menu())


def main_menu_button() -> Button:
    """[🏠 Главное меню]: leave the dialogue (a screen to read, nothing to cancel) for the menu."""
    return Button(Const(common_texts.BUTTON_MAIN_MENU), id="main_menu", on_click=_to_main_menu)


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

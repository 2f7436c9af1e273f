"""The help section: short articles from data files, each leading to its dialogues.

Help is reading, not a form: it takes no typed messages (they are free text,
routed as anywhere outside a dialogue). An article's buttons to dialogues are
the menu's own (OtherScreens): navigation opens the dialogue they name.

/help in the middle of a dialogue opens help on top of it (the stack keeps
the answers given so far); «↩️ Продолжить, где остановились» closes help and
shows the step it was opened from again. Typed there, a message gets that hint.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, LaunchMode, StartMode, Window
from aiogram_dialog.api.entities import Stack
from aiogram_dialog.widgets.kbd import Cancel, Row, SwitchTo
from aiogram_dialog.widgets.text import Const, Format

from bot.domain.clock import Clock
from bot.domain.content import HelpContent
from bot.handlers.replies import clear_fsm
from bot.handlers.widgets import (
    KEEPS_OTHER_SCREENS,
    OtherScreens,
    Refusal,
    choices,
    expects,
    keep_start_data,
    main_menu_button,
    opened_on_top,
)
from bot.keyboards.targets import target_button
from bot.settings import Settings
from bot.states.help import HelpSection
from bot.texts import Safe
from bot.texts import help as t

ARTICLE = "article"  # dialog data: the id of the article read
# «↩️ Продолжить, где остановились»: help closed, the dialogue it was opened over shown again.
_RETURN = Cancel(Const(t.BUTTON_RETURN), id="return", when=opened_on_top)


async def start_help(message: Message, manager: DialogManager) -> None:
    await clear_fsm(manager)
    await manager.start(HelpSection.choosing_article, mode=_on_top(manager))


async def open_article(manager: DialogManager, article_id: str, help_content: HelpContent) -> bool:
    """The article, if it (still) exists; False for a button of one since removed."""
    if article_id not in help_content.by_id:
        return False
    await manager.start(
        HelpSection.reading_article, data={ARTICLE: article_id}, mode=_on_top(manager)
    )
    return True


def _on_top(manager: DialogManager) -> StartMode:
    """On top of an open dialogue, which waits with its answers; help on help replaces it."""
    return StartMode.NORMAL if manager.has_context() else StartMode.RESET_STACK


async def article_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, article_id: str
) -> None:
    manager.dialog_data[ARTICLE] = article_id
    await manager.switch_to(HelpSection.reading_article)


async def list_getter(help_content: HelpContent, **_: Any) -> dict[str, Any]:
    return {"articles": [(article.id, f"📄 {article.title}") for article in help_content.articles]}


async def article_getter(
    dialog_manager: DialogManager, help_content: HelpContent, **_: Any
) -> dict[str, Any]:
    articles = help_content.by_id
    article = articles[dialog_manager.dialog_data[ARTICLE]]
    return {
        "article": Safe(article.html),
        "targets": [target_button(target, articles) for target in article.buttons],
    }


def _over_a_dialogue(message: Message, aiogd_stack: Stack) -> bool:
    """Typed messages are help's only while a dialogue waits under it (``aiogd_stack``:
    the stack aiogram_dialog's middleware has loaded for this update)."""
    return len(aiogd_stack.intents) > 1


def create_dialog(settings: Settings, clock: Clock) -> Dialog:
    dialog = Dialog(
        Window(
            Refusal(),
            Const(t.HELP_HEADER),
            Const("\n" + t.DRAFT_KEPT, when=opened_on_top),
            choices("article", "articles", article_chosen),
            _RETURN,
            main_menu_button(),
            expects(t.DRAFT_KEPT),
            state=HelpSection.choosing_article,
            getter=list_getter,
        ),
        Window(
            Refusal(),
            Format("{article}"),
            OtherScreens("targets"),
            _RETURN,
            Row(
                SwitchTo(
                    Const(t.BUTTON_ALL_ARTICLES),
                    id="all_articles",
                    state=HelpSection.choosing_article,
                ),
                main_menu_button(),
            ),
            expects(t.DRAFT_KEPT),
            state=HelpSection.reading_article,
            getter=article_getter,
            markup_factory=KEEPS_OTHER_SCREENS,
        ),
        on_start=keep_start_data,
        launch_mode=LaunchMode.SINGLE_TOP,
    )
    # Typed while reading help, a message is free text (it passes to the routers after),
    # unless a dialogue waits under help: then the way back to it is shown.
    dialog.message.filter(_over_a_dialogue)
    return dialog

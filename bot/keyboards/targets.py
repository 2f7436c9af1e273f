"""Buttons that lead to a dialogue or a help article, named by a target string.

Help articles and the free-text routing table refer to dialogues by these
names, so the data files never contain callback data.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.callback_data import HelpArticle, Menu, MenuItem
from bot.domain.content import ARTICLE_PREFIX, Article
from bot.keyboards.common import button
from bot.texts import common as t

DIALOGUE_TARGETS: dict[str, tuple[str, MenuItem]] = {
    "change_phone": (t.BUTTON_CHANGE_PHONE, MenuItem.CHANGE_PHONE),
    "recovery": (t.BUTTON_RECOVERY, MenuItem.RECOVERY),
    "new_appeal": (t.BUTTON_NEW_APPEAL, MenuItem.NEW_APPEAL),
    "complaint": (t.BUTTON_COMPLAINT, MenuItem.COMPLAINT),
    "callback_request": (t.BUTTON_CALLBACK, MenuItem.CALLBACK),
    "my_appeals": (t.BUTTON_MY_APPEALS, MenuItem.MY_APPEALS),
    "status": (t.BUTTON_STATUS, MenuItem.STATUS),
    "checklist": (t.BUTTON_CHECKLIST, MenuItem.CHECKLIST),
    "help": (t.BUTTON_HELP, MenuItem.HELP),
}


def known_targets(article_ids: list[str] | None = None) -> frozenset[str]:
    articles = {ARTICLE_PREFIX + article_id for article_id in article_ids or []}
    return frozenset(DIALOGUE_TARGETS) | articles


def target_button(target: str, articles: dict[str, Article]) -> InlineKeyboardButton:
    if target.startswith(ARTICLE_PREFIX):
        article = articles[target.removeprefix(ARTICLE_PREFIX)]
        return button(f"📄 {article.title}", HelpArticle(article=article.id))
    label, item = DIALOGUE_TARGETS[target]
    return button(label, Menu(item=item))

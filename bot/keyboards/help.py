from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_data import HelpArticle, Menu, MenuItem
from bot.keyboards.common import button
from bot.keyboards.targets import target_button
from bot.domain.content import Article
from bot.texts import common as common_texts
from bot.texts import help as t


def article_list(articles: list[Article]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for article in articles:
        builder.button(text=f"📄 {article.title}", callback_data=HelpArticle(article=article.id))
    builder.button(text=common_texts.BUTTON_MAIN_MENU, callback_data=Menu(item=MenuItem.MAIN))
    builder.adjust(1)
    return builder.as_markup()


def article_actions(article: Article, articles: dict[str, Article]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for target in article.buttons:
        builder.row(target_button(target, articles))
    builder.row(
        button(t.BUTTON_ALL_ARTICLES, Menu(item=MenuItem.HELP)),
        button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)),
    )
    return builder.as_markup()


def suggestions(targets: list[str], articles: dict[str, Article]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for target in targets:
        builder.row(target_button(target, articles))
    builder.row(button(common_texts.BUTTON_MAIN_MENU, Menu(item=MenuItem.MAIN)))
    return builder.as_markup()

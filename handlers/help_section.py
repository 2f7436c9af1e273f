"""The help section: short articles from data files, each leading to its dialogue."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import HelpArticle, Menu, MenuItem
from bot.filters import PrivateChat
from bot.keyboards import help as keyboards
from bot.domain.content import HelpContent
from bot.texts import common as common_texts
from bot.texts import help as t
from bot.handlers.replies import origin


async def show_help(message: Message, state: FSMContext, help_content: HelpContent) -> None:
    await state.clear()
    await message.answer(t.HELP_HEADER, reply_markup=keyboards.article_list(help_content.articles))


async def help_button(callback: CallbackQuery, state: FSMContext,
                      help_content: HelpContent) -> None:
    await show_help(origin(callback), state, help_content)


async def article_button(callback: CallbackQuery, callback_data: HelpArticle, state: FSMContext,
                         callback_answer: CallbackAnswer, help_content: HelpContent) -> None:
    articles = help_content.by_id
    article = articles.get(callback_data.article)
    if article is None:
        callback_answer.text = common_texts.STALE_BUTTON
        callback_answer.show_alert = True
        return
    await state.clear()
    await origin(callback).answer(article.html,
                                  reply_markup=keyboards.article_actions(article, articles))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.filter(PrivateChat())
    router.callback_query.register(help_button, Menu.filter(F.item == MenuItem.HELP))
    router.callback_query.register(article_button, HelpArticle.filter())
    return router

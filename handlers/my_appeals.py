"""My appeals, status lookup by number, comments on an open appeal."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.callback_data import AppealAction, Menu, MenuItem, MyAppeal
from bot.keyboards import my_appeals as keyboards
from bot.keyboards.common import main_menu, navigation
from bot.services.appeals import AppealService, CommentOutcome
from bot.domain.validators import Invalid, clean_text, parse_appeal_number
from bot.settings import Settings
from bot.texts import common as common_texts
from bot.texts import conversation as conversation_texts
from bot.texts import join_lines, render, validation
from bot.texts import my_appeals as t
from bot.rendering.citizen import appeal_details, appeal_list_item
from bot.handlers.replies import answer_long, citizen_router, origin, problem_text
from bot.states.my_appeals import MyAppeals


async def ask_for_number(message: Message, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(MyAppeals.waiting_for_number)
    await message.answer(t.ASK_NUMBER, reply_markup=navigation())


async def show_list(message: Message, user_id: int, page: int, appeals: AppealService,
                    settings: Settings) -> None:
    result = await appeals.page_for(user_id, page)
    if result.total == 0:
        await message.answer(t.LIST_EMPTY, reply_markup=main_menu())
        return
    lines = [render(t.LIST_HEADER, total=result.total, page=result.page + 1, pages=result.pages)]
    lines += [appeal_list_item(appeal, settings.zone) for appeal in result.items]
    await message.answer(join_lines(lines), reply_markup=keyboards.appeal_list(result))


async def show_status(message: Message, state: FSMContext, number_text: str, user_id: int,
                      appeals: AppealService, settings: Settings) -> None:
    """Details for the author, the bare status for anyone else; re-ask if not found."""
    try:
        number = parse_appeal_number(number_text)
    except Invalid as error:
        await message.answer(problem_text(error, validation.APPEAL_NUMBER),
                             reply_markup=navigation())
        return
    appeal = await appeals.find(number)
    if appeal is None:
        await state.set_state(MyAppeals.waiting_for_number)
        await message.answer(render(t.NOT_FOUND, number=number), reply_markup=navigation())
        return
    await state.clear()
    if appeal.citizen_id != user_id:
        await message.answer(
            render(t.FOREIGN_STATUS, number=appeal.number,
                   status=common_texts.STATUS_NAMES[appeal.status]),
            reply_markup=main_menu(),
        )
        return
    history = await appeals.history(appeal)
    await answer_long(message, appeal_details(appeal, history, settings.zone),
                      reply_markup=keyboards.appeal_details(appeal.number,
                                                            can_comment=appeal.is_open,
                                                            call=appeal.call))


async def list_from_menu(callback: CallbackQuery, state: FSMContext, appeals: AppealService,
                         settings: Settings) -> None:
    await state.clear()
    await show_list(origin(callback), callback.from_user.id, 0, appeals, settings)


async def list_page(callback: CallbackQuery, callback_data: MyAppeal, state: FSMContext,
                    appeals: AppealService, settings: Settings) -> None:
    await state.clear()
    await show_list(origin(callback), callback.from_user.id, callback_data.page, appeals,
                    settings)


async def open_appeal(callback: CallbackQuery, callback_data: MyAppeal, state: FSMContext,
                      callback_answer: CallbackAnswer, appeals: AppealService,
                      settings: Settings) -> None:
    appeal = await appeals.find_own(callback_data.number, callback.from_user.id)
    if appeal is None:
        callback_answer.text = t.NOT_YOURS
        callback_answer.show_alert = True
        return
    await state.clear()
    history = await appeals.history(appeal)
    await answer_long(origin(callback), appeal_details(appeal, history, settings.zone),
                      reply_markup=keyboards.appeal_details(appeal.number,
                                                            can_comment=appeal.is_open,
                                                            call=appeal.call))


async def status_from_menu(callback: CallbackQuery, state: FSMContext) -> None:
    await ask_for_number(origin(callback), state)


async def number_typed(message: Message, state: FSMContext, appeals: AppealService,
                       settings: Settings) -> None:
    assert message.from_user is not None
    await show_status(message, state, message.text or "", message.from_user.id, appeals,
                      settings)


async def number_expected(message: Message) -> None:
    await message.answer(common_texts.TEXT_EXPECTED + "\n\n" + t.ASK_NUMBER,
                         reply_markup=navigation())


async def comment_start(callback: CallbackQuery, callback_data: MyAppeal, state: FSMContext,
                        callback_answer: CallbackAnswer, appeals: AppealService) -> None:
    appeal = await appeals.find_own(callback_data.number, callback.from_user.id)
    if appeal is None:
        callback_answer.text = t.NOT_YOURS
        callback_answer.show_alert = True
        return
    if not appeal.is_open:
        callback_answer.text = render(t.COMMENT_CLOSED, number=appeal.number)
        callback_answer.show_alert = True
        return
    await state.clear()
    await state.set_state(MyAppeals.waiting_for_comment)
    await state.update_data(number=appeal.number)
    await origin(callback).answer(render(t.ASK_COMMENT, number=appeal.number),
                                  reply_markup=navigation())


async def comment_typed(message: Message, state: FSMContext, appeals: AppealService) -> None:
    assert message.from_user is not None
    try:
        text = clean_text(message.text, max_length=2000)
    except Invalid as error:
        await message.answer(problem_text(error, validation.GENERIC), reply_markup=navigation())
        return
    number = (await state.get_data())["number"]
    outcome, _ = await appeals.add_comment(number, message.from_user.id, text)
    await state.clear()
    if outcome == CommentOutcome.ADDED:
        await message.answer(render(t.COMMENT_ADDED, number=number), reply_markup=main_menu())
    elif outcome == CommentOutcome.CLOSED:
        await message.answer(render(t.COMMENT_CLOSED, number=number), reply_markup=main_menu())
    elif outcome == CommentOutcome.BANNED:
        await message.answer(conversation_texts.BANNED, reply_markup=main_menu())
    else:
        await message.answer(t.NOT_YOURS, reply_markup=main_menu())


async def comment_expected(message: Message, state: FSMContext) -> None:
    number = (await state.get_data())["number"]
    await message.answer(common_texts.TEXT_EXPECTED + "\n\n" + render(t.ASK_COMMENT, number=number),
                         reply_markup=navigation())


def create_router() -> Router:
    router = citizen_router(__name__)
    router.callback_query.register(list_from_menu, Menu.filter(F.item == MenuItem.MY_APPEALS))
    router.callback_query.register(list_page, MyAppeal.filter(F.action == AppealAction.PAGE))
    router.callback_query.register(open_appeal, MyAppeal.filter(F.action == AppealAction.OPEN))
    router.callback_query.register(status_from_menu, Menu.filter(F.item == MenuItem.STATUS))
    router.message.register(number_typed, MyAppeals.waiting_for_number, F.text)
    router.message.register(number_expected, MyAppeals.waiting_for_number)
    router.callback_query.register(comment_start, MyAppeal.filter(F.action == AppealAction.COMMENT))
    router.message.register(comment_typed, MyAppeals.waiting_for_comment, F.text)
    router.message.register(comment_expected, MyAppeals.waiting_for_comment)
    return router

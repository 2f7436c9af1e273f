from aiogram.fsm.state import State, StatesGroup


class HelpSection(StatesGroup):
    choosing_article = State()
    reading_article = State()

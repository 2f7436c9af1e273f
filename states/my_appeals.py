from aiogram.fsm.state import State, StatesGroup


class MyAppeals(StatesGroup):
    waiting_for_number = State()
    waiting_for_comment = State()

from aiogram.fsm.state import State, StatesGroup


class MyAppeals(StatesGroup):
    choosing_appeal = State()  # the list, five a page
    reading_appeal = State()  # one appeal's details and history
    waiting_for_comment = State()
    waiting_for_number = State()  # the status lookup

from aiogram.fsm.state import State, StatesGroup


class ForgetMe(StatesGroup):
    confirming = State()

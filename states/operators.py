from aiogram.fsm.state import State, StatesGroup


class OperatorClosing(StatesGroup):
    """An operator pressed «Закрыть»: the bot waits for a short resolution."""

    waiting_for_resolution = State()

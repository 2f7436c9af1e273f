from aiogram.fsm.state import State, StatesGroup


class CallbackRequest(StatesGroup):
    """Ordering a call back: the phone, the question, the day and time, confirmation."""

    waiting_for_phone = State()
    waiting_for_description = State()
    choosing_day = State()
    choosing_time = State()
    confirming = State()


class CallRescheduling(StatesGroup):
    """Moving a booked call, or choosing a new time after a missed one."""

    choosing_day = State()
    choosing_time = State()


class OperatorCallResult(StatesGroup):
    """An operator pressed «Позвонил»: the bot waits for the call's short result."""

    waiting_for_result = State()

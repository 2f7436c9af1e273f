from aiogram.fsm.state import State, StatesGroup


class WrittenComplaint(StatesGroup):
    waiting_for_topic = State()
    waiting_for_caller_phone = State()
    waiting_for_attempts = State()
    waiting_for_errors = State()
    waiting_for_desired_result = State()
    waiting_for_attachments = State()
    reviewing = State()

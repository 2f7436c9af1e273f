from aiogram.fsm.state import State, StatesGroup


class NewAppeal(StatesGroup):
    choosing_type = State()
    waiting_for_service_name = State()
    waiting_for_description = State()
    waiting_for_error_text = State()
    waiting_for_occurred_at = State()
    waiting_for_application_number = State()
    waiting_for_topic = State()
    confirming = State()

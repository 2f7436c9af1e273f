from aiogram.fsm.state import State, StatesGroup


class AccessRecovery(StatesGroup):
    choosing_cause = State()
    reading_guidance = State()
    reading_instructions = State()
    waiting_for_full_name = State()
    waiting_for_snils = State()
    waiting_for_contact = State()
    waiting_for_description = State()
    confirming = State()

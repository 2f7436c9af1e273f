from aiogram.fsm.state import State, StatesGroup


class PersonalDataConsent(StatesGroup):
    """The consent screen before a dialogue that collects personal data."""

    waiting_for_answer = State()

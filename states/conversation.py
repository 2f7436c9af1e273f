from aiogram.fsm.state import State, StatesGroup


class AppealConversation(StatesGroup):
    """A citizen writes to the operators of one appeal."""

    waiting_for_message = State()  # after «Ответить по обращению»


class RatingFeedback(StatesGroup):
    """After rating a closed appeal, an optional comment."""

    waiting_for_comment = State()

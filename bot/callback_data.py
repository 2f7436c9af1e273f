"""Callback data factories: short prefixes, typed fields, never split by hand.

Every payload stays well under Telegram's 64-byte limit (see tests).
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MenuItem(StrEnum):
    MAIN = "main"
    CHANGE_PHONE = "phone"
    RECOVERY = "recovery"
    NEW_APPEAL = "appeal"
    COMPLAINT = "complaint"
    MY_APPEALS = "my"
    STATUS = "status"
    CHECKLIST = "checklist"
    HELP = "help"
    CALLBACK = "call"


class Menu(CallbackData, prefix="m"):
    item: MenuItem


class NavAction(StrEnum):
    # The only action left: «Отмена» under messages sent before the dialogues moved to
    # aiogram_dialog (their other buttons are stale now).
    CANCEL = "cancel"


class Nav(CallbackData, prefix="n"):
    action: NavAction


class RecoveryCause(StrEnum):
    CHANGED_PHONE = "changed_phone"
    NO_SMS = "no_sms"
    BLOCKED = "blocked"
    FORGOT_PASSWORD = "forgot_password"
    OTHER = "other"


class RecoveryAction(StrEnum):
    VIA_EMAIL = "email"
    VIA_SNILS = "snils"
    SUPPORT = "support"


class HelpArticle(CallbackData, prefix="h"):
    article: str  # the article's id, at most 31 characters (see bot.domain.content)


# --- operator desk ---------------------------------------------------------


class DeskAction(StrEnum):
    TAKE = "take"
    CLOSE = "close"
    REVEAL = "reveal"
    TEMPLATES = "tpl"
    CLOSE_PLAIN = "plain"  # close without a resolution
    CLOSE_CANCEL = "keep"  # changed one's mind: keep the appeal open


class Desk(CallbackData, prefix="d"):
    """A button on an appeal's card in the operators' chat."""

    action: DeskAction
    number: str


class TemplateAction(StrEnum):
    PREVIEW = "v"  # show the text with «Отправить» / «Отмена»
    SEND = "s"
    SEND_AGAIN = "a"  # the same template went to this appeal a moment ago: sent anyway
    BACK = "x"  # not this one: the list again


class TemplatePick(CallbackData, prefix="tp"):
    """Canned answer ``template_id`` for the citizen of appeal ``number``."""

    action: TemplateAction
    template_id: int
    number: str


class ReplyToAppeal(CallbackData, prefix="ra"):
    """The citizen's "Ответить по обращению" button."""

    number: str


class Addendum(CallbackData, prefix="ad"):
    """«Это дополнение к обращению»: relay the citizen's message ``message`` (its id in
    their chat, kept by the bot until then) to the operators of appeal ``number``."""

    number: str
    message: int


class Reopen(CallbackData, prefix="ro"):
    """«Возобновить обращение»: the citizen reopens closed appeal ``number``."""

    number: str


class RatingAction(StrEnum):
    # The only action since the comment step is a dialogue; rating buttons already in
    # citizens' chats carry it, so it stays in the data.
    SCORE = "s"


class Rating(CallbackData, prefix="rt"):
    """A score (1 to 5) given to a closed appeal."""

    action: RatingAction
    number: str
    score: int = 0


# --- callback requests («Обратный звонок») ----------------------------------


class CallAction(StrEnum):
    MOVE = "move"
    CANCEL = "cancel"
    CANCEL_SURE = "sure"
    KEEP = "keep"
    CONFIRM = "ok"  # the citizen confirms the call took place


class CallManage(CallbackData, prefix="cbm"):
    """The citizen's buttons for a booked call."""

    action: CallAction
    number: str


class CallDeskAction(StrEnum):
    CALLED = "done"
    NOT_REACHED = "miss"
    # Confirmed on the question asked when the call's time has not begun yet.
    CALLED_EARLY = "done!"
    NOT_REACHED_EARLY = "miss!"
    KEEP = "keep"  # changed one's mind: leave the call unmarked


class CallDesk(CallbackData, prefix="cbo"):
    """A callback appeal's card buttons in the operators' chat."""

    action: CallDeskAction
    number: str


class ConsentNext(StrEnum):
    """The dialogue the consent screen stands before: it goes on after «Согласен»."""

    CHANGE_PHONE = "phone"
    RECOVERY_APPEAL = "recovery"
    TECHNICAL = "technical"
    SERVICE_QUESTION = "service_question"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    CALLBACK = "call"

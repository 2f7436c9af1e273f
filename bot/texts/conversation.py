"""What citizens see of the operators' work: answers, statuses, rating, relaying."""

ANSWER = "💬 <b>Ответ специалиста по обращению № {number}</b>\n\n{text}"
ANSWER_NO_TEXT = "💬 <b>Ответ специалиста по обращению № {number}</b>"
ANSWER_EDITED = "✏️ <b>Специалист исправил ответ по обращению № {number}</b>\n\n{text}"
STATUS_LINE = "Статус обращения: {status}."
TAKEN = (
    "🛠 Обращение № {number} взято в работу. Ответ специалиста придёт в этот чат."
)
CLOSED = "✅ Обращение № {number} закрыто."
CLOSED_RESOLUTION = "Итог: {resolution}"
ASK_RATING = "Оцените, пожалуйста, ответ: от 1 (плохо) до 5 (отлично)."
BUTTON_REPLY = "↩️ Ответить по обращению"
BUTTON_NO_COMMENT = "Без отзыва"

ASK_MESSAGE = (
    "Напишите сообщение по обращению № {number}: текст, фото или документ. "
    "Его получит специалист."
)
MESSAGE_EXPECTED = "Специалисту можно отправить текст, фото или документ."
RELAYED = "✉️ Сообщение передано специалисту по обращению № {number}."
# A message outside dialogues that is no reply to the specialist: asked, never relayed silently.
ADDENDUM_QUESTION = (
    "Сообщение пока никуда не отправлено. Если это дополнение к вашему обращению, "
    "нажмите кнопку с его номером: сообщение получит специалист."
)
BUTTON_ADDENDUM = "📎 Это дополнение к обращению № {number}"
ADDENDUM_GONE = "Это сообщение бот уже не хранит. Отправьте его ещё раз, пожалуйста."
APPEAL_CLOSED = (
    "Обращение № {number} закрыто, сообщение не передано. Если вопрос остался, "
    "создайте новое обращение в главном меню."
)
BANNED = (
    "К сожалению, переписка со специалистами по вашим обращениям приостановлена, "
    "сообщение не передано. Статус обращений можно узнать в разделе «Мои обращения»."
)

OFF_HOURS = (
    "🕘 Сейчас нерабочее время: специалисты работают {schedule} ({zone}). "
    "Ответ придёт не раньше, чем {opening}."
)
ZONE_NAMES = {"Europe/Moscow": "по московскому времени"}
OPENING_TODAY = "сегодня в {time}"
OPENING_TOMORROW = "завтра в {time}"
OPENING_LATER = "{weekday}, {date}, в {time}"
WEEKDAYS_SHORT = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
WEEKDAYS_ACCUSATIVE = (
    "в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу",
    "в воскресенье",
)

RATING_THANKS = (
    "Спасибо за оценку {score} из 5! Если хотите, напишите короткий отзыв одним сообщением "
    "или нажмите «Без отзыва»."
)
RATING_SAVED = "Отзыв сохранён."
RATING_DONE = "Оценка сохранена, без отзыва."
ALREADY_RATED = "Вы уже оценили ответ по этому обращению."
RATING_OPEN = "Оценить можно после закрытия обращения."
RATING_COMMENT_EXPECTED = "Отзыв нужен текстом (до 1000 символов), или нажмите «Без отзыва»."

# How a relayed photo or document appears in the appeal's history.
CONTENT_PHOTO = "[фото]"
CONTENT_DOCUMENT = "[документ {name}]"

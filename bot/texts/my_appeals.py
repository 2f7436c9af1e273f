"""My appeals, status lookup by number, comments."""

LIST_HEADER = "<b>Мои обращения</b> (всего {total}, страница {page} из {pages}):"
LIST_EMPTY = "У вас пока нет обращений. Создать обращение можно в главном меню."
LIST_ITEM = "№ {number} · {type} · {status} · {date}"
BUTTON_ITEM = "№ {number} · {status}"
BUTTON_PREVIOUS = "◀️ Раньше"
BUTTON_NEXT = "Позже ▶️"
BUTTON_COMMENT = "💬 Добавить комментарий"
BUTTON_TO_LIST = "📋 К списку обращений"
BUTTON_RATE = "⭐ Оценить ответ"

DETAILS = (
    "<b>Обращение № {number}</b>\nТип: {type}\nСтатус: <b>{status}</b>\nПодано: {created}\n{fields}"
)
DETAILS_FIELD = "{name}: {value}"
DETAILS_ATTACHMENTS = "Вложений: {count}"
DETAILS_RESULT = "<b>Итог:</b> {resolution}"
HISTORY_HEADER = "\n<b>Переписка:</b>"
HISTORY_ITEM = "{when} · {author}: {text}"
AUTHOR_NAMES = {"citizen": "Вы", "operator": "Специалист", "system": "Система"}

ASK_NUMBER = "Введите номер обращения, например 2026-000042."
NOT_FOUND = "Обращение № {number} не найдено. Проверьте номер и введите ещё раз."
FOREIGN_STATUS = (
    "Обращение № {number}: статус «{status}».\nПодробности видны только автору обращения."
)
NOT_YOURS = "Это обращение вам недоступно."

ASK_COMMENT = (
    "Напишите комментарий к обращению № {number} (до 2000 символов). "
    "Он будет добавлен к обращению, новое создавать не нужно."
)
COMMENT_ADDED = "💬 Комментарий добавлен к обращению № {number}."
COMMENT_CLOSED = (
    "Обращение № {number} закрыто: комментарий добавить нельзя. Создайте новое обращение."
)

"""Texts shared by every dialogue: menu, navigation, generic errors."""

WELCOME = (
    "Здравствуйте, {name}! Я бот поддержки портала государственных услуг.\n\n"
    "Помогу сменить номер телефона, восстановить доступ к учётной записи, "
    "подать обращение или жалобу, заказать обратный звонок и узнать статус обращений. "
    "Выберите, что нужно сделать:"
)
MAIN_MENU = "Главное меню. Выберите, что нужно сделать:"
KEYBOARD_CLOSED = "Смена номера прервана."
CANCELLED = "Действие отменено, введённые данные не сохранены."
# Another command or menu button in the middle of a form (/help keeps the form instead).
DRAFT_DROPPED = "Заполнение прервано, введённые ответы не сохранены."
NOTHING_TO_CANCEL = "Отменять нечего."
UNKNOWN_INPUT = (
    "Я не понял сообщение. Выберите действие в меню ниже "
    "или отправьте /start, чтобы начать сначала."
)
UNKNOWN_COMMAND = "Неизвестная команда. Список команд: /help. Текущий шаг продолжается."
TOO_OFTEN = "Слишком часто. Пожалуйста, подождите несколько секунд и повторите."
STALE_BUTTON = "Эта кнопка больше не действует. Откройте главное меню."
DIALOGUE_BUTTON_ONLY = "Пожалуйста, выберите вариант кнопкой под сообщением."
UNEXPECTED_ERROR = (
    "Что-то пошло не так, попробуйте ещё раз. Введённые данные сохранены, "
    "можно продолжить с того же шага."
)
TEXT_EXPECTED = "Пожалуйста, отправьте ответ текстом."
EMPTY_TEXT = "Сообщение пустое. Пожалуйста, напишите ответ текстом."
TOO_LONG = (
    "Слишком длинный текст: {length} символов, допустимо не более {limit}. Сократите, пожалуйста."
)
TOO_SHORT = "Слишком короткий ответ: нужно не менее {limit} символов."

# Under the question when a field is edited from the review of a form.
EDITING_CURRENT = (
    "\nСейчас: {current}\nОтправьте новый ответ или нажмите «⬅️ Назад», чтобы оставить как есть."
)

BUTTON_CHANGE_PHONE = "📱 Сменить номер телефона"
BUTTON_RECOVERY = "🔑 Не могу войти"
BUTTON_NEW_APPEAL = "✉️ Новое обращение"
BUTTON_COMPLAINT = "📝 Письменная жалоба"
BUTTON_MY_APPEALS = "📋 Мои обращения"
BUTTON_STATUS = "🔎 Статус по номеру"
BUTTON_CHECKLIST = "🧾 Что подготовить"
BUTTON_HELP = "❓ Помощь"
BUTTON_CALLBACK = "📞 Обратный звонок"
BUTTON_MAIN_MENU = "🏠 Главное меню"
BUTTON_CANCEL = "✖️ Отмена"
BUTTON_BACK = "⬅️ Назад"
BUTTON_SKIP = "Пропустить"
BUTTON_CONFIRM = "✅ Отправить"

# Typed words that act like the navigation buttons (compared case-insensitively).
CANCEL_WORDS = ("отмена", "отменить", "стоп", "cancel")
MENU_WORDS = ("главное меню", "меню", "в меню", "начало")

BOT_COMMANDS = {
    "start": "Главное меню",
    "phone": "Сменить номер телефона",
    "recovery": "Не могу войти",
    "appeal": "Новое обращение",
    "complaint": "Письменная жалоба",
    "callback": "Заказать обратный звонок",
    "my": "Мои обращения",
    "status": "Статус обращения по номеру",
    "checklist": "Что подготовить",
    "cancel": "Отменить текущее действие",
    "forget": "Удалить мои персональные данные",
    "help": "Что умеет бот",
}

STATUS_NAMES = {
    "new": "новое",
    "in_progress": "в работе",
    "answered": "дан ответ",
    "closed": "закрыто",
}

APPEAL_TYPE_NAMES = {
    "technical": "Техническая неисправность",
    "service_question": "Вопрос по услуге",
    "complaint": "Жалоба",
    "consultation": "Консультация",
    "access_recovery": "Восстановление доступа",
    "callback": "Обратный звонок",
}

APPEAL_FILED = (
    "✅ Обращение зарегистрировано.\n"
    "Номер: <b>{number}</b>\n"
    "Тип: {type}\n\n"
    "Сохраните номер: по нему можно узнать статус в разделе «Статус по номеру» "
    "или в «Мои обращения». Ответ специалиста придёт в этот чат."
)

# A field left empty (skipped); the word agrees with the field's name: «Номер заявления: не указан».
FIELD_NOT_GIVEN = "не указано"
FIELD_NOT_GIVEN_AS = {
    "service_name": "не указана",
    "error_text": "не указан",
    "application_number": "не указан",
    "topic": "не указана",
    "caller_phone": "не указан",
    "callback_phone": "не указан",
    "attempts": "не указаны",
    "errors": "не указаны",
    "desired_result": "не указан",
    "cause": "не указана",
    "snils": "не указан",
}
# Names of every collected appeal field, for summaries, details and operator cards.
FIELD_NAMES = {
    "service_name": "Услуга",
    "description": "Описание",
    "error_text": "Текст ошибки",
    "occurred_at": "Когда произошло",
    "application_number": "Номер заявления",
    "topic": "Тема",
    "caller_phone": "Номер, с которого звонили",
    "callback_phone": "Телефон для звонка",
    "attempts": "Даты и время попыток",
    "errors": "Сообщения об ошибках",
    "desired_result": "Желаемый результат",
    "cause": "Причина",
    "full_name": "ФИО",
    "snils": "СНИЛС",
    "contact": "Для ответа",
    "attachments": "Вложения",
}

# For a citizen whose update could not be saved: the database is lost or corrupt.
STORAGE_UNAVAILABLE = (
    "Сервис временно недоступен, последнее сообщение не сохранено. "
    "Пожалуйста, повторите его через несколько минут."
)

# For the administrator: the one line the bot logs when it stops for its database.
DATABASE_CORRUPT = (
    "База данных {path} повреждена ({detail}). Бот остановлен: восстановите файл из резервной "
    "копии (её делает python -m bot backup ПУТЬ) и запустите бота снова."
)
DATABASE_LOST = (
    "Файл базы данных {path} удалён или подменён во время работы бота. Бот перестал принимать "
    "сообщения и остановлен: верните файл или восстановите его из резервной копии "
    "(python -m bot backup ПУТЬ) и запустите бота снова."
)

"""Texts of the operators' chat: cards, buttons, commands, refusals."""

STATUS_ICONS = {"new": "🆕", "in_progress": "🛠", "answered": "💬", "closed": "✅"}

# --- the card ------------------------------------------------------------------
CARD_TITLE = "{icon} <b>Обращение № {number}</b>"
CARD_TYPE = "Тип: {type}"
CARD_STATUS = "Статус: <b>{status}</b>"
CARD_FILED = "Подано: {created}"
CARD_ASSIGNEE = "Ответственный: {name}"
CARD_DESK = "Отдел: {desk}"
CARD_FIELD = "<b>{name}:</b> {value}"
CARD_ATTACHMENTS = "📎 Вложений: {count} (ниже)"
CARD_RESOLUTION = "<b>Итог:</b> {resolution}"
CARD_RATING = "<b>Оценка гражданина:</b> {stars} {score}/5"
CARD_RATING_COMMENT = "<b>Отзыв:</b> {comment}"
CARD_BANNED = "⛔ Переписка остановлена операторами (/unban, чтобы возобновить)"
CARD_ERASED = {
    "request": "🗑 Гражданин удалил свои персональные данные (/forget): поля, переписка "
    "и вложения стёрты, сообщения по обращению в этом чате удалены.",
    "retention": "🗑 Персональные данные удалены: истёк срок хранения.",
}
CARD_BOT_BLOCKED = "🚫 Гражданин заблокировал бота: сообщения ему не доставляются"
CARD_HINT = "Ответ гражданину: ответьте на эту карточку{where} (текст, фото, документ)."
CARD_HINT_TOPIC = " или напишите в этой теме"
TOPIC_TITLE = "{number} · {type}"

BUTTON_TAKE = "🛠 Взять в работу"
BUTTON_CLOSE = "✅ Закрыть"
BUTTON_REVEAL = "👁 Показать данные"
BUTTON_TEMPLATES = "📋 Шаблоны"
BUTTON_CLOSE_PLAIN = "Закрыть без итога"
BUTTON_CLOSE_CANCEL = "Не закрывать"

# --- relayed to the operators ------------------------------------------------
FROM_CITIZEN = "💬 <b>Гражданин</b> · № {number}\n{text}"
FROM_CITIZEN_NO_TEXT = "💬 <b>Гражданин</b> · № {number}"
CITIZEN_COMMENT = "📝 <b>Комментарий гражданина</b> · № {number}\n{text}"
CITIZEN_EDITED = "✏️ <b>Гражданин изменил сообщение</b> · № {number}\n{text}"
ATTACHMENTS_CAPTION = "📎 Вложения к обращению № {number}"

# --- buttons and replies in the operators' chat --------------------------------
TAKEN = "🛠 Обращение № {number} взято в работу, специалист: {name}."
ALREADY_TAKEN = "Обращение уже в работе: {name}."
NOT_NEW = "Обращение № {number} уже не новое: {status}."
ALREADY_CLOSED = "Обращение № {number} уже закрыто."
APPEAL_GONE = "Обращение не найдено."
ASK_RESOLUTION = (
    "Закрытие обращения № {number}. Напишите одним сообщением краткий итог (до 1000 символов): "
    "его получит гражданин. Или нажмите «Закрыть без итога»."
)
RESOLUTION_EXPECTED = "Итог нужен текстом."
CLOSED = "✅ Обращение № {number} закрыто ({name})."
CLOSE_KEPT = "Обращение № {number} остаётся открытым."
NOTHING_TO_CANCEL = "Отменять нечего."
ANSWER_TO_CLOSED = "Обращение № {number} закрыто: сообщение гражданину не отправлено."
REPLY_NOT_PLACED = (
    "Не понял, к какому обращению относится ответ: это сообщение бота не связано ни с одним "
    "обращением. Гражданину ничего не отправлено. Ответьте на карточку обращения "
    "(/appeal НОМЕР покажет её) или напишите в теме обращения."
)
UNSUPPORTED_CONTENT = (
    "Гражданину можно отправить текст, фото или документ; это сообщение не отправлено."
)
REVEAL = "Данные по № {number}:\n{lines}"
REVEAL_LINE = "{name}: {value}"
REVEAL_RESOLUTION = "Итог"
REVEAL_RATING_COMMENT = "Отзыв"
REVEAL_CALL_RESULT = "Итог звонка"
REVEAL_MESSAGE = "Сообщение гражданина"
REVEAL_TOO_LONG = "Данные длинные: отправил их вам в личный чат с ботом."
REVEAL_START_BOT = (
    "Данные не помещаются во всплывающее окно. Откройте личный чат с ботом (/start) "
    "и нажмите ещё раз."
)
NO_HIDDEN_DATA = "В этом обращении нет скрытых данных."

# --- access ----------------------------------------------------------------------
NOT_OPERATOR = "Это доступно только операторам поддержки."
ANONYMOUS_ADMIN = (
    "Бот не знает, кто пишет: отключите анонимность администратора («Оставаться анонимным»), "
    "чтобы работать с обращениями."
)
OPERATOR_COMMAND_ONLY = "Эта команда доступна только операторам поддержки в их рабочем чате."

# --- commands ----------------------------------------------------------------------
APPEAL_USAGE = "Укажите номер обращения: /appeal 2026-000042"
APPEAL_NOT_FOUND = "Обращение № {number} не найдено."
NUMBER_INVALID = "Номер обращения выглядит так: 2026-000042."
OPEN_HEADER = "📂 <b>Открытые обращения: {count}</b> (сначала самые старые)"
OPEN_ITEM = "№ {number} · {type} · {status} · ждёт {waited}"
OPEN_MORE = "…и ещё {count}"
OPEN_EMPTY = "Открытых обращений нет."
STATS = (
    "📊 <b>Статистика обращений</b>\n"
    "Всего: {total}\n"
    "По статусам: {statuses}\n"
    "По типам: {types}\n"
    "Медиана времени до первого ответа: {median}\n"
    "Средняя оценка: {rating}"
)
STATS_PART = "{name} {count}"
STATS_MEDIAN = "{duration} (обращений с ответом: {count})"
STATS_NO_ANSWERS = "ответов ещё не было"
STATS_RATING = "{average} из 5 (оценок: {count})"
STATS_NO_RATINGS = "оценок ещё нет"
STATS_NONE = "нет"

TEMPLATES_HEADER = "📋 <b>Шаблоны ответов</b>"
TEMPLATES_PICK = "📋 Шаблоны ответов по обращению № {number}. Нажмите, чтобы отправить гражданину:"
TEMPLATE_ITEM = "<b>{title}</b>: {text}"
TEMPLATES_EMPTY = "Шаблонов пока нет. Добавить: /template_add Название | Текст ответа"
TEMPLATES_HOW = (
    "Чтобы отправить шаблон гражданину, нажмите «📋 Шаблоны» на карточке или отправьте "
    "/templates ответом на карточку (в теме обращения)."
)
TEMPLATE_ADD_USAGE = (
    "Формат: /template_add Название | Текст ответа\n"
    "(или название в первой строке, а текст со второй). Название до 60 символов, "
    "текст до 3000."
)
TEMPLATE_ADDED = "Шаблон «{title}» сохранён."
TEMPLATE_EXISTS = (
    "Шаблон «{title}» уже есть: удалите его (/template_del {title}) или выберите другое название."
)
TEMPLATE_DEL_USAGE = "Формат: /template_del Название"
TEMPLATE_DELETED = "Шаблон «{title}» удалён."
TEMPLATE_NOT_FOUND = "Шаблона «{title}» нет. Список: /templates"
TEMPLATE_SENT = "📋 Гражданину отправлен шаблон «{title}» по обращению № {number} ({name})."
TEMPLATE_PREVIEW = (
    "📋 Шаблон «{title}» по обращению № {number}. Гражданин получит:\n\n{text}\n\nОтправить?"
)
TEMPLATE_REPEAT = (
    "📋 Шаблон «{title}» уже отправлен по обращению № {number} меньше минуты назад. "
    "Отправить его ещё раз?"
)
BUTTON_TEMPLATE_SEND = "✅ Отправить"
BUTTON_TEMPLATE_AGAIN = "✅ Да, отправить ещё раз"
BUTTON_TEMPLATE_BACK = "✖️ Отмена"
TEMPLATE_GONE = "Этого шаблона больше нет."

THREAD_COMMAND_USAGE = (
    "Отправьте команду ответом на карточку обращения, в его теме или с номером: "
    "{command} 2026-000042"
)
BANNED = "⛔ Сообщения гражданина (обращение № {number}) больше не передаются. Отменить: /unban"
ALREADY_BANNED = "Переписка с этим гражданином уже остановлена. Отменить: /unban"
UNBANNED = "✅ Переписка с гражданином (обращение № {number}) возобновлена."
NOT_BANNED = "Переписка с этим гражданином не была остановлена."

HELP = (
    "<b>Работа с обращениями</b>\n\n"
    "Каждое обращение приходит карточкой{forum}. Кнопки карточки:\n"
    "• «Взять в работу»: обращение закрепляется за вами, статус «в работе»;\n"
    "• «Закрыть»: бот попросит краткий итог, статус «закрыто», гражданин получит итог "
    "и предложение оценить ответ;\n"
    "• «Показать данные»: телефон, СНИЛС, ФИО и номера в тексте гражданина без маскировки "
    "(видите только вы);\n"
    "• «Шаблоны»: отправить гражданину готовый ответ;\n"
    "• «Позвонил» и «Не дозвонился» (обратный звонок): бот спросит краткий итог "
    "разговора или предложит гражданину выбрать новое время.\n\n"
    "Ответ гражданину: ответьте на карточку или на сообщение гражданина (в теме обращения "
    "можно писать просто так). Бот перешлёт текст, фото или документ от своего имени, "
    "статус станет «дан ответ».\n\n"
    "Команды: /appeal 2026-000042: карточка ещё раз; /open: открытые обращения; "
    "/overdue: нарушенные сроки и сроки под угрозой; /shift: встать на смену или уйти с неё; "
    "/assign @оператор (ответом на карточку): передать обращение; "
    "/move отдел (ответом на карточку): передать в другой отдел; "
    "/callbacks: обратные звонки на сегодня; "
    "/stats: статистика; /templates: шаблоны; /template_add Название | Текст; "
    "/template_del Название; /ban и /unban (ответом на карточку): остановить или "
    "возобновить переписку с гражданином; /cancel: отменить закрытие."
)
HELP_FORUM = " в отдельной теме"

SHIFT_ON = (
    "🟢 {name}, вы на смене: новые обращения назначаются вам по очереди (до {capacity} открытых)."
)
SHIFT_ON_MANUAL = (
    "🟢 {name}, вы на смене. Автоматическое назначение выключено (OPERATOR_CAPACITY=0): "
    "берите обращения кнопкой «Взять в работу»."
)
SHIFT_OFF = "⚪️ {name}, вы вне смены: новые обращения вам больше не назначаются."
SHIFT_LIST = "На смене: {names}."
SHIFT_NOBODY = "На смене никого: новые обращения ждут в очереди."
SHIFT_ITEM = "{name} ({load} из {capacity})"
ASSIGN_USAGE = (
    "Формат: /assign @оператор ответом на карточку или в теме обращения, "
    "или с номером: /assign @irina 2026-000042"
)
ASSIGN_UNKNOWN = "Оператор @{username} не найден: пусть он хотя бы раз отправит /shift в этом чате."
ASSIGNED = "👤 Обращение № {number} передано: {name} (назначил {by})."
ASSIGN_BUSY = (
    "Обращение № {number} сейчас меняют другие операторы: посмотрите карточку и повторите /assign."
)
ASSIGN_SAME = "Обращение № {number} уже у оператора {name}."

# Several desks (DESKS): /move.
MOVE_USAGE = (
    "Формат: /move отдел ответом на карточку или в теме обращения. Отделы: {desks}; "
    "можно назвать и тип обращения ({types})."
)
MOVE_SINGLE_DESK = "Отдел один: передавать некуда (отделы задаёт настройка DESKS)."
MOVE_UNKNOWN = "Отдела «{desk}» нет. Отделы: {desks}; можно назвать и тип обращения ({types})."
MOVE_SAME = "Обращение № {number} уже в отделе «{desk}»."
MOVE_CLOSED = "Обращение № {number} закрыто: закрытое обращение в другой отдел не передают."
MOVE_BUSY = (
    "Обращение № {number} сейчас меняют другие операторы: посмотрите карточку и повторите /move."
)
MOVED = "↪️ Обращение № {number} передано в отдел «{desk}» ({name})."
CARD_MOVED = (
    "↪️ Обращение № {number} передано в отдел «{desk}» ({name}). Карточка и переписка теперь там."
)
MOVED_ELSEWHERE = (
    "Обращение № {number} передано в отдел «{desk}»: гражданину отвечают там. "
    "Ваше сообщение не отправлено."
)
AUTO_CLOSED_BY = "бот: без ответа гражданина {days} дн."
REOPENED_NOTICE = "🔄 <b>Гражданин возобновил обращение</b> · № {number}"

# --- deadlines (bot/domain/deadlines.py) ---------------------------------------------
DEADLINE_NAMES = {
    "first_response": "Первый ответ",
    "legal": "Ответ по закону (30 дней, 59-ФЗ)",
}
DEADLINE_LAST_DAY = "{date} включительно"
DEADLINE_RUNNING = "⏱ {name}: до {due}, осталось {left}"
DEADLINE_RUNNING_WORKING = "⏱ {name}: до {due}, осталось {left} рабочего времени"
DEADLINE_AT_RISK = "⚠️ {name}: до {due}, осталось {left}"
DEADLINE_AT_RISK_WORKING = "⚠️ {name}: до {due}, осталось {left} рабочего времени"
DEADLINE_BREACHED = "⛔ {name}: срок {due} нарушен, просрочено на {overdue}"
DEADLINE_MET = "✔️ {name}: дан в срок"
DEADLINE_MET_LATE = "☑️ {name}: дан с опозданием на {overdue}"
DEADLINE_ESCALATED = "🚨 Передано руководителям {when}"
DEADLINE_ESCALATED_NOWHERE = "🚨 Срок нарушен {when} (чат руководителей не задан)"
ESCALATION = (
    "🚨 <b>Нарушен срок</b> · № {number}\n"
    "{deadline}: срок {due}, просрочено на {overdue}\n"
    "Тип: {type} · статус: {status} · ответственный: {assignee}\n"
    "Подано: {created}"
)
ESCALATION_NO_ASSIGNEE = "не назначен"
OVERDUE_HEADER = "⏰ <b>Сроки</b>: нарушено {breached}, под угрозой {at_risk}"
OVERDUE_SECTION_BREACHED = "\n⛔ <b>Нарушены</b>"
OVERDUE_SECTION_AT_RISK = "\n⚠️ <b>Под угрозой</b> (осталось меньше 20%)"
OVERDUE_ITEM = "№ {number} · {type} · {status}"
OVERDUE_ITEM_BREACHED = "   {deadline}: срок {due}, просрочено на {overdue}{escalated}"
OVERDUE_ITEM_AT_RISK = "   {deadline}: до {due}, осталось {left}"
OVERDUE_ESCALATED = " · 🚨 эскалировано"
OVERDUE_EMPTY = "⏰ Нарушенных сроков и сроков под угрозой нет."
OVERDUE_DISABLED = (
    "Сроки не настроены: задайте SLA_FIRST_RESPONSE и LEGAL_DEADLINE_TYPES (см. .env.example)."
)

# --- durations ---------------------------------------------------------------------------
DURATION_DAYS = "{days} д {hours} ч"
DURATION_HOURS = "{hours} ч {minutes} мин"
DURATION_MINUTES = "{minutes} мин"
DURATION_NOW = "меньше минуты"

# --- history -------------------------------------------------------------------------------
HISTORY_HEADER = "🗂 <b>История обращения № {number}</b>"
HISTORY_ITEM = "{when} · {who}: {what}"
HISTORY_STATUS = " ({before} → {after})"
HISTORY_TEXT = " «{text}»"
ACTOR_CITIZEN = "гражданин"
ACTOR_SYSTEM = "бот"
EVENT_NAMES = {
    "filed": "подано",
    "taken": "взято в работу",
    "closed": "закрыто",
    "citizen_message": "сообщение гражданина",
    "operator_message": "ответ гражданину",
    "citizen_edit": "гражданин изменил сообщение",
    "operator_edit": "ответ исправлен",
    "rated": "оценка",
    "rating_comment": "отзыв",
    "banned": "переписка остановлена",
    "unbanned": "переписка возобновлена",
    "bot_blocked": "гражданин заблокировал бота",
    "bot_unblocked": "гражданин снова доступен",
    "card_posted": "карточка в чате операторов",
    "card_shown": "карточка показана снова",
    "topic_created": "создана тема",
    "topic_lost": "тема удалена",
    "data_revealed": "просмотр персональных данных",
    "delivery_failed": "не доставлено",
    "call_scheduled": "звонок назначен",
    "call_moved": "звонок перенесён",
    "call_cancelled": "звонок отменён",
    "call_done": "звонок состоялся",
    "call_not_reached": "не дозвонились",
    "call_confirmed": "гражданин подтвердил звонок",
    "relay_dropped_erased": "не доставлено: персональные данные удалены",
    "deadline_breached": "срок нарушен, эскалация",
    "reopened": "гражданин возобновил обращение",
    "assigned": "передано оператору",
    "moved": "передано в отдел",
}

# The command menu shown in the operators' chat.
BOT_COMMANDS = {
    "open": "Открытые обращения",
    "callbacks": "Обратные звонки на сегодня",
    "overdue": "Нарушенные сроки и сроки под угрозой",
    "shift": "Встать на смену или уйти с неё",
    "assign": "Передать обращение: /assign @оператор",
    "move": "Передать в другой отдел: /move complaint",
    "appeal": "Карточка обращения: /appeal 2026-000042",
    "history": "История обращения",
    "stats": "Статистика",
    "templates": "Шаблоны ответов",
    "template_add": "Добавить шаблон: Название | Текст",
    "template_del": "Удалить шаблон",
    "ban": "Остановить переписку с гражданином",
    "unban": "Возобновить переписку",
    "cancel": "Отменить закрытие",
    "help": "Как работать с обращениями",
}

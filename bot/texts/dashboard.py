"""The supervisors' dashboard: the bot's /dashboard answers and the web pages' messages."""

from __future__ import annotations

# /dashboard in a private chat (HTML).
LINK = (
    "🔐 Ссылка для входа в панель руководителя ({role}):\n{url}\n\n"
    "Она действует 10 минут и открывается один раз. Не пересылайте её."
)
ROLE_NAMES = {"operator": "оператор", "supervisor": "руководитель"}
REFUSED = (
    "Панель руководителя доступна только операторам и руководителям службы поддержки. "
    "Чтобы задать вопрос или узнать статус обращения, откройте /menu."
)

# The sign-in page when a link is refused.
LINK_REFUSED = {
    "malformed": "Ссылка повреждена. Получите новую: /dashboard в чате с ботом.",
    "forged": "Ссылка недействительна. Получите новую: /dashboard в чате с ботом.",
    "expired": "Срок действия ссылки истёк (10 минут). Получите новую: /dashboard в чате с ботом.",
    "used": "Эта ссылка уже использована. Получите новую: /dashboard в чате с ботом.",
}
SIGNED_OFF = "Вы вышли из панели. Чтобы войти снова, отправьте /dashboard боту."
SIGNED_OUT = "Вход не выполнен или сеанс истёк. Получите ссылку: /dashboard в чате с ботом."
FORM_EXPIRED = "Форма устарела. Обновите страницу и повторите."
SUPERVISORS_ONLY = "Эта страница доступна только руководителям."

# Charts (SVG), also the /stats chart in the operators' chat.
CHART_FIRST_RESPONSE = "Медиана времени до первого ответа, мин"
CHART_CSAT = "CSAT (оценки 4–5), %"
CHART_FILE_CAPTION = (
    "📈 Последние {days} дней. Сверху: медиана времени до первого ответа, мин. "
    "Снизу: CSAT (оценки 4–5), %. Пустой день: нет данных."
)

# The CSV export: its header row and file name.
CSV_HEADER = (
    "Номер",
    "Тип",
    "Статус",
    "Создано",
    "Первый ответ",
    "Закрыто",
    "Исполнитель",
    "Контакт",
    "Суть",
    "Оценка",
)
CSV_FILE_NAME = "appeals-{stamp}.csv"
AGE_NAMES = ("до 1 ч", "1–4 ч", "4–24 ч", "1–3 дня", "более 3 дней")
DEADLINE_NAMES = {"first_response": "первый ответ", "legal": "срок по 59-ФЗ"}
DEADLINE_STATES = {"at_risk": "под угрозой", "breached": "нарушен"}

# `python -m bot dashboard` when its address is taken or not this machine's.
CANNOT_LISTEN = (
    "Ошибка запуска панели: не удалось занять {host}:{port} ({error}); укажите свободный"
    " DASHBOARD_PORT или другой DASHBOARD_HOST (см. .env.example)"
)

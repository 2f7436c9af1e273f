"""The help section and free-text suggestions."""

HELP_HEADER = (
    "<b>Помощь</b>\n\n"
    "Короткие ответы на частые вопросы: выберите статью. "
    "Команды бота: /start — главное меню, /cancel — отменить действие, "
    "/status 2026-000042 — статус обращения."
)
BUTTON_ALL_ARTICLES = "📚 Все статьи"
SUGGESTIONS = "Вот что может помочь:"

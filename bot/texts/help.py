"""The help section and free-text suggestions."""

HELP_HEADER = (
    "<b>Помощь</b>\n\n"
    "Короткие ответы на частые вопросы: выберите статью. "
    "Команды бота: /start — главное меню, /cancel — отменить действие, "
    "/status 2026-000042 — статус обращения."
)
BUTTON_ALL_ARTICLES = "📚 Все статьи"
# Help opened in the middle of a dialogue (/help): the dialogue waits underneath.
BUTTON_RETURN = "↩️ Продолжить, где остановились"
DRAFT_KEPT = "Ваши ответы сохранены: чтобы продолжить, нажмите «↩️ Продолжить, где остановились»."
SUGGESTIONS = "Вот что может помочь:"

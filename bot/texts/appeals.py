"""Choosing an appeal type, filling in its form, reviewing it."""

CHOOSE_TYPE = "<b>Новое обращение</b>\n\nВыберите тип обращения:"
TYPE_BUTTONS = {
    "technical": "🛠 Техническая неисправность",
    "service_question": "❓ Вопрос по услуге",
    "complaint": "📝 Жалоба",
    "consultation": "💬 Консультация",
    "status_check": "🔎 Узнать статус обращения",
}

# Prompts of the form steps; {step} and {total} show the progress.
PROMPTS = {
    "service_name": "Шаг {step} из {total}. По какой услуге вопрос? Например: «Загранпаспорт».",
    "description": "Шаг {step} из {total}. Опишите вопрос или проблему (до 2000 символов).",
    "error_text": (
        "Шаг {step} из {total}. Какой текст ошибки вы видите? Скопируйте его или перескажите "
        "(если ошибки нет, опишите, что происходит)."
    ),
    "occurred_at": (
        "Шаг {step} из {total}. Когда это произошло? Дата и время, например 20.11.2026 14:30 "
        "или «сегодня 10:15»."
    ),
    "application_number": (
        "Шаг {step} из {total}. Номер заявления на портале, если есть (только цифры). "
        "Если заявления нет, нажмите «Пропустить»."
    ),
    "topic": "Шаг {step} из {total}. Тема консультации: о чём хотите узнать?",
}
SUMMARY = "<b>Проверьте обращение</b>\nТип: {type}\n\n{fields}\n\nВсё верно?"
SUMMARY_LINE = "{name}: {value}"
CONFIRM_EXPECTED = "Нажмите «Отправить», чтобы подать обращение, «Назад» или «Отмена»."

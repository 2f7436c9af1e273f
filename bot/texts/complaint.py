"""The written complaint."""

PROMPTS = {
    "topic": (
        "<b>Письменная жалоба</b>\n\n"
        "Шаг 1 из 6. Тема жалобы: на что вы жалуетесь? "
        "Например: «Не удаётся дозвониться в поддержку». Не более 200 символов."
    ),
    "caller_phone": ("Шаг 2 из 6. С какого номера телефона вы звонили? Например +7 912 345-67-89."),
    "caller_phone_profile": "Звонили с подтверждённого номера {phone}? Нажмите кнопку с ним.",
    "attempts": (
        "Шаг 3 из 6. Когда вы пытались обратиться? Даты и время через запятую, "
        "например: 20.11.2026 10:15, 21.11.2026 12:00."
    ),
    "errors": (
        "Шаг 4 из 6. Какие сообщения об ошибках вы видели или слышали? "
        "Не более 1000 символов. Если никто не ответил, нажмите «Не отвечали»."
    ),
    "desired_result": "Шаг 5 из 6. Какого результата вы ждёте? Не более 1000 символов.",
    "attachments": (
        "Шаг 6 из 6. Приложите фото или документы (скриншоты ошибки, квитанции), "
        "не более {limit}. Если вложений нет, нажмите «Пропустить»."
    ),
}
# Sent under the phone step with the reply keyboard (an inline message cannot ask for a contact).
CONTACT_HINT = (
    "Номер этого аккаунта Telegram можно отправить кнопкой «📱 Отправить мой номер» внизу экрана."
)
BUTTON_PROFILE_PHONE = "📞 {phone}"
PHONE_TAKEN = "Номер, с которого звонили: {phone}."
NO_ANSWER = "не отвечали"
BUTTON_NO_ANSWER = "📵 Не отвечали"
BUTTON_DONE = "✅ Готово"
ATTACHMENTS_LIST = (
    "Шаг 6 из 6. Вложения ({count} из {limit}):\n{items}\n\n"
    "Отправьте ещё фото или документ, удалите лишнее кнопкой «🗑» или нажмите «Готово»."
)
ATTACHMENT_PHOTO = "{index}. фото"
ATTACHMENT_DOCUMENT = "{index}. документ «{name}»"
NO_NAME = "без имени"  # a document sent without a file name
ATTACHMENT_ADDED = "Вложение {count} из {limit} добавлено."
ATTACHMENT_REMOVED = "Вложение {index} удалено."
BUTTON_REMOVE = "🗑 {item[1]}"  # {item[1]}: the number of the attachment in the list
ATTACHMENT_LIMIT = "Можно приложить не более {limit} файлов. Нажмите «Готово»."
ATTACHMENT_EXPECTED = (
    "Отправьте фото или документ, либо нажмите «Готово» (или «Пропустить», если вложений нет)."
)
NO_ATTACHMENTS = "нет"
ATTACHMENTS_COUNT = "{count} шт."

SUMMARY = "<b>Проверьте жалобу</b>\n\n{fields}\n\nЕсли нужно, исправьте поле кнопкой ниже."
SUMMARY_LINE = "<b>{name}:</b> {value}"
BUTTON_EDIT = "✏️ {name}"
REVIEW_EXPECTED = "Проверьте жалобу и нажмите «Отправить» или кнопку поля, которое нужно исправить."

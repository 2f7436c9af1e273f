from __future__ import annotations

import json

import pytest

from bot.states.recovery import AccessRecovery
from testkit.harness import BotHarness, Person
from tests.conftest import BotDatabase

# The citizen has agreed to the processing of personal data: the dialogues open at once.
pytestmark = pytest.mark.usefixtures("consented")


async def open_recovery(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Не могу войти")
    assert replies[0].button_labels()[:5] == [
        "📵 Сменил номер телефона",
        "✉️ Не приходит код из SMS",
        "⛔ Учётная запись заблокирована",
        "🔒 Забыл пароль",
        "❔ Другое",
    ]
    assert await harness.state(citizen) == AccessRecovery.choosing_cause.state


@pytest.mark.parametrize(
    ("cause", "guidance", "buttons"),
    [
        (
            "Сменил номер",
            "Вы сменили номер",
            [
                "📧 Восстановить по e-mail",
                "🪪 Восстановить по СНИЛС",
                "🧑‍💼 Обратиться в поддержку",
                "📱 Сменить номер здесь",
            ],
        ),
        (
            "Не приходит код",
            "Не приходит код из SMS",
            [
                "📧 Восстановить по e-mail",
                "🪪 Восстановить по СНИЛС",
                "🧑‍💼 Обратиться в поддержку",
                "📱 Сменить номер здесь",
            ],
        ),
        (
            "заблокирована",
            "заблокирована",
            [
                "📧 Восстановить по e-mail",
                "🪪 Восстановить по СНИЛС",
                "🧑‍💼 Обратиться в поддержку",
            ],
        ),
        (
            "Забыл пароль",
            "Забыли пароль",
            [
                "📧 Восстановить по e-mail",
                "🪪 Восстановить по СНИЛС",
                "🧑‍💼 Обратиться в поддержку",
            ],
        ),
        ("Другое", "Другая проблема", ["🧑‍💼 Обратиться в поддержку"]),
    ],
)
async def test_each_cause_gets_its_guidance(
    harness: BotHarness, citizen: Person, cause: str, guidance: str, buttons: list[str]
) -> None:
    await open_recovery(harness, citizen)
    replies = await harness.press(citizen, cause)
    assert guidance in replies[0].text
    assert replies[0].button_labels() == [*buttons, "📞 Обратный звонок", "⬅️ Назад", "✖️ Отмена"]
    assert await harness.state(citizen) == AccessRecovery.reading_guidance.state


async def test_email_and_snils_instructions(harness: BotHarness, citizen: Person) -> None:
    await open_recovery(harness, citizen)
    await harness.press(citizen, "Сменил номер")
    replies = await harness.press(citizen, "по e-mail")
    assert "Восстановление по электронной почте" in replies[0].text
    await harness.press(citizen, "Назад")
    replies = await harness.press(citizen, "по СНИЛС")
    assert "Восстановление по СНИЛС" in replies[0].text
    assert "центре обслуживания" in replies[0].text


async def test_escalation_collects_checked_data_and_files_an_appeal(
    harness: BotHarness, citizen: Person, database: BotDatabase
) -> None:
    await open_recovery(harness, citizen)
    await harness.press(citizen, "заблокирована")
    replies = await harness.press(citizen, "Обратиться в поддержку")
    assert "Шаг 1 из 4" in replies[0].text
    replies = await harness.send(citizen, "Иванов 123")
    assert "фамилию, имя и отчество" in replies[0].text
    await harness.send(citizen, "Иванова Анна Петровна")
    replies = await harness.send(citizen, "112-233-445 96")
    assert "Контрольное число СНИЛС не сходится" in replies[0].text
    assert await harness.state(citizen) == AccessRecovery.waiting_for_snils.state
    await harness.send(citizen, "112-233-445 95")
    assert "ни e-mail, ни номер" in (await harness.send(citizen, "когда-нибудь"))[0].text
    await harness.send(citizen, "anna@mail.ru")
    replies = await harness.send(citizen, "Вход заблокирован после смены пароля")
    summary = replies[0].text
    assert "ФИО: Иванова Анна Петровна" in summary and "СНИЛС: 112-233-445 95" in summary
    assert replies[0].button_labels() == ["✅ Отправить", "⬅️ Назад", "✖️ Отмена"]
    replies = await harness.press(citizen, "Отправить")
    assert "Номер: 2026-000001" in replies[0].text
    assert await harness.state(citizen) is None
    row = await database.fetchone("SELECT * FROM appeals")
    assert row["type"] == "access_recovery" and row["citizen_id"] == citizen.id
    assert json.loads(row["fields"]) == {
        "cause": "blocked",
        "full_name": "Иванова Анна Петровна",
        "snils": "112-233-445 95",
        "contact": "anna@mail.ru",
        "description": "Вход заблокирован после смены пароля",
    }


async def test_back_walks_the_form_backwards(harness: BotHarness, citizen: Person) -> None:
    await open_recovery(harness, citizen)
    await harness.press(citizen, "Другое")
    await harness.press(citizen, "Обратиться в поддержку")
    await harness.send(citizen, "Иванова Анна")
    assert await harness.state(citizen) == AccessRecovery.waiting_for_snils.state
    replies = await harness.press(citizen, "Назад")
    assert "Шаг 1 из 4" in replies[0].text
    replies = await harness.press(citizen, "Назад")
    assert "Другая проблема" in replies[0].text
    replies = await harness.press(citizen, "Назад")
    assert await harness.state(citizen) == AccessRecovery.choosing_cause.state


async def test_text_where_a_button_is_expected(harness: BotHarness, citizen: Person) -> None:
    await open_recovery(harness, citizen)
    replies = await harness.send(citizen, "у меня всё сломалось")
    assert "выберите вариант кнопкой" in replies[0].text
    assert "📵 Сменил номер телефона" in replies[0].button_labels()
    assert await harness.state(citizen) == AccessRecovery.choosing_cause.state

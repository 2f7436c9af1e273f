from __future__ import annotations

import pytest

from bot.domain.content import ARTICLE_PREFIX
from bot.domain.models import AppealType
from bot.keyboards.targets import DIALOGUE_TARGETS
from bot.settings import CONTENT_DIR
from testkit.harness import BotHarness, Person

ARTICLE_IDS = sorted(path.stem.split("_", 1)[1] for path in (CONTENT_DIR / "help").glob("*.md"))


async def test_help_lists_every_article(harness: BotHarness, citizen: Person) -> None:
    await harness.send(citizen, "/start")
    replies = await harness.press(citizen, "Помощь")
    assert replies[0].text.startswith("Помощь")
    titles = [label for label in replies[0].button_labels() if label.startswith("📄")]
    assert len(titles) == len(ARTICLE_IDS) == 7
    assert "📄 Не могу войти после смены номера" in titles


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
async def test_every_article_button_opens_its_dialogue(
    harness: BotHarness, citizen: Person, article_id: str
) -> None:
    content = harness.dispatcher["help_content"]
    article = content.by_id[article_id]
    for target in article.buttons:
        # The article anew for each button: a dialogue takes the buttons of the
        # message it was opened from away, as it does with its own earlier steps.
        await harness.send(citizen, "/help")
        opened = (await harness.press(citizen, article.title))[0]
        assert opened.html == article.html
        assert opened.button_labels()[-2:] == ["📚 Все статьи", "🏠 Главное меню"]
        if target.startswith(ARTICLE_PREFIX):
            label = "📄 " + content.by_id[target.removeprefix(ARTICLE_PREFIX)].title
        else:
            label = DIALOGUE_TARGETS[target][0]
        assert label in opened.button_labels()
        replies = await harness.press(citizen, label, message=opened)
        assert replies, f"{article_id}: button {label} did nothing"
        assert "больше не действует" not in replies[0].text
        await harness.send(citizen, "/cancel")


async def test_free_text_offers_matching_dialogues(harness: BotHarness, citizen: Person) -> None:
    replies = await harness.send(citizen, "поменял номер и не могу войти")
    assert replies[0].text == "Вот что может помочь:"
    assert replies[0].button_labels() == [
        "📄 Не могу войти после смены номера",
        "🔑 Не могу войти",
        "📱 Сменить номер телефона",
        "🏠 Главное меню",
    ]
    replies = await harness.press(citizen, "Не могу войти после смены номера")
    assert "код для входа уходит на старый номер" in replies[0].text


async def test_appeal_number_in_free_text_opens_its_status(
    harness: BotHarness, citizen: Person
) -> None:
    appeal = await harness.dispatcher["appeals"].file(
        citizen.id, citizen.id, AppealType.TECHNICAL, {"description": "x"}
    )
    replies = await harness.send(citizen, f"где мое заявление {appeal.number}?")
    assert f"Обращение № {appeal.number}" in replies[0].text
    assert "Статус: новое" in replies[0].text


async def test_nonsense_gets_the_main_menu(harness: BotHarness, citizen: Person) -> None:
    replies = await harness.send(citizen, "абырвалг")
    assert "не понял" in replies[0].text
    assert replies[0].button_labels()[0] == "📱 Сменить номер телефона"


async def test_unknown_article_button_is_stale(harness: BotHarness, citizen: Person) -> None:
    await harness.press_data(citizen, "h:removed_article")
    assert harness.telegram.callback_answers[-1].text.startswith("Эта кнопка больше не действует")

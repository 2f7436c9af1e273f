"""Help articles and the free-text routing table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.content import (
    ContentError,
    load_articles,
    load_help_content,
    load_rules,
    markdown_to_html,
)
from bot.keyboards.targets import known_targets
from bot.settings import CONTENT_DIR

ARTICLES = CONTENT_DIR / "help"
RULES = CONTENT_DIR / "routing.yaml"


@pytest.fixture(scope="module")
def content():
    return load_help_content(ARTICLES, RULES, known_targets())


def test_the_shipped_articles_load(content) -> None:
    assert [article.id for article in content.articles] == [
        "change_phone",
        "login_after_phone_change",
        "support_contacts",
        "calls_fail",
        "talk_to_operator",
        "long_wait",
        "written_appeal",
    ]
    assert all(article.buttons for article in content.articles)


def test_markdown_subset_is_escaped_html() -> None:
    assert markdown_to_html("- **Жирно** <script> & _курсив_") == (
        "• <b>Жирно</b> &lt;script&gt; &amp; <i>курсив</i>"
    )


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("без заголовка", "нет заголовка"),
        ("---\nid: x y\ntitle: Заголовок\n---\nТекст", "id должен"),
        ("---\nid: ok\n---\nТекст", "title обязателен"),
        ("---\nid: ok\ntitle: Заголовок\nbuttons: [teleport]\n---\nТекст", "неизвестные кнопки"),
        ("---\nid: ok\ntitle: Заголовок\n---\n", "пустой текст"),
        ("---\nid: ok\ntitle: [Заголовок\n---\nТекст", "ошибка YAML"),
        ("---\nid: ok\ntitle: Заголовок\n---\n" + "я" * 5000, "длиннее 4096"),
    ],
)
def test_malformed_article_names_the_file(tmp_path: Path, text: str, complaint: str) -> None:
    write(tmp_path, "01_good.md", "---\nid: good\ntitle: Хорошая\n---\nТекст")
    write(tmp_path, "02_bad.md", text)
    with pytest.raises(ContentError) as caught:
        load_articles(tmp_path, known_targets())
    assert str(caught.value).startswith("02_bad.md: ")
    assert complaint in str(caught.value)


def test_duplicate_article_ids(tmp_path: Path) -> None:
    write(tmp_path, "01.md", "---\nid: same\ntitle: Первая\n---\nТекст")
    write(tmp_path, "02.md", "---\nid: same\ntitle: Вторая\n---\nТекст")
    with pytest.raises(ContentError, match=r"02\.md"):
        load_articles(tmp_path, known_targets())


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("rules: []", "непустой список"),
        ("rules:\n  - target: nowhere\n    phrases: [x]", "неизвестная цель"),
        ("rules:\n  - target: recovery\n    phrases: []", "phrases"),
        ("rules: [", "не удалось прочитать"),
    ],
)
def test_malformed_rules_name_the_file(tmp_path: Path, text: str, complaint: str) -> None:
    write(tmp_path, "routing.yaml", text)
    with pytest.raises(ContentError) as caught:
        load_rules(tmp_path / "routing.yaml", known_targets())
    assert str(caught.value).startswith("routing.yaml: ") and complaint in str(caught.value)


ROUTES = {
    "не приходит смс": "recovery",
    "Не приходит SMS с кодом": "recovery",
    "код не приходит уже час": "recovery",
    "поменял номер и не могу войти": "article:login_after_phone_change",
    "Поменяла номер телефона, теперь не могу зайти": "article:login_after_phone_change",
    "сменил сим-карту": "article:login_after_phone_change",
    "код приходит на старый номер": "article:login_after_phone_change",
    "не могу войти в личный кабинет": "recovery",
    "не получается зайти на госуслуги": "recovery",
    "забыл пароль": "recovery",
    "как восстановить пароль": "recovery",
    "мою учётку заблокировали": "recovery",
    "хочу пожаловаться": "complaint",
    "у меня жалоба на оператора": "complaint",
    "оператор нагрубил": "complaint",
    "хочу сменить номер телефона": "change_phone",
    "нужно поменять номер": "change_phone",
    "у меня новый номер": "change_phone",
    "как сменить номер на портале": "article:change_phone",
    "не могу дозвониться в поддержку": "complaint",
    "звонок не проходит": "article:calls_fail",
    "не могу позвонить на горячую линию": "article:calls_fail",
    "жду на линии уже 20 минут, долго жду": "article:long_wait",
    "где мое заявление?": "status",
    "что с моим обращением": "status",
    "какой статус обращения": "status",
    "покажите мои обращения": "my_appeals",
    "список обращений": "my_appeals",
    "хочу подать обращение": "new_appeal",
    "ошибка на портале при оплате": "new_appeal",
    "не работает приложение": "new_appeal",
    "нужна консультация": "new_appeal",
    "телефон поддержки": "article:support_contacts",
    "как связаться с поддержкой": "article:support_contacts",
    "куда позвонить": "article:support_contacts",
    "что сказать оператору": "article:talk_to_operator",
    "соедините с оператором, живой человек": "article:talk_to_operator",
    "как подать письменное обращение": "article:written_appeal",
    "какие документы подготовить": "checklist",
    "что нужно для обращения": "checklist",
    "ВХОД НЕ РАБОТАЕТ!!!": "recovery",
    "Не могу войти после того как поменял телефон": "article:login_after_phone_change",
    "перезвоните мне": "callback_request",
    "Перезвоните мне, пожалуйста!": "callback_request",
    "закажите звонок": "callback_request",
    "хочу заказать обратный звонок": "callback_request",
    "обратный звонок": "callback_request",
    "можно мне перезвонить?": "callback_request",
    "хочу чтобы мне перезвонили": "callback_request",
    "позвоните мне по поводу заявления": "callback_request",
    "пусть мне позвонят": "callback_request",
    "не могу дозвониться, перезвоните мне": "complaint",
}


@pytest.mark.parametrize(("phrase", "target"), ROUTES.items())
def test_phrasing_lands_first_where_it_should(content, phrase: str, target: str) -> None:
    assert content.matcher.match(phrase)[0] == target


def test_at_least_forty_phrasings_are_covered() -> None:
    assert len(ROUTES) >= 40


def test_several_suggestions_best_first_at_most_three(content) -> None:
    assert content.matcher.match("поменял номер и не могу войти") == [
        "article:login_after_phone_change",
        "recovery",
        "change_phone",
    ]
    assert (
        len(content.matcher.match("не могу дозвониться, жалоба, долго жду, никто не отвечает")) == 3
    )


@pytest.mark.parametrize("nonsense", ["привет", "asdfgh", "🙂🙂🙂", "12345", "погода в Москве", ""])
def test_nonsense_matches_nothing(content, nonsense: str) -> None:
    assert content.matcher.match(nonsense) == []


# What an article's text mentions -> the button it must end with (issue 16 item 8).
MENTIONS = {
    "«Что подготовить»": "checklist",
    "обратный звонок": "callback_request",
    "жалоб": "complaint",
    "узнать статус": "status",
}


def test_every_article_offers_buttons_to_what_it_mentions(content) -> None:
    titles = {f"статью «{article.title}»": f"article:{article.id}" for article in content.articles}
    for article in content.articles:
        text = article.html.lower()
        for mention, target in {**MENTIONS, **titles}.items():
            if mention.lower() in text and target != f"article:{article.id}":
                assert target in article.buttons, (article.id, mention)


def test_an_article_may_lead_to_another_but_not_to_a_missing_one(tmp_path: Path) -> None:
    header = "---\nid: {id}\ntitle: Статья {id}\nbuttons: [{buttons}]\n---\nТекст.\n"
    (tmp_path / "a.md").write_text(header.format(id="first", buttons="'article:second'"))
    (tmp_path / "b.md").write_text(header.format(id="second", buttons="help"))
    assert load_articles(tmp_path, known_targets())[0].buttons == ("article:second",)
    (tmp_path / "b.md").unlink()
    with pytest.raises(ContentError):
        load_articles(tmp_path, known_targets())

"""Telegram's HTML parse mode and text normalisation, tested as pure functions."""

from __future__ import annotations

import pytest
from aiogram import html
from hypothesis import given
from hypothesis import strategies as st

from fake_telegram.errors import TelegramApiError
from fake_telegram.formatting import (
    FormattedText,
    format_text,
    parse_html,
    trim_whitespace,
    utf16_length,
    validate_entities,
)


def test_tags_become_entities_over_the_plain_text() -> None:
    parsed = parse_html("<b>Заявка</b> №<code>42</code> <i>принята</i>")

    assert parsed.text == "Заявка №42 принята"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "code", "offset": 8, "length": 2},
        {"type": "italic", "offset": 11, "length": 7},
    ]


def test_character_references_are_unescaped() -> None:
    assert parse_html("&lt;b&gt; &amp; &quot;x&quot; &#1046; &#x416;").text == '<b> & "x" Ж Ж'


def test_offsets_count_utf16_code_units_like_the_bot_api() -> None:
    parsed = parse_html("😀 <b>ok</b>")

    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 2}]


def test_links_spoilers_quotes_and_custom_emoji() -> None:
    parsed = parse_html(
        '<a href="https://gosuslugi.ru/help">помощь</a> <span class="tg-spoiler">s</span> '
        "<tg-spoiler>t</tg-spoiler> <blockquote expandable>q</blockquote> "
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )

    assert [entity["type"] for entity in parsed.entities] == [
        "text_link",
        "spoiler",
        "spoiler",
        "expandable_blockquote",
        "custom_emoji",
    ]
    assert parsed.entities[0]["url"] == "https://gosuslugi.ru/help"
    assert parsed.entities[-1]["custom_emoji_id"] == "5368324170671202286"


def test_pre_with_code_language_is_one_pre_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')

    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 8, "language": "python"}]


def test_lone_code_loses_its_language() -> None:
    assert parse_html('<code class="language-python">x</code>').entities == [
        {"type": "code", "offset": 0, "length": 1}
    ]


def test_nested_entities_start_with_the_outer_one() -> None:
    parsed = parse_html("<b><i>x</i>y</b>")

    assert [entity["type"] for entity in parsed.entities] == ["bold", "italic"]


def test_empty_tags_make_no_entity() -> None:
    assert parse_html("<b></b>x").entities == []


def test_attribute_syntax_telegram_accepts() -> None:
    parsed = parse_html("<a href=example.com >x</a><A href='https://a.b'>y</A>")

    assert [entity["url"] for entity in parsed.entities] == ["http://example.com/", "https://a.b"]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>test</b></i>",
            'Unmatched end tag at byte offset 10, expected "</i>", found "</b>"',
        ),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("Цена < 100", 'Unsupported start tag "" at byte offset 9'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<b x>y</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_invalid_html_is_rejected_with_telegrams_message(source: str, detail: str) -> None:
    with pytest.raises(TelegramApiError) as raised:
        parse_html(source)

    assert raised.value.error_code == 400
    assert raised.value.description == f"Bad Request: can't parse entities: {detail}"


def test_a_bare_ampersand_is_rejected_in_strict_mode_only() -> None:
    with pytest.raises(TelegramApiError, match='Character "&" at byte offset 9 must be escaped'):
        parse_html("Рога & Копыта")

    assert parse_html("Q&A", reject_bare_ampersand=False).text == "Q&A"
    assert parse_html("&nbsp;", reject_bare_ampersand=False).text == "&nbsp;"


def test_ampersands_inside_link_addresses_are_fine() -> None:
    parsed = parse_html('<a href="https://x.ru/?a=1&b=2">x</a>')

    assert parsed.entities[0]["url"] == "https://x.ru/?a=1&b=2"


def test_format_text_trims_whitespace_and_detects_commands() -> None:
    formatted = format_text("  <b>Меню:</b> /start  \n", "HTML", None, reject_bare_ampersand=True)

    assert formatted.text == "Меню: /start"
    assert formatted.entities == [
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "bot_command", "offset": 6, "length": 6},
    ]
    assert formatted.source == "  <b>Меню:</b> /start  \n"


def test_trimming_cuts_entities_to_the_remaining_text() -> None:
    trimmed = trim_whitespace(FormattedText("  ab  ", [{"type": "bold", "offset": 0, "length": 6}]))

    assert trimmed == FormattedText("ab", [{"type": "bold", "offset": 0, "length": 2}])


def test_commands_inside_code_are_not_commands() -> None:
    formatted = format_text("<code>/start</code>", "html", None, reject_bare_ampersand=True)

    assert [entity["type"] for entity in formatted.entities] == ["code"]


@pytest.mark.parametrize(
    ("parse_mode", "status", "description"),
    [
        ("INVALID", 400, "Bad Request: unsupported parse_mode"),
        (
            "MarkdownV2",
            501,
            "Not Implemented: the fake Telegram server does not support parse_mode MarkdownV2; "
            "use HTML",
        ),
    ],
)
def test_parse_modes_other_than_html(parse_mode: str, status: int, description: str) -> None:
    with pytest.raises(TelegramApiError) as raised:
        format_text("x", parse_mode, None, reject_bare_ampersand=True)

    assert (raised.value.error_code, raised.value.description) == (status, description)


@pytest.mark.parametrize(
    ("entities", "description"),
    [
        (
            [{"type": "bold", "offset": 100, "length": 1}],
            "entity begins after the end of the text at UTF-16 offset 100",
        ),
        (
            [{"type": "bold", "offset": 0, "length": 100}],
            "entity beginning at UTF-16 offset 0 ends after the end of the text "
            "at UTF-16 offset 100",
        ),
        (
            [{"type": "invalid_type", "offset": 0, "length": 1}],
            "can't parse MessageEntity: Unsupported type specified",
        ),
        (
            [{"type": "text_link", "offset": 0, "length": 4}],
            "can't parse MessageEntity: Can't find field \"url\"",
        ),
    ],
)
def test_explicit_entities_are_checked(entities: list[dict[str, object]], description: str) -> None:
    with pytest.raises(TelegramApiError) as raised:
        validate_entities("hello", entities)

    assert raised.value.description == f"Bad Request: {description}"


@given(st.text())
def test_quoted_user_input_survives_as_is(user_input: str) -> None:
    assert parse_html(html.quote(user_input)).text == user_input


@given(st.text(min_size=1))
def test_aiogram_formatting_yields_one_entity_over_the_whole_input(user_input: str) -> None:
    parsed = parse_html(html.bold(html.quote(user_input)))

    assert parsed.entities == [{"type": "bold", "offset": 0, "length": utf16_length(user_input)}]

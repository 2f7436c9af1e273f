"""Telegram's text formatting: the HTML parse mode, explicit entities, trimming, bot commands.

Entity offsets and lengths are counted in UTF-16 code units, as the Bot API counts them.
The HTML parser follows the behaviour of Telegram's own parser (TDLib's ``parse_html``): the same
tags, the same tolerance for attribute syntax, and the same error messages with UTF-8 byte offsets,
so a bot that passes here is rejected by Telegram for the same inputs and for no others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from string import digits, hexdigits
from typing import Any

from . import errors

ASCII_SPACES = frozenset(" \t\r\n\f\v")

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

NAMED_CHARACTER_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# Telegram orders entities that start together by length (longest first), then by these
# priorities, so that the outer entity comes first.
ENTITY_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
AUTOMATIC_ENTITY_PRIORITY = 50

ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number",
        "bold", "italic", "underline", "strikethrough", "spoiler", "blockquote",
        "expandable_blockquote", "code", "pre", "text_link", "text_mention", "custom_emoji",
        "date_time",
    }
)  # fmt: skip
ENTITY_REQUIRED_FIELDS = {
    "text_link": "url",
    "text_mention": "user",
    "custom_emoji": "custom_emoji_id",
}

BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
URL_WITH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
BARE_DOMAIN_URL = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?:[/?#]\S*)?$")


@dataclass
class FormattedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    """The parameter as the bot sent it, e.g. the raw HTML."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def format_text(
    raw_text: str,
    parse_mode: str | None,
    explicit_entities: Any,
    *,
    reject_bare_ampersand: bool,
) -> FormattedText:
    """Turn a text or caption parameter into what Telegram stores: plain text plus entities."""
    if explicit_entities is not None:
        formatted = FormattedText(raw_text, validate_entities(raw_text, explicit_entities))
    elif parse_mode:
        if parse_mode.lower() == "html":
            formatted = parse_html(raw_text, reject_bare_ampersand=reject_bare_ampersand)
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            raise errors.not_implemented_by_fake(f"parse_mode {parse_mode}; use HTML")
        else:
            raise errors.bad_request(errors.UNSUPPORTED_PARSE_MODE)
    else:
        formatted = FormattedText(raw_text)
    formatted = with_bot_command_entities(trim_whitespace(formatted))
    return FormattedText(formatted.text, formatted.entities, raw_text)


def parse_html(source: str, *, reject_bare_ampersand: bool = True) -> FormattedText:
    """Parse Telegram's HTML parse mode into plain text and entities.

    ``reject_bare_ampersand`` is stricter than Telegram, which shows a stray ``&`` as text: it
    catches user input glued into HTML without ``html.quote``, which Telegram would accept only
    until the day a user types ``<``.
    """
    return _HtmlParser(source, reject_bare_ampersand).parse()


def validate_entities(text: str, entities: Any) -> list[dict[str, Any]]:
    """Check explicit ``entities``/``caption_entities`` the way Telegram checks them."""
    if not isinstance(entities, list):
        raise errors.bad_request('field "entities" must be of type Array')
    text_length = utf16_length(text)
    accepted = []
    for entity in entities:
        if not isinstance(entity, dict):
            raise errors.bad_request("can't parse MessageEntity: expected an Object")
        entity_type = entity.get("type")
        if entity_type not in ENTITY_TYPES:
            raise errors.bad_request("can't parse MessageEntity: Unsupported type specified")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise errors.bad_request('can\'t parse MessageEntity: Field "offset" must be a Number')
        if offset < 0:
            raise errors.bad_request(f"receive an entity with incorrect offset {offset}")
        if offset > text_length:
            raise errors.bad_request(
                f"entity begins after the end of the text at UTF-16 offset {offset}"
            )
        if offset + length > text_length:
            raise errors.bad_request(
                f"entity beginning at UTF-16 offset {offset} ends after the end of the text "
                f"at UTF-16 offset {offset + length}"
            )
        required_field = ENTITY_REQUIRED_FIELDS.get(entity_type)
        if required_field and not entity.get(required_field):
            raise errors.bad_request(
                f"can't parse MessageEntity: Can't find field \"{required_field}\""
            )
        if length > 0:
            accepted.append(dict(entity))
    return sort_entities(accepted)


def trim_whitespace(formatted: FormattedText) -> FormattedText:
    """Telegram drops leading and trailing whitespace, cutting entities to what remains."""
    text = formatted.text
    trimmed = text.strip("".join(ASCII_SPACES))
    if trimmed == text:
        return formatted
    shift = utf16_length(text[: len(text) - len(text.lstrip("".join(ASCII_SPACES)))])
    new_length = utf16_length(trimmed)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, new_length)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(trimmed, entities)


def with_bot_command_entities(formatted: FormattedText) -> FormattedText:
    """Add the ``bot_command`` entities Telegram detects, where no other entity is."""
    found = []
    for match in BOT_COMMAND.finditer(formatted.text):
        offset = utf16_length(formatted.text[: match.start()])
        length = utf16_length(match.group())
        overlaps = any(
            entity["offset"] < offset + length and offset < entity["offset"] + entity["length"]
            for entity in formatted.entities
        )
        if not overlaps:
            found.append({"type": "bot_command", "offset": offset, "length": length})
    if not found:
        return formatted
    return FormattedText(formatted.text, sort_entities([*formatted.entities, *found]))


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        entities,
        key=lambda entity: (
            entity["offset"],
            -entity["length"],
            ENTITY_TYPE_PRIORITY.get(entity["type"], AUTOMATIC_ENTITY_PRIORITY),
        ),
    )


def checked_link(url: str) -> str | None:
    """Telegram keeps links with a scheme, completes bare domains and drops anything else."""
    if URL_WITH_SCHEME.match(url):
        return url
    if BARE_DOMAIN_URL.match(url):
        return f"http://{url}" if "/" in url else f"http://{url}/"
    return None


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    utf16_start: int
    output_start: int


def _cant_parse(detail: str) -> errors.TelegramApiError:
    return errors.bad_request(f"can't parse entities: {detail}")


class _HtmlParser:
    def __init__(self, source: str, reject_bare_ampersand: bool) -> None:
        self.source = source
        self.reject_bare_ampersand = reject_bare_ampersand
        self.position = 0
        self.output: list[str] = []
        self.utf16_offset = 0
        self.open_tags: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> FormattedText:
        while self.position < len(self.source):
            character = self.source[self.position]
            if character == "&":
                self._read_character_reference()
            elif character == "<":
                if self.source.startswith("</", self.position):
                    self._read_end_tag()
                else:
                    self._read_start_tag()
            else:
                self._emit(character)
                self.position += 1
        if self.open_tags:
            unclosed = self.open_tags[-1].name
            raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{unclosed}"')
        return FormattedText("".join(self.output), sort_entities(self.entities))

    def _byte_offset(self, position: int) -> int:
        return len(self.source[:position].encode("utf-8"))

    def _at_end(self) -> bool:
        return self.position >= len(self.source)

    def _current(self) -> str:
        return self.source[self.position] if self.position < len(self.source) else ""

    def _skip_spaces(self) -> None:
        while not self._at_end() and self._current() in ASCII_SPACES:
            self.position += 1

    @staticmethod
    def _is_name_token_character(character: str) -> bool:
        return (character.isascii() and character.isalnum()) or character in {".", "-"}

    def _emit(self, character: str) -> None:
        self.output.append(character)
        self.utf16_offset += 2 if ord(character) > 0xFFFF else 1

    def _read_character_reference(self) -> None:
        decoded = decode_character_reference(self.source, self.position)
        if decoded is None:
            if self.reject_bare_ampersand:
                raise _cant_parse(
                    f'Character "&" at byte offset {self._byte_offset(self.position)} must be '
                    "escaped as &amp; (strict check of the fake Telegram server; real Telegram "
                    "shows a stray & as text)"
                )
            self._emit("&")
            self.position += 1
            return
        character, self.position = decoded
        self._emit(character)

    def _read_start_tag(self) -> None:
        tag_begin = self.position
        name_end = tag_begin + 1
        while name_end < len(self.source) and self.source[name_end] not in ASCII_SPACES | {">"}:
            name_end += 1
        if name_end >= len(self.source):
            raise _cant_parse(f"Unclosed start tag at byte offset {self._byte_offset(tag_begin)}")
        name = self.source[tag_begin + 1 : name_end].lower()
        if name not in SUPPORTED_TAGS:
            raise _cant_parse(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(tag_begin)}'
            )
        self.position = name_end
        attributes = self._read_attributes(name, tag_begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise _cant_parse(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{self._byte_offset(tag_begin)}"
            )
        self.open_tags.append(_OpenTag(name, attributes, self.utf16_offset, len(self.output)))

    def _read_attributes(self, tag_name: str, tag_begin: int) -> dict[str, str]:
        tag_offset = self._byte_offset(tag_begin)
        attributes: dict[str, str] = {}
        while True:
            self._skip_spaces()
            if self._at_end():
                raise _cant_parse(f"Unclosed start tag at byte offset {tag_offset}")
            if self._current() == ">":
                self.position += 1
                return attributes
            name_begin = self.position
            while not self._at_end() and self._current() not in ASCII_SPACES | {"=", ">"}:
                self.position += 1
            attribute_name = self.source[name_begin : self.position]
            if not attribute_name:
                raise _cant_parse(
                    f'Empty attribute name in the tag "{tag_name}" at byte offset {tag_offset}'
                )
            self._skip_spaces()
            if self._current() != "=":
                if tag_name == "blockquote" and attribute_name == "expandable":
                    attributes[attribute_name] = ""
                    continue
                raise _cant_parse(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag_name}" at byte offset {tag_offset}'
                )
            self.position += 1
            self._skip_spaces()
            if self._at_end():
                raise _cant_parse(f'Unclosed start tag "{tag_name}" at byte offset {tag_offset}')
            attributes[attribute_name] = self._read_attribute_value()
            if self._at_end():
                raise _cant_parse(f"Unclosed start tag at byte offset {tag_offset}")

    def _read_attribute_value(self) -> str:
        quote = self._current()
        if quote not in {"'", '"'}:
            token_begin = self.position
            while not self._at_end() and self._is_name_token_character(self._current()):
                self.position += 1
            if self._current() not in ASCII_SPACES | {">"}:
                raise _cant_parse(
                    f"Unexpected end of name token at byte offset {self._byte_offset(token_begin)}"
                )
            return self.source[token_begin : self.position].lower()
        self.position += 1
        value: list[str] = []
        while not self._at_end() and self._current() != quote:
            if self._current() == "&":
                decoded = decode_character_reference(self.source, self.position)
                if decoded is not None:
                    character, self.position = decoded
                    value.append(character)
                    continue
            value.append(self._current())
            self.position += 1
        if not self._at_end():
            self.position += 1
        return "".join(value)

    def _read_end_tag(self) -> None:
        tag_begin = self.position
        tag_offset = self._byte_offset(tag_begin)
        if not self.open_tags:
            raise _cant_parse(f"Unexpected end tag at byte offset {tag_offset}")
        self.position += 2
        while not self._at_end() and self._current() not in ASCII_SPACES | {">"}:
            self.position += 1
        end_name = self.source[tag_begin + 2 : self.position].lower()
        self._skip_spaces()
        if self._current() != ">":
            raise _cant_parse(f"Unclosed end tag at byte offset {tag_offset}")
        self.position += 1
        open_tag = self.open_tags[-1]
        if end_name and end_name != open_tag.name:
            raise _cant_parse(
                f'Unmatched end tag at byte offset {tag_offset}, expected "</{open_tag.name}>", '
                f'found "</{end_name}>"'
            )
        self.open_tags.pop()
        self._close_entity(open_tag)

    def _close_entity(self, tag: _OpenTag) -> None:
        length = self.utf16_offset - tag.utf16_start
        if length <= 0:
            return
        span = {"offset": tag.utf16_start, "length": length}
        previous = self.entities[-1] if self.entities else None
        same_span_as_previous = previous is not None and all(
            previous[key] == span[key] for key in ("offset", "length")
        )
        css_class = tag.attributes.get("class", "")
        language = css_class.removeprefix("language-") if css_class.startswith("language-") else ""
        if tag.name in TAG_ENTITY_TYPES:
            self.entities.append({"type": TAG_ENTITY_TYPES[tag.name], **span})
        elif tag.name == "tg-emoji":
            emoji_id = tag.attributes.get("emoji-id", "")
            if not emoji_id.isdigit() or int(emoji_id) == 0 or int(emoji_id) >= 2**63:
                raise _cant_parse("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": emoji_id})
        elif tag.name == "a":
            url = tag.attributes.get("href") or "".join(self.output[tag.output_start :])
            link = checked_link(url)
            if link is not None:
                self.entities.append({"type": "text_link", **span, "url": link})
        elif tag.name == "pre":
            if (
                previous
                and same_span_as_previous
                and previous["type"] == "code"
                and "language" in previous
            ):
                previous["type"] = "pre"
            else:
                self.entities.append({"type": "pre", **span})
        elif tag.name == "code":
            if previous and same_span_as_previous and previous["type"] == "pre" and language:
                previous["language"] = language
            elif language:
                # Kept only until the enclosing <pre> closes: a lone <code> has no language.
                self.entities.append({"type": "code", **span, "language": language})
            else:
                self.entities.append({"type": "code", **span})
        elif tag.name == "blockquote":
            quote_type = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
            self.entities.append({"type": quote_type, **span})
        if not self.open_tags:
            self._forget_languages_of_lone_code()

    def _forget_languages_of_lone_code(self) -> None:
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)


def decode_character_reference(text: str, start: int) -> tuple[str, int] | None:
    """Decode ``&lt;``, ``&#60;`` or ``&#x3c;`` at ``start``: (character, end) or None.

    Telegram knows only these four names and numeric references; the ``;`` is optional.
    """
    end = start + 1
    if text.startswith("#", end):
        end += 1
        is_hexadecimal = text.startswith("x", end)
        allowed_digits = hexdigits if is_hexadecimal else digits
        end += is_hexadecimal
        digits_begin = end
        while end < len(text) and text[end] in allowed_digits:
            end += 1
        if end == digits_begin or end - start >= 10:
            return None
        code_point = int(text[digits_begin:end], 16 if is_hexadecimal else 10)
        if code_point == 0 or code_point >= 0x10FFFF:
            return None
        if 0xD800 <= code_point <= 0xDFFF:
            raise _cant_parse(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        character = chr(code_point)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = NAMED_CHARACTER_REFERENCES.get(text[start + 1 : end])
        if named is None:
            return None
        character = named
    if text.startswith(";", end):
        end += 1
    return character, end

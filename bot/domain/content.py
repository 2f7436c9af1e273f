"""Help articles, free-text routing rules and the consent text, from editable data files.

Support staff edit ``bot/content/help/*.md`` (YAML front matter + a small
Markdown subset), ``bot/content/routing.yaml`` and ``bot/content/consent.md``
without touching code. A malformed file stops start-up with
:class:`ContentError` naming the file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from snowballstemmer import stemmer

from bot.domain.text_split import MESSAGE_LIMIT, visible_length
from bot.domain.word_match import fold_lookalikes, split_negation, stem_matches

ARTICLE_PREFIX = "article:"
_ARTICLE_ID = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


class ContentError(ValueError):
    """A data file that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    html: str
    buttons: tuple[str, ...]  # dialogue targets, see bot.keyboards.targets


def markdown_to_html(text: str) -> str:
    """The Markdown subset of the articles: **bold**, _italic_, «- » bullets."""
    lines = []
    for line in html.escape(text.strip(), quote=False).split("\n"):
        if line.startswith("- "):
            line = "• " + line[2:]
        line = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", line)
        line = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"<i>\1</i>", line)
        lines.append(line)
    return "\n".join(lines)


def load_articles(folder: Path, known_targets: frozenset[str]) -> list[Article]:
    articles: list[Article] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.md")):
        article = _load_article(path, known_targets)
        if article.id in seen:
            raise ContentError(f"{path.name}: статья с id «{article.id}» уже есть")
        seen.add(article.id)
        articles.append(article)
    if not articles:
        raise ContentError(f"{folder}: нет ни одной статьи (*.md)")
    # An article may lead to another one it mentions: checked once all are loaded.
    for article in articles:
        missing = [
            item
            for item in article.buttons
            if item.startswith(ARTICLE_PREFIX) and item.removeprefix(ARTICLE_PREFIX) not in seen
        ]
        if missing:
            raise ContentError(f"{article.id}: нет статей {missing}")
    return articles


def _front_matter(path: Path) -> tuple[dict[str, object], str]:
    """The YAML header and the Markdown body of a data file."""
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except OSError as error:
        raise ContentError(f"{path.name}: не удалось прочитать: {error}") from error
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ContentError(f"{path.name}: нет заголовка между строками «---»")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: ошибка YAML в заголовке: {error}") from error
    if not isinstance(meta, dict):
        raise ContentError(f"{path.name}: заголовок должен быть словарём ключ: значение")
    return meta, match.group(2)


def _load_article(path: Path, known_targets: frozenset[str]) -> Article:
    meta, markdown = _front_matter(path)
    article_id, title = meta.get("id"), meta.get("title")
    if not isinstance(article_id, str) or not _ARTICLE_ID.match(article_id):
        raise ContentError(f"{path.name}: id должен состоять из латинских букв, цифр и «_»")
    if not isinstance(title, str) or not 3 <= len(title) <= 60:
        raise ContentError(f"{path.name}: title обязателен, от 3 до 60 символов")
    buttons = meta.get("buttons", [])
    if not isinstance(buttons, list) or not all(isinstance(item, str) for item in buttons):
        raise ContentError(f"{path.name}: buttons должен быть списком")
    unknown = [
        item
        for item in buttons
        if item not in known_targets and not item.startswith(ARTICLE_PREFIX)
    ]
    if unknown:
        raise ContentError(
            f"{path.name}: неизвестные кнопки {unknown}; есть {sorted(known_targets)}"
        )
    body = markdown_to_html(markdown)
    if not body:
        raise ContentError(f"{path.name}: пустой текст статьи")
    if visible_length(body) > MESSAGE_LIMIT:
        raise ContentError(f"{path.name}: текст длиннее {MESSAGE_LIMIT} символов")
    return Article(article_id, title, body, tuple(buttons))


# --- free-text routing --------------------------------------------------------

_WORD = re.compile(r"[a-zа-я0-9]+")
_russian = stemmer("russian")


def stems(text: str) -> list[str]:
    words = [fold_lookalikes(word) for word in _WORD.findall(text.lower().replace("ё", "е"))]
    stemmed: list[str] = _russian.stemWords(words)
    return stemmed


def typed_stems(text: str) -> set[str]:
    """The stems of what a citizen typed; a glued «не» also split off («немогу»)."""
    words = _WORD.findall(text.lower().replace("ё", "е"))
    split = [part for word in words for part in split_negation(fold_lookalikes(word))]
    return set(_russian.stemWords(split))


@dataclass(frozen=True, slots=True)
class Rule:
    target: str
    phrases: tuple[frozenset[str], ...]


class PhraseMatcher:
    """Matches free text against the rule table: dialogue targets, best first."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def match(self, text: str, limit: int = 3) -> list[str]:
        """Targets whose phrases are all in the text, longest phrase first.

        A phrase's word matches a typed word with the same stem or, for longer
        stems, one typo away (:mod:`bot.domain.word_match`); on equal length an
        exact phrase beats one found through typos, then the rule higher up.
        """
        words = typed_stems(text)
        scored: list[tuple[int, int, int, str]] = []
        for order, rule in enumerate(self.rules):
            found = [
                score
                for phrase in rule.phrases
                if (score := _phrase_score(phrase, words)) is not None
            ]
            if found:
                length, typos = max(found, key=lambda score: (score[0], -score[1]))
                scored.append((-length, typos, order, rule.target))
        scored.sort()
        targets: list[str] = []
        for *_, target in scored:
            if target not in targets:
                targets.append(target)
        return targets[:limit]


def _phrase_score(phrase: frozenset[str], words: set[str]) -> tuple[int, int] | None:
    """(words in the phrase, how many matched only through a typo), or None if one is missing."""
    typos = 0
    for wanted in phrase:
        if wanted in words:
            continue
        if not any(stem_matches(wanted, typed) for typed in words):
            return None
        typos += 1
    return len(phrase), typos


def load_rules(path: Path, known_targets: frozenset[str]) -> PhraseMatcher:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: не удалось прочитать: {error}") from error
    entries = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ContentError(f"{path.name}: нужен непустой список rules")
    rules = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ContentError(f"{path.name}: правило {number} должно быть словарём")
        target, phrases = entry.get("target"), entry.get("phrases")
        if target not in known_targets:
            raise ContentError(f"{path.name}: правило {number}: неизвестная цель «{target}»")
        if (
            not isinstance(phrases, list)
            or not phrases
            or not all(isinstance(phrase, str) and stems(phrase) for phrase in phrases)
        ):
            raise ContentError(f"{path.name}: правило {number}: phrases — список непустых фраз")
        rules.append(Rule(target, tuple(frozenset(stems(phrase)) for phrase in phrases)))
    return PhraseMatcher(rules)


@dataclass(frozen=True, slots=True)
class HelpContent:
    articles: list[Article]
    matcher: PhraseMatcher

    @property
    def by_id(self) -> dict[str, Article]:
        return {article.id: article for article in self.articles}


def load_help_content(
    articles_dir: Path, rules_path: Path, dialogue_targets: frozenset[str]
) -> HelpContent:
    articles = load_articles(articles_dir, dialogue_targets)
    targets = dialogue_targets | {ARTICLE_PREFIX + article.id for article in articles}
    return HelpContent(articles, load_rules(rules_path, targets))


# --- the consent to the processing of personal data ----------------------------

RETENTION_FIELD = "{retention_days}"


@dataclass(frozen=True, slots=True)
class ConsentText:
    version: str  # what a stored consent refers to; a new version asks everyone again
    html: str


def load_consent(path: Path, retention_days: int) -> ConsentText:
    """The consent text, with ``{retention_days}`` filled in from the settings."""
    meta, markdown = _front_matter(path)
    version = meta.get("version")
    if not isinstance(version, str | int) or isinstance(version, bool) or not str(version).strip():
        raise ContentError(f"{path.name}: version обязателен (например, version: 2)")
    body = markdown_to_html(markdown)
    if not body:
        raise ContentError(f"{path.name}: пустой текст согласия")
    # Only the one field is filled in, so other braces in the text stay as written.
    body = body.replace(RETENTION_FIELD, str(retention_days))
    if visible_length(body) > MESSAGE_LIMIT:
        raise ContentError(f"{path.name}: текст длиннее {MESSAGE_LIMIT} символов")
    return ConsentText(str(version).strip(), body)

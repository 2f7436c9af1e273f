"""Words as citizens type them: Latin lookalikes, a glued «не», one-letter typos.

Pure helpers of the free-text routing (:class:`bot.domain.content.PhraseMatcher`).
Messages are compared with the rule phrases by word stems; these make the
comparison forgive what people (and voice input) do to words:

- Latin letters that look Cyrillic inside a Russian word («cмс» with a Latin
  c, «нe» with a Latin e), or a word made only of such letters («CMC»);
- «не» glued to the verb («немогу» is also read as «не могу»);
- one wrong, missing, extra or swapped letter in a longer stem («обрашение»,
  «поддеркжи»), and a longer ending («получаеться», «пожаловатся»).
"""

from __future__ import annotations

import re

# Lower-case Latin letters drawn like Cyrillic ones (after str.lower()).
_LOOKALIKES = str.maketrans("aeopcxykmtbh", "аеорсхукмтвн")
_CYRILLIC = re.compile("[а-яё]")
_LATIN = re.compile("[a-z]")
_ONLY_LOOKALIKES = re.compile("^[aeopcxykmtbh]+$")
NEGATION = "не"
# Stems shorter than this match only exactly: «мог» and «маг» are different words.
FUZZY_MIN_LENGTH = 4


def fold_lookalikes(word: str) -> str:
    """A lower-case word with Latin lookalikes turned Cyrillic, if it is a Russian word.

    Mixed words are Russian words with stray Latin letters; a word of lookalikes
    only («cmc», «ok») is read as Cyrillic too; other Latin words («sms») stay.
    """
    if (_CYRILLIC.search(word) and _LATIN.search(word)) or _ONLY_LOOKALIKES.match(word):
        return word.translate(_LOOKALIKES)
    return word


def split_negation(word: str) -> list[str]:
    """The word, and for «немогу» also «не» and «могу» (rules may spell it either way).

    Only where the rest is a word of its own (at least three letters): «нет»
    stays whole. «недоволен» also stays a word, for the rules that spell it so.
    """
    if word.startswith(NEGATION) and len(word) >= len(NEGATION) + 3:
        return [word, NEGATION, word[len(NEGATION) :]]
    return [word]


def within_one_edit(first: str, second: str) -> bool:
    """Equal but for one substitution, insertion, deletion or swap of neighbours."""
    if first == second:
        return True
    if abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        differ = [index for index, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        return (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and first[differ[0]] == second[differ[1]]
            and first[differ[1]] == second[differ[0]]
        )
    shorter, longer = sorted((first, second), key=len)
    for index, (a, b) in enumerate(zip(shorter, longer, strict=False)):
        if a != b:
            return shorter[index:] == longer[index + 1 :]
    return True


def stem_matches(wanted: str, typed: str) -> bool:
    """Whether a typed stem stands for a wanted one: equal, or close enough if long enough.

    Close: one edit away, or the wanted stem followed by more letters (a
    misspelt ending the stemmer did not cut: «получаетьс» for «получа»).
    """
    if wanted == typed:
        return True
    if len(wanted) < FUZZY_MIN_LENGTH or len(typed) < FUZZY_MIN_LENGTH:
        return False
    return typed.startswith(wanted) or within_one_edit(wanted, typed)

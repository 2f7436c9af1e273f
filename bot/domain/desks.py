"""Desks: which operators' chat serves which appeal types (the ``DESKS`` setting).

``technical=-1001;complaint,consultation=-1002;*=-1003`` gives three desks; an
entry may be named (``жалобы:complaint=-1002``), else its name is its first
type (``*`` alone: ``default``). ``*`` marks the default desk, for the types no
entry lists. An appeal is served by the desk it was moved to (``/move``), else by
its type's desk. Pure: no aiogram, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.domain.models import AppealType

DEFAULT_DESK = "default"
_NAME = re.compile(r"[^\W\d][\w-]{0,31}")
_CHAT = re.compile(r"-?\d{1,20}")


class DeskError(ValueError):
    """The DESKS setting is malformed; the message says where."""


@dataclass(frozen=True, slots=True)
class Desk:
    name: str
    chat_id: int
    types: frozenset[AppealType]
    default: bool = False

    def serves(self, appeal_type: AppealType) -> bool:
        return appeal_type in self.types


@dataclass(frozen=True, slots=True)
class DeskMap:
    """The desks in the order the setting lists them; empty when no chat is configured."""

    desks: tuple[Desk, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.desks)

    @property
    def several(self) -> bool:
        return len(self.desks) > 1

    @property
    def chat_ids(self) -> frozenset[int]:
        return frozenset(desk.chat_id for desk in self.desks)

    def for_type(self, appeal_type: AppealType) -> Desk | None:
        for desk in self.desks:
            if desk.serves(appeal_type):
                return desk
        return next((desk for desk in self.desks if desk.default), None)

    def named(self, name: str | None) -> Desk | None:
        if name is None:
            return None
        return next((desk for desk in self.desks if desk.name == name.lower()), None)

    def of(self, appeal_type: AppealType, moved_to: str | None) -> Desk | None:
        """The desk serving an appeal: the one it was moved to, while that desk exists,
        else its type's."""
        return self.named(moved_to) or self.for_type(appeal_type)

    def by_chat(self, chat_id: int) -> Desk | None:
        return next((desk for desk in self.desks if desk.chat_id == chat_id), None)

    def find(self, word: str) -> Desk | None:
        """The desk ``/move`` names: by its name, else by an appeal type it serves."""
        word = word.strip().lower()
        named = self.named(word)
        if named is not None:
            return named
        try:
            appeal_type = AppealType(word)
        except ValueError:
            return None
        return self.for_type(appeal_type)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(desk.name for desk in self.desks)


def single_desk(chat_id: int | None) -> DeskMap:
    """No DESKS: the one operators' chat (OPERATORS_CHAT_ID) serves every type, if set."""
    if chat_id is None:
        return DeskMap()
    return DeskMap((Desk(DEFAULT_DESK, chat_id, frozenset(), default=True),))


@lru_cache(maxsize=32)
def parse_desks(text: str, fallback_chat_id: int | None = None) -> DeskMap:
    """``DESKS`` as a :class:`DeskMap`; :class:`DeskError` naming the fault when malformed.

    Empty: :func:`single_desk` of ``fallback_chat_id``. With entries but no ``*``, the
    fallback chat (OPERATORS_CHAT_ID) serves the other types, or its desk if it is one;
    without a fallback, every type must have a desk.
    """
    text = text.strip()
    if not text:
        return single_desk(fallback_chat_id)
    desks: list[Desk] = []
    seen_types: dict[AppealType, str] = {}
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        desk = _parse_entry(entry)
        for appeal_type in desk.types:
            if appeal_type in seen_types:
                raise DeskError(
                    f"type {appeal_type.value!r} is in two desks"
                    f" ({seen_types[appeal_type]!r} and {desk.name!r})"
                )
            seen_types[appeal_type] = desk.name
        if desk.default and any(other.default for other in desks):
            raise DeskError("'*' (the default desk) is given twice")
        if any(other.name == desk.name for other in desks):
            raise DeskError(f"two desks are named {desk.name!r}")
        if any(other.chat_id == desk.chat_id for other in desks):
            raise DeskError(f"chat {desk.chat_id} is given twice: list its types in one entry")
        desks.append(desk)
    if not desks:
        raise DeskError("no desks: expected entries like technical=-1001;*=-1002")
    for desk in desks:
        try:
            named_type = AppealType(desk.name)
        except ValueError:
            continue
        owner = seen_types.get(named_type)
        if owner is not None and owner != desk.name:
            raise DeskError(f"desk {desk.name!r} is named after a type desk {owner!r} serves")
    if not any(desk.default for desk in desks):
        desks = _with_fallback(desks, fallback_chat_id, set(seen_types))
    return DeskMap(tuple(desks))


def _with_fallback(
    desks: list[Desk], fallback_chat_id: int | None, covered: set[AppealType]
) -> list[Desk]:
    missing = [member.value for member in AppealType if member not in covered]
    if fallback_chat_id is None:
        if missing:
            raise DeskError(
                f"no desk for {', '.join(missing)}: add a default desk (*=chat id)"
                " or set OPERATORS_CHAT_ID"
            )
        return desks
    for index, desk in enumerate(desks):
        if desk.chat_id == fallback_chat_id:
            desks[index] = Desk(desk.name, desk.chat_id, desk.types, default=True)
            return desks
    if any(desk.name == DEFAULT_DESK for desk in desks):
        raise DeskError(f"a desk is named {DEFAULT_DESK!r}, the name of OPERATORS_CHAT_ID's desk")
    return [*desks, Desk(DEFAULT_DESK, fallback_chat_id, frozenset(), default=True)]


def _parse_entry(entry: str) -> Desk:
    left, separator, chat = entry.rpartition("=")
    if not separator or not left.strip():
        raise DeskError(f"{entry!r}: expected types=chat id, like technical=-1001")
    chat = chat.strip()
    if not _CHAT.fullmatch(chat) or int(chat) == 0:
        raise DeskError(f"{entry!r}: {chat!r} is not a chat id (like -1001234567890)")
    name: str | None = None
    if ":" in left:
        raw_name, _, left = left.partition(":")
        name = raw_name.strip().lower()
        if not _NAME.fullmatch(name):
            raise DeskError(
                f"{entry!r}: desk name {raw_name.strip()!r} must be one word of letters,"
                " digits, _ or -, up to 32 characters"
            )
    words = [word.strip().lower() for word in left.split(",")]
    default = "*" in words
    types: set[AppealType] = set()
    for word in words:
        if word == "*":
            continue
        try:
            types.add(AppealType(word))
        except ValueError:
            known = ", ".join(member.value for member in AppealType)
            raise DeskError(
                f"{entry!r}: unknown appeal type {word!r} (known: {known}, and * for the rest)"
            ) from None
    if words.count("*") > 1:
        raise DeskError(f"{entry!r}: '*' is given twice")
    if name is None:
        first = next(word for word in words if word)
        name = DEFAULT_DESK if first == "*" else first
    return Desk(name, int(chat), frozenset(types), default=default)

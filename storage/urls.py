"""``DATABASE_URL``: which backend a URL names, and a SQLite URL's file (no I/O, no drivers)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")
SQLITE_SCHEME = "sqlite"


class DatabaseUrlError(ValueError):
    """A ``DATABASE_URL`` this bot cannot use (the message says what is accepted)."""


def sqlite_path(url: str) -> Path:
    """The file of ``sqlite:///relative/path`` or ``sqlite:////absolute/path``."""
    parts = urlsplit(url)
    if parts.scheme != SQLITE_SCHEME or parts.netloc or not parts.path.startswith("/"):
        raise DatabaseUrlError(
            "expected sqlite:///data/bot.sqlite3 or postgresql://user:password@host:5432/db"
        )
    path = unquote(parts.path[1:])
    if not path:
        raise DatabaseUrlError("sqlite:/// needs a file name, e.g. sqlite:///data/bot.sqlite3")
    return Path(path)


def is_postgres_url(url: str | None) -> bool:
    return url is not None and urlsplit(url).scheme in POSTGRES_SCHEMES


def check_database_url(url: str) -> str:
    """``url`` if it names a backend this bot has; :class:`DatabaseUrlError` otherwise."""
    if is_postgres_url(url):
        if not urlsplit(url).hostname and "host=" not in url:
            raise DatabaseUrlError("postgresql:// needs a host, e.g. postgresql://bot@db:5432/bot")
        return url
    sqlite_path(url)
    return url

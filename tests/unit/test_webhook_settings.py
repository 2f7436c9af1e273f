"""WEBHOOK_* settings and the start-up refusals of webhook mode (one line each, exit 2)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error
from bot.webhook import webhook_path
from tests.unit.test_settings import run_bot

SECRET = "s3cret_token-ok"


def webhook_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": "1:abc",
        "BOT_API_BASE_URL": "http://127.0.0.1:9",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        "WEBHOOK_URL": "https://bot.example.ru/telegram/webhook",
        "WEBHOOK_SECRET": SECRET,
        **extra,
    }


def test_no_webhook_by_default() -> None:
    settings = Settings(_env_file=None)
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.example.ru/telegram/webhook",
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://[::1]:8080/hook",
    ],
)
def test_accepted_webhook_urls(url: str) -> None:
    settings = Settings(_env_file=None, webhook_url=url, webhook_secret=SECRET)
    assert settings.webhook_url == url


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"webhook_url": "http://bot.example.ru/hook", "webhook_secret": SECRET}, "WEBHOOK_URL"),
        ({"webhook_url": "bot.example.ru/hook", "webhook_secret": SECRET}, "WEBHOOK_URL"),
        ({"webhook_url": "https://bot.example.ru/hook"}, "WEBHOOK_SECRET is required"),
        (
            {"webhook_url": "https://bot.example.ru/hook", "webhook_secret": "   "},
            "WEBHOOK_SECRET is required",
        ),
        (
            {"webhook_url": "https://bot.example.ru/hook", "webhook_secret": "with space"},
            "WEBHOOK_SECRET",
        ),
        (
            {"webhook_url": "https://bot.example.ru/hook", "webhook_secret": "x" * 257},
            "WEBHOOK_SECRET",
        ),
        ({"webhook_port": "0"}, "WEBHOOK_PORT"),
    ],
)
def test_malformed_webhook_settings_are_named_in_one_line(
    options: dict[str, str], named: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **options)
    line = describe_settings_error(caught.value)
    assert "\n" not in line and named in line


def test_a_blank_webhook_url_means_polling() -> None:
    assert Settings(_env_file=None, webhook_url=" ", webhook_secret="").webhook_url is None


def test_the_served_path_is_the_urls() -> None:
    assert webhook_path("https://bot.example.ru/telegram/webhook") == "/telegram/webhook"
    assert webhook_path("https://bot.example.ru") == "/"


def test_sqlite_does_not_allow_several_processes() -> None:
    assert not Settings(_env_file=None).several_processes
    assert not Settings(_env_file=None, database_url="sqlite:///data/x.sqlite3").several_processes
    assert Settings(_env_file=None, database_url="postgresql://bot@db/bot").several_processes


def test_several_workers_on_sqlite_are_refused_in_one_line(tmp_path: Path) -> None:
    result = run_bot(webhook_env(tmp_path), tmp_path, "--workers", "2")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "--workers 2" in result.stderr and "SQLite" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was opened


def test_workers_without_a_webhook_are_refused_in_one_line(tmp_path: Path) -> None:
    env = webhook_env(tmp_path, WEBHOOK_URL="", WEBHOOK_SECRET="")
    result = run_bot(env, tmp_path, "--workers", "2")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "WEBHOOK_URL" in result.stderr


def test_a_port_in_use_is_refused_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_bot(webhook_env(tmp_path, WEBHOOK_PORT=str(port)), tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "WEBHOOK_PORT" in result.stderr

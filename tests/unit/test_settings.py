from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_and_types(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, bot_token="1:abc", operators_chat_id="-100123")
    assert settings.operators_chat_id == -100123
    assert settings.bot_api_base_url == "https://api.telegram.org"
    assert settings.sms_gateway == "outbox"
    assert settings.zone.key == "Europe/Moscow"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("operators_chat_id", "операторы", "OPERATORS_CHAT_ID"),
        ("bot_token", "not-a-token", "BOT_TOKEN"),
        ("timezone", "Mars/Olympus", "TIMEZONE"),
        ("sms_gateway", "pigeon", "SMS_GATEWAY"),
        ("bot_api_base_url", "api.telegram.org", "BOT_API_BASE_URL"),
    ],
)
def test_malformed_setting_is_named_in_one_line(field: str, value: str, named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **{field: value})
    line = describe_settings_error(caught.value)
    assert "\n" not in line and named in line


def test_http_gateway_needs_a_url() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, sms_gateway="http")


def test_every_setting_is_documented_in_env_example() -> None:
    documented = {
        line.split("=", 1)[0].strip()
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert {name.upper() for name in Settings.model_fields} <= documented


def run_bot(
    env: dict[str, str], tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in Settings.model_fields and key.lower() not in Settings.model_fields
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_with_a_malformed_setting_prints_one_clear_line(tmp_path: Path) -> None:
    result = run_bot({"BOT_TOKEN": "1:abc", "OPERATORS_CHAT_ID": "abc"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "OPERATORS_CHAT_ID" in result.stderr and "Traceback" not in result.stderr


def test_start_up_with_a_malformed_help_article_names_the_file(tmp_path: Path) -> None:
    articles = tmp_path / "help"
    articles.mkdir()
    (articles / "01_broken.md").write_text("no front matter", encoding="utf-8")
    result = run_bot(
        {
            "BOT_TOKEN": "1:abc",
            "HELP_ARTICLES_DIR": str(articles),
            "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            "SMS_OUTBOX_IN_PRODUCTION": "yes",
        },
        tmp_path,
    )
    assert result.returncode == 2
    assert "01_broken.md" in result.stderr and "Traceback" not in result.stderr


def test_the_sms_outbox_against_telegram_itself_stops_start_up_in_one_line(
    tmp_path: Path,
) -> None:
    result = run_bot(
        {"BOT_TOKEN": "1:abc", "DATABASE_PATH": str(tmp_path / "db.sqlite3")}, tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "SMS_GATEWAY=outbox" in result.stderr and "SMS_OUTBOX_IN_PRODUCTION=yes" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    ("gateway", "base_url", "in_production", "refused"),
    [
        ("outbox", "https://api.telegram.org", "no", True),
        ("outbox", "https://api.telegram.org/", "", True),
        ("outbox", "https://api.telegram.org", "yes", False),
        ("outbox", "http://127.0.0.1:8081", "no", False),  # the fake Telegram, a local server
        ("http", "https://api.telegram.org", "no", False),
    ],
)
def test_the_sms_outbox_is_refused_only_against_telegram_itself(
    gateway: str,
    base_url: str,
    in_production: str,
    refused: bool,
) -> None:
    options = {"sms_outbox_in_production": in_production} if in_production else {}
    settings = Settings(
        _env_file=None,
        bot_token="1:abc",
        sms_gateway=gateway,
        sms_http_url="https://sms.example/send",
        bot_api_base_url=base_url,
        **options,
    )
    assert settings.sms_outbox_refused is refused

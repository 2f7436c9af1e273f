"""Signed grants of the dashboard: links and cookies signed, expiring, not interchangeable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.signin import (
    LINK,
    SESSION,
    Grant,
    Refusal,
    Role,
    TokenRefused,
    csrf_matches,
    csrf_token,
    sign,
    verify,
)

SECRET = b"s" * 32
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
GRANT = Grant(2001, Role.OPERATOR, "nonce-1", NOW + timedelta(minutes=10))


def refusal(token: str, purpose: str = LINK, now: datetime = NOW, secret: bytes = SECRET) -> str:
    with pytest.raises(TokenRefused) as caught:
        verify(secret, purpose, token, now)
    return caught.value.reason


def test_a_signed_grant_comes_back_until_it_expires() -> None:
    token = sign(SECRET, LINK, GRANT)
    assert verify(SECRET, LINK, token, NOW) == GRANT
    assert verify(SECRET, LINK, token, NOW + timedelta(minutes=9, seconds=59)) == GRANT
    assert refusal(token, now=NOW + timedelta(minutes=10)) == Refusal.EXPIRED


def test_another_secret_a_changed_payload_or_another_purpose_is_forged() -> None:
    token = sign(SECRET, LINK, GRANT)
    assert refusal(token, secret=b"t" * 32) == Refusal.FORGED
    assert refusal(token, purpose=SESSION) == Refusal.FORGED  # a link is not a cookie
    # A supervisor's grant spliced onto an operator's signature.
    promoted = sign(SECRET, LINK, Grant(2001, Role.SUPERVISOR, "nonce-1", GRANT.expires_at))
    spliced = promoted.split(".")[0] + "." + token.split(".")[1]
    assert refusal(spliced) == Refusal.FORGED


@pytest.mark.parametrize("token", ["", "abc", ".", "a.", ".b", "!!!.???", "x" * 2000])
def test_garbage_is_malformed(token: str) -> None:
    assert refusal(token) == Refusal.MALFORMED


def test_the_csrf_token_belongs_to_its_session() -> None:
    token = csrf_token(SECRET, GRANT)
    assert csrf_matches(SECRET, GRANT, token)
    other = Grant(2001, Role.OPERATOR, "nonce-2", GRANT.expires_at)
    assert not csrf_matches(SECRET, other, token)
    assert not csrf_matches(SECRET, GRANT, "")
    assert not csrf_matches(SECRET, GRANT, "токен")

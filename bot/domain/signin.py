"""Signed grants of the dashboard: one-time sign-in links, session cookies, CSRF tokens.

Pure: HMAC-SHA256 over a small JSON payload with the secret (``DASHBOARD_SECRET``), no
I/O. A token is ``payload.signature``, both base64url without padding. The purpose
(``link`` or ``session``) is signed with the payload, so a link is never taken for a
cookie nor a cookie for a link. Whether a link was used already is the database's
business (:class:`bot.services.dashboard.DashboardAccess`): here only what a signature
and a clock can tell.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

LINK = "link"
SESSION = "session"
_CSRF = "csrf"


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"


class Refusal(StrEnum):
    """Why a token is not accepted."""

    MALFORMED = "malformed"
    FORGED = "forged"  # the signature does not match: not ours, or changed
    EXPIRED = "expired"
    USED = "used"  # a one-time link opened before (told by the database)


class TokenRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Grant:
    """Who may see the dashboard, as what, until when; ``nonce`` makes each grant unique."""

    user_id: int
    role: Role
    nonce: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _mac(secret: bytes, purpose: str, payload: bytes) -> bytes:
    return hmac.new(secret, purpose.encode() + b"\n" + payload, hashlib.sha256).digest()


def sign(secret: bytes, purpose: str, grant: Grant) -> str:
    payload = json.dumps(
        {
            "u": grant.user_id,
            "r": grant.role.value,
            "n": grant.nonce,
            "e": int(grant.expires_at.timestamp()),
        },
        separators=(",", ":"),
    ).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, purpose, payload))}"


def verify(secret: bytes, purpose: str, token: str, now: datetime) -> Grant:
    """The grant of a token signed with ``secret`` for ``purpose``, not expired at ``now``."""
    encoded, dot, signature = token.partition(".")
    if not dot or not encoded or not signature or len(token) > 1024:
        raise TokenRefused(Refusal.MALFORMED)
    try:
        payload, given = _unb64(encoded), _unb64(signature)
    except (binascii.Error, ValueError):
        raise TokenRefused(Refusal.MALFORMED) from None
    if not hmac.compare_digest(given, _mac(secret, purpose, payload)):
        raise TokenRefused(Refusal.FORGED)
    try:
        fields = json.loads(payload)
        grant = Grant(
            int(fields["u"]),
            Role(fields["r"]),
            str(fields["n"]),
            datetime.fromtimestamp(int(fields["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError):
        raise TokenRefused(Refusal.MALFORMED) from None
    if now >= grant.expires_at:
        raise TokenRefused(Refusal.EXPIRED)
    return grant


def csrf_token(secret: bytes, session: Grant) -> str:
    """The token every form of this session posts back (bound to the session's nonce)."""
    return _b64(_mac(secret, _CSRF, session.nonce.encode()))


def csrf_matches(secret: bytes, session: Grant, token: str) -> bool:
    return hmac.compare_digest(token.encode(), csrf_token(secret, session).encode())

"""The supervisors' dashboard on PostgreSQL: searches, daily figures, links used, the audit log.

A link used in two processes at once is recorded by one INSERT only (the primary key).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.dashboard import AppealSearch, AuditAction, AuditEntry
from bot.domain.models import Appeal, EventKind
from bot.domain.signin import Role
from bot.storage.postgres.database import PostgresDatabase
from bot.storage.postgres.rows import SELECT_APPEALS, appeal_from_row
from bot.storage.postgres.values import utc


def _where(criteria: AppealSearch) -> tuple[str, list[object]]:
    clauses: list[str] = ["true"]
    params: list[object] = []

    def add(clause: str, value: object) -> None:
        params.append(value)
        clauses.append(clause.format(f"${len(params)}"))

    if criteria.number:
        add("strpos(number, {}) > 0", criteria.number)
    if criteria.status is not None:
        add("status = {}", criteria.status.value)
    if criteria.type is not None:
        add("type = {}", criteria.type.value)
    if criteria.created_from is not None:
        add("created_at >= {}", utc(criteria.created_from))
    if criteria.created_before is not None:
        add("created_at < {}", utc(criteria.created_before))
    return " AND ".join(clauses), params


class PostgresDashboardRepository:
    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    async def search(self, criteria: AppealSearch, limit: int) -> list[Appeal]:
        where, params = _where(criteria)
        rows = await self._db.pool.fetch(
            f"{SELECT_APPEALS} WHERE {where}"
            f" ORDER BY created_at DESC, id DESC LIMIT ${len(params) + 1}",
            *params,
            limit,
        )
        return [appeal_from_row(row) for row in rows]

    async def first_responses(self, since: datetime) -> list[tuple[datetime, datetime]]:
        rows = await self._db.pool.fetch(
            "SELECT created_at, first_answered_at FROM appeals WHERE first_answered_at >= $1"
            " ORDER BY first_answered_at",
            utc(since),
        )
        return [(row[0], row[1]) for row in rows]

    async def ratings(self, since: datetime) -> list[tuple[datetime, int]]:
        rows = await self._db.pool.fetch(
            "SELECT e.created_at, a.rating FROM appeal_events e JOIN appeals a ON a.id ="
            " e.appeal_id WHERE e.kind = $1 AND e.created_at >= $2 AND a.rating IS NOT NULL"
            " ORDER BY e.created_at",
            EventKind.RATED.value,
            utc(since),
        )
        return [(row[0], int(row[1])) for row in rows]

    async def use_link(self, nonce: str, user_id: int, now: datetime) -> bool:
        added = await self._db.pool.fetchval(
            "INSERT INTO dashboard_links_used (nonce, user_id, used_at) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING RETURNING true",
            nonce,
            user_id,
            utc(now),
        )
        return bool(added)

    async def record(self, entry: AuditEntry) -> None:
        await self._db.pool.execute(
            "INSERT INTO dashboard_audit (at, user_id, role, action, detail)"
            " VALUES ($1, $2, $3, $4, $5)",
            utc(entry.at),
            entry.user_id,
            entry.role.value,
            entry.action.value,
            entry.detail,
        )

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        rows = await self._db.pool.fetch(
            "SELECT at, user_id, role, action, detail FROM dashboard_audit"
            " ORDER BY at DESC, id DESC LIMIT $1",
            limit,
        )
        return [
            AuditEntry(row[0], row[1], Role(row[2]), AuditAction(row[3]), row[4]) for row in rows
        ]

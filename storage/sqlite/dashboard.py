"""The supervisors' dashboard on SQLite: searches, daily figures, links used, the audit log."""

from __future__ import annotations

from datetime import datetime

from bot.domain.dashboard import AppealSearch, AuditAction, AuditEntry
from bot.domain.models import Appeal, EventKind
from bot.domain.signin import Role
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.rows import SELECT_APPEALS, appeal_from_row
from bot.storage.sqlite.timefmt import from_db, to_db


def _where(criteria: AppealSearch) -> tuple[str, list[object]]:
    clauses: list[str] = ["1 = 1"]
    params: list[object] = []
    if criteria.number:
        clauses.append("instr(number, ?) > 0")
        params.append(criteria.number)
    if criteria.status is not None:
        clauses.append("status = ?")
        params.append(criteria.status.value)
    if criteria.type is not None:
        clauses.append("type = ?")
        params.append(criteria.type.value)
    if criteria.created_from is not None:
        clauses.append("created_at >= ?")
        params.append(to_db(criteria.created_from))
    if criteria.created_before is not None:
        clauses.append("created_at < ?")
        params.append(to_db(criteria.created_before))
    return " AND ".join(clauses), params


class SQLiteDashboardRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def search(self, criteria: AppealSearch, limit: int) -> list[Appeal]:
        where, params = _where(criteria)
        rows = await self._db.fetchall(
            f"{SELECT_APPEALS} WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ?",
            [*params, limit],
        )
        return [appeal_from_row(row) for row in rows]

    async def first_responses(self, since: datetime) -> list[tuple[datetime, datetime]]:
        rows = await self._db.fetchall(
            "SELECT created_at, first_answered_at FROM appeals WHERE first_answered_at >= ?"
            " ORDER BY first_answered_at",
            (to_db(since),),
        )
        return [(from_db(created), from_db(answered)) for created, answered in rows]

    async def ratings(self, since: datetime) -> list[tuple[datetime, int]]:
        # The rating event holds the moment; the appeal the score (erasure keeps both).
        rows = await self._db.fetchall(
            "SELECT e.created_at, a.rating FROM appeal_events e JOIN appeals a ON a.id ="
            " e.appeal_id WHERE e.kind = ? AND e.created_at >= ? AND a.rating IS NOT NULL"
            " ORDER BY e.created_at",
            (EventKind.RATED.value, to_db(since)),
        )
        return [(from_db(rated), int(score)) for rated, score in rows]

    async def use_link(self, nonce: str, user_id: int, now: datetime) -> bool:
        added = await self._db.execute_rowcount(
            "INSERT INTO dashboard_links_used (nonce, user_id, used_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (nonce, user_id, to_db(now)),
        )
        return bool(added)

    async def record(self, entry: AuditEntry) -> None:
        await self._db.execute(
            "INSERT INTO dashboard_audit (at, user_id, role, action, detail)"
            " VALUES (?, ?, ?, ?, ?)",
            (to_db(entry.at), entry.user_id, entry.role.value, entry.action.value, entry.detail),
        )

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        rows = await self._db.fetchall(
            "SELECT at, user_id, role, action, detail FROM dashboard_audit"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditEntry(from_db(at), user_id, Role(role), AuditAction(action), detail)
            for at, user_id, role, action, detail in rows
        ]

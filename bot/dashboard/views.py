"""What the dashboard's pages and CSV files show of an appeal: personal data masked.

Every value goes through the operators' card rendering (:func:`shown_field`): full
names as initials, SNILS and phones with their last two digits, e-mails with their
first letter, and whatever a citizen typed in free text masked wherever it is found.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.models import Appeal
from bot.rendering.operators import format_duration, shown_field
from bot.texts import common as common_texts
from bot.texts import dashboard as t

# The field a row shows as the appeal's gist, the first one present.
GIST_FIELDS = ("topic", "description", "service_name", "cause", "desired_result", "errors")
CONTACT_FIELDS = ("contact", "callback_phone", "caller_phone")
GIST_LIMIT = 120


@dataclass(frozen=True, slots=True)
class AppealRow:
    number: str
    type: str
    status: str
    created: str
    age: str
    first_answer: str
    closed: str
    assignee: str
    contact: str
    gist: str
    rating: str


def local(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def _first_field(appeal: Appeal, names: Sequence[str]) -> str:
    for name in names:
        value = appeal.fields.get(name)
        if value not in (None, ""):
            return shown_field(name, value)
    return ""


def appeal_row(appeal: Appeal, now: datetime, zone: ZoneInfo) -> AppealRow:
    gist = " ".join(_first_field(appeal, GIST_FIELDS).split())
    if len(gist) > GIST_LIMIT:
        gist = gist[: GIST_LIMIT - 1] + "…"
    end = appeal.closed_at or now
    return AppealRow(
        number=appeal.number,
        type=common_texts.APPEAL_TYPE_NAMES[appeal.type],
        status=common_texts.STATUS_NAMES[appeal.status],
        created=local(appeal.created_at, zone),
        age=format_duration(end - appeal.created_at),
        first_answer=local(appeal.first_answered_at, zone),
        closed=local(appeal.closed_at, zone),
        assignee=appeal.assignee_name or "",
        contact=_first_field(appeal, CONTACT_FIELDS),
        gist=gist,
        rating="" if appeal.rating is None else str(appeal.rating),
    )


def appeals_csv(appeals: Sequence[Appeal], now: datetime, zone: ZoneInfo) -> str:
    """The CSV file of an export: a header and one masked row per appeal."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(t.CSV_HEADER)
    for appeal in appeals:
        row = appeal_row(appeal, now, zone)
        writer.writerow(
            (
                row.number,
                row.type,
                row.status,
                row.created,
                row.first_answer,
                row.closed,
                row.assignee,
                row.contact,
                row.gist,
                row.rating,
            )
        )
    return out.getvalue()

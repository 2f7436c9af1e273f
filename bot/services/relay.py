"""What is relayed between citizens and operators: one message's content.

The outbox keeps it (:meth:`Content.as_payload`) in the rows that relay it;
:mod:`bot.rendering.payloads` puts it under its header when the row is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from aiogram import html

from bot.domain.masking import mask_personal_data

ContentKind = Literal["text", "photo", "document"]


@dataclass(frozen=True, slots=True)
class Content:
    """One message's relayable content; ``html`` keeps its formatting, escaped.

    ``label``: how a photo or a document is named in the citizen's history of the
    appeal («📷 Фото»), worded by the handler that read the message."""

    kind: ContentKind
    html: str = ""
    plain: str = ""
    file_id: str | None = None
    file_name: str | None = None
    label: str = ""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.file_id:
            data["file_id"] = self.file_id
        if self.file_name:
            data["file_name"] = self.file_name
        return data

    def as_payload(self) -> dict[str, Any]:
        """What a row relaying it keeps: enough to send it again."""
        data = self.as_json()
        data["html"] = self.html
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Content:
        return cls(
            data["kind"],
            html=data.get("html", ""),
            file_id=data.get("file_id"),
            file_name=data.get("file_name"),
        )

    def masked(self) -> Content:
        """The content as operators see it: phones, SNILS, passport and card numbers and
        e-mails masked. A text that had any loses its formatting: masking the visible text
        is certain, masking HTML would miss a number split by a tag."""
        shown = mask_personal_data(self.plain)
        if shown == self.plain:
            return self
        return replace(self, html=html.quote(shown), plain=shown)

    @property
    def history_text(self) -> str:
        """How the message appears in the appeal's history for the citizen."""
        if self.kind == "text":
            return self.plain
        return f"{self.label} {self.plain}".strip()

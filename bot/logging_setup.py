"""Logging for the bot process: every line, tracebacks included, is masked."""

from __future__ import annotations

import logging

from bot.domain.masking import TypedNames, mask_personal_data

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Third-party loggers that print what the bot stores: aiosqlite logs every call
# with its SQL parameters (FSM data, appeal fields) at DEBUG, and aiogram's
# scenes log FSM data at DEBUG, aiogram_dialog's message manager logs the whole
# chat (the citizen's name) at DEBUG. They stay at WARNING whatever LOG_LEVEL says.
# (aiogram.event and aiogram.dispatcher log update ids and timings only.)
QUIET_LOGGERS = ("aiosqlite", "aiogram.scene", "aiogram_dialog")


class MaskingFormatter(logging.Formatter):
    """Masks phones, SNILS, passports, e-mails and typed names in the finished line."""

    def __init__(self, fmt: str | None = None, names: TypedNames | None = None) -> None:
        super().__init__(fmt)
        self._names = names

    def format(self, record: logging.LogRecord) -> str:
        return self.mask(super().format(record))

    def mask(self, text: str) -> str:
        """What every log line goes through, whatever its format (also JSON: bot/observability)."""
        masked = mask_personal_data(text)
        return masked if self._names is None else self._names.mask(masked)


def configure_logging(
    level: str, names: TypedNames | None = None, formatter: logging.Formatter | None = None
) -> None:
    """``formatter``: another line format (LOG_FORMAT=json); masking is its own business."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter or MaskingFormatter(FORMAT, names))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)

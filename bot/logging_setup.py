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
        line = mask_personal_data(super().format(record))
        return line if self._names is None else self._names.mask(line)


def configure_logging(level: str, names: TypedNames | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter(FORMAT, names))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)

"""What the services tell the people who run the bot (metrics), without knowing who listens.

The services call these at the moment a thing happens; ``bot/observability`` counts them.
Without metrics, :data:`NO_EVENTS` listens and does nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol


class ServiceEvents(Protocol):
    def appeal_filed(self, appeal_type: str) -> None: ...

    def first_response(self, waited: timedelta) -> None: ...

    def sms_sent(self) -> None: ...

    def sms_failed(self) -> None: ...


class _NoEvents:
    def appeal_filed(self, appeal_type: str) -> None:
        pass

    def first_response(self, waited: timedelta) -> None:
        pass

    def sms_sent(self) -> None:
        pass

    def sms_failed(self) -> None:
        pass


NO_EVENTS: ServiceEvents = _NoEvents()

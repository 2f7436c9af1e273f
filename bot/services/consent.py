"""The citizen's consent to the processing of personal data (152-FZ).

Asked once per version of the consent text, before the first dialogue that
collects personal data; withdrawn by /forget, which deletes it with the data.
"""

from __future__ import annotations

from bot.domain.clock import Clock
from bot.domain.content import ConsentText
from bot.storage.repositories import ConsentRepository


class ConsentService:
    def __init__(self, repository: ConsentRepository, clock: Clock, text: ConsentText) -> None:
        self._repository = repository
        self._clock = clock
        self.text = text

    async def given(self, user_id: int) -> bool:
        """Whether the citizen agreed to the current version of the text."""
        return await self._repository.has(user_id, self.text.version)

    async def give(self, user_id: int) -> None:
        await self._repository.give(user_id, self.text.version, self._clock.now())

"""Shifts and round-robin assignment of new appeals (issue 19).

Operators go on and off shift with /shift. Each pass gives the oldest new, unassigned
appeals to the operators on shift, the one longest without a new appeal first, each up
to ``capacity`` open appeals; beyond that appeals wait and are given out as capacity
frees. Assigning is the desk's «Взять в работу» on the operator's behalf: the citizen
is told «взято в работу», never who took it, and of two processes assigning the same
appeal only one succeeds (the change is guarded by the status «новое»).
"""

from __future__ import annotations

from collections import Counter

from bot.domain.clock import Clock
from bot.domain.models import Actor, Appeal, AppealStatus, MessageAuthor, OperatorShift
from bot.services.desk import ActionOutcome, DeskService
from bot.storage.repositories import DeskRepository, ShiftRepository


class AssignmentService:
    def __init__(
        self,
        desk: DeskService,
        appeals: DeskRepository,
        shifts: ShiftRepository,
        clock: Clock,
        capacity: int,
    ) -> None:
        self._desk = desk
        self._appeals = appeals
        self._shifts = shifts
        self._clock = clock
        self.capacity = capacity

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    async def on_shift(self) -> list[OperatorShift]:
        return await self._shifts.on_shift()

    async def toggle(self, operator: Actor, chat_id: int | None = None) -> bool:
        """Put the operator on shift, or off it if on; True when now on shift. With several
        desks, ``chat_id`` (where /shift was sent) is the desk whose appeals they get."""
        on = all(item.operator_id != operator.id for item in await self._shifts.on_shift())
        desk = self._desk.desks.by_chat(chat_id) if chat_id is not None else None
        desk_chat_id = desk.chat_id if desk is not None and self._desk.desks.several else None
        await self._shifts.set_on_shift(operator, on, self._clock.now(), desk_chat_id)
        return on

    async def find_operator(self, username: str) -> Actor | None:
        """An operator known from /shift by their @username (names end with «(@username)»)."""
        suffix = f"(@{username.lstrip('@').casefold()})"
        for item in await self._shifts.known():
            if item.name.casefold().endswith(suffix):
                return Actor(MessageAuthor.OPERATOR, item.operator_id, item.name)
        return None

    async def load(self) -> Counter[int]:
        """Open appeals per assigned operator."""
        return Counter(
            appeal.assignee_id
            for appeal in await self._appeals.open_appeals()
            if appeal.assignee_id is not None
        )

    async def assign_waiting(self) -> list[Appeal]:
        """One pass of round-robin assignment; the appeals this process assigned."""
        if not self.enabled:
            return []
        operators = await self._shifts.on_shift()
        if not operators:
            return []
        open_appeals = await self._appeals.open_appeals()
        load = Counter(
            appeal.assignee_id for appeal in open_appeals if appeal.assignee_id is not None
        )
        waiting = [
            appeal
            for appeal in open_appeals
            if appeal.status == AppealStatus.NEW and appeal.assignee_id is None
        ]
        assigned = []
        for appeal in waiting:
            desk = self._desk.desk_of(appeal)
            free = next(
                (
                    item
                    for item in operators
                    if load[item.operator_id] < self.capacity
                    and (
                        item.desk_chat_id is None
                        or desk is None
                        or item.desk_chat_id == desk.chat_id
                    )
                ),
                None,
            )
            if free is None:
                continue  # nobody free at this appeal's desk; another desk's may be next
            actor = Actor(MessageAuthor.OPERATOR, free.operator_id, free.name)
            result = await self._desk.take(appeal.number, actor)
            if result.outcome != ActionOutcome.DONE or result.appeal is None:
                continue  # taken meanwhile by hand or by another process
            assigned.append(result.appeal)
            load[free.operator_id] += 1
            await self._shifts.assigned(free.operator_id, self._clock.now())
            operators.remove(free)
            operators.append(free)  # the end of the round
        return assigned

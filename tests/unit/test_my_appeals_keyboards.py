"""The keyboards of "my appeals", laid out by hand (bot/keyboards/my_appeals.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callback_data import AppealAction, Menu, MenuItem, MyAppeal
from bot.keyboards.my_appeals import appeal_details, appeal_list
from bot.services.appeals import AppealPage
from bot.domain.models import Appeal, AppealStatus, AppealType, CallStatus, ScheduledCall

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def appeal(number: int) -> Appeal:
    return Appeal(id=number, number=f"2026-{number:06d}", citizen_id=1, chat_id=1,
                  type=AppealType.COMPLAINT, status=AppealStatus.NEW, fields={},
                  created_at=NOW, updated_at=NOW, closed_at=None)


def layout(markup) -> list[list[str]]:
    return [[item.callback_data or "" for item in row] for row in markup.inline_keyboard]


def test_a_middle_page_lists_its_appeals_one_a_row_then_paging_then_the_menu() -> None:
    page = AppealPage(items=[appeal(7), appeal(6)], page=1, pages=3, total=12)

    assert layout(appeal_list(page)) == [
        [MyAppeal(action=AppealAction.OPEN, number="2026-000007").pack()],
        [MyAppeal(action=AppealAction.OPEN, number="2026-000006").pack()],
        [MyAppeal(action=AppealAction.PAGE, page=2).pack(),
         MyAppeal(action=AppealAction.PAGE, page=0).pack()],
        [Menu(item=MenuItem.MAIN).pack()],
    ]


def test_a_single_page_has_no_paging_row() -> None:
    assert layout(appeal_list(AppealPage(items=[appeal(1)], page=0, pages=1, total=1))) == [
        [MyAppeal(action=AppealAction.OPEN, number="2026-000001").pack()],
        [Menu(item=MenuItem.MAIN).pack()],
    ]


def test_details_put_the_call_first_and_one_button_a_row() -> None:
    call = ScheduledCall(start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, minutes=30),
                         status=CallStatus.SCHEDULED)

    rows = layout(appeal_details("2026-000001", can_comment=True, call=call))

    assert [len(row) for row in rows] == [1] * 5
    assert rows[2:] == [
        [MyAppeal(action=AppealAction.COMMENT, number="2026-000001").pack()],
        [Menu(item=MenuItem.MY_APPEALS).pack()],
        [Menu(item=MenuItem.MAIN).pack()],
    ]
    assert layout(appeal_details("2026-000001", can_comment=False)) == [
        [Menu(item=MenuItem.MY_APPEALS).pack()], [Menu(item=MenuItem.MAIN).pack()],
    ]

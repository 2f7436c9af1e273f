"""The terminal demo, driven through a pseudo-terminal as a newcomer would use it."""

from __future__ import annotations

import http.client
import os
import re
import sys
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]


# A Monday noon in Moscow, in a year that is not this one: the demo's clock starts here,
# so appeal numbers are the same whatever the date of the run.
DEMO_CLOCK_START = "2030-03-04T09:00:00+00:00"


def spawn_demo(tmp_path: Path, clock_start: str = DEMO_CLOCK_START) -> pexpect.spawn:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BOT_") and key != "WORKING_HOURS"
    }
    env.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", DEMO_CLOCK_START=clock_start)
    return pexpect.spawn(
        sys.executable, ["-m", "bot"], cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30
    )


def test_demo_walks_the_phone_change_in_a_terminal(tmp_path: Path) -> None:
    demo = spawn_demo(tmp_path)
    try:
        demo.expect("Демо: бот поддержки в терминале")
        demo.expect("Анна› ")
        demo.sendline("/start")
        demo.expect(r"Здравствуйте, Анна!")
        demo.expect(re.escape("[1] 📱 Сменить номер телефона"))
        demo.expect("Анна› ")
        demo.sendline("1")
        # The demo's citizen meets the consent screen like anyone, once.
        demo.expect("Согласие на обработку персональных данных")
        demo.expect(re.escape("[1] ✅ Согласен"))
        demo.expect("Анна› ")
        demo.sendline("1")
        demo.expect("Смена номера телефона")
        demo.expect("Клавиатура: «📱 Отправить мой номер»")
        demo.sendline("/contact")
        demo.expect(r"📩 SMS на \+7 916 123-45-67: Код подтверждения номера: (\d{6})")
        code = demo.match.group(1)
        demo.expect("Анна› ")
        demo.sendline("000000" if code != "000000" else "111111")
        demo.expect("Неверный код. Осталось попыток: 2.")
        demo.sendline(code)
        demo.expect(r"Номер \+7 916 123-45-67 подтверждён")
        demo.sendline("9")
        demo.expect("Нет кнопки с номером 9")
        demo.sendline("/quit")
        demo.expect("До свидания!")
        demo.expect(pexpect.EOF)
    finally:
        demo.close(force=True)
    assert demo.exitstatus == 0


def test_demo_contact_answers_the_complaints_phone_step(tmp_path: Path) -> None:
    demo = spawn_demo(tmp_path)
    try:
        demo.expect("Анна› ")
        demo.sendline("/complaint")
        demo.expect(re.escape("[1] ✅ Согласен"))
        demo.expect("Анна› ")
        demo.sendline("1")
        demo.expect("Шаг 1 из 6")
        demo.expect("Анна› ")
        demo.sendline("Не дозвониться в поддержку")
        demo.expect("Шаг 2 из 6")
        demo.expect("Клавиатура: «📱 Отправить мой номер»")
        demo.expect("Анна› ")
        demo.sendline("/contact")
        demo.expect(re.escape("Номер, с которого звонили: +7 916 123-45-67."))
        demo.expect("Шаг 3 из 6")
        demo.sendline("/quit")
        demo.expect(pexpect.EOF)
    finally:
        demo.close(force=True)
    assert demo.exitstatus == 0


def test_demo_plays_the_operator_too(tmp_path: Path) -> None:
    demo = spawn_demo(tmp_path)
    try:
        demo.expect("Анна› ")
        for line, answer in [
            ("/appeal", "Выберите тип обращения"),
            ("4", "Согласие на обработку персональных данных"),
            ("1", "Тема консультации"),
            ("Пенсия", "Опишите вопрос"),
            ("Как узнать стаж", "Проверьте обращение"),
            ("1", r"Номер: (2030-000001)"),
        ]:
            demo.sendline(line)
            demo.expect(answer)
        number = demo.match.group(1)
        demo.expect(re.escape("[чат операторов]"))
        demo.expect(f"Обращение № {number}")
        demo.sendline("/as operator")
        demo.expect("Теперь вы оператор Ольга")
        demo.expect("Ольга› ")
        demo.sendline("3")  # the card's bottom row: «🛠 Взять в работу»
        demo.expect(f"Обращение № {number} взято в работу")
        demo.expect("Ольга› ")
        demo.sendline("/reply Стаж есть в выписке СФР")
        demo.expect(re.escape("[чат гражданина]"))
        demo.expect(f"Ответ специалиста по обращению № {number}")
        demo.expect("Стаж есть в выписке СФР")
        demo.sendline("/quit")
        demo.expect(pexpect.EOF)
    finally:
        demo.close(force=True)
    assert demo.exitstatus == 0


def test_demo_offers_calls_only_in_working_hours(tmp_path: Path) -> None:
    # Wednesday 00:10 in Moscow: the demo's desk works mon-fri 09:00-18:00, so today's
    # first time is 09:00, not 01:30.
    demo = spawn_demo(tmp_path, clock_start="2030-03-05T21:10:00+00:00")
    try:
        demo.expect(re.escape("Специалисты работают пн–пт 09:00–18:00 (по московскому времени)"))
        demo.expect("Анна› ")
        for line, answer in [
            ("/callback", "Согласие на обработку персональных данных"),
            ("1", "На какой номер позвонить"),
            ("+7 912 000-00-70", "Коротко опишите вопрос"),
            ("Не приходит код", re.escape("[1] Сегодня, 06.03")),
            ("1", r"Выберите время звонка"),
        ]:
            demo.sendline(line)
            demo.expect(answer)
            demo.expect("Анна› ")
        times = re.findall(r"\[\d+\] (\d\d:\d\d)", demo.before)
        assert times[0] == "09:00" and times[-1] == "17:30", times
        demo.sendline("/quit")
        demo.expect(pexpect.EOF)
    finally:
        demo.close(force=True)


def test_demo_serves_the_dashboard_and_prints_a_sign_in_link(tmp_path: Path) -> None:
    demo = spawn_demo(tmp_path)
    try:
        demo.expect(r"(http://127\.0\.0\.1:(\d+))/signin\?token=(\S+)")
        base, port, token = demo.match.group(1), demo.match.group(2), demo.match.group(3)
        demo.expect("Анна› ")
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        connection.request("GET", f"/signin?token={token}")
        confirm = connection.getresponse()
        assert confirm.status == 200 and "Войти" in confirm.read().decode()
        connection.request(
            "POST",
            "/signin",
            body=f"token={token}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        signed_in = connection.getresponse()
        signed_in.read()
        assert signed_in.status == 303, base
        cookie = signed_in.getheader("Set-Cookie", "").split(";")[0]
        assert cookie.startswith("dashboard_session=")
        connection.request("GET", "/", headers={"Cookie": cookie})
        overview = connection.getresponse()
        assert overview.status == 200
        assert "Очередь: открытые обращения (0)" in overview.read().decode()
        connection.close()
        demo.sendline("/quit")
        demo.expect(pexpect.EOF)
    finally:
        demo.close(force=True)
    assert demo.exitstatus == 0

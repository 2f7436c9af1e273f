from testkit.harness import BotHarness, Person


async def test_start_shows_main_menu(harness: BotHarness, citizen: Person) -> None:
    replies = await harness.send(citizen, "/start")
    assert len(replies) == 1
    assert "Здравствуйте, Анна" in replies[0].text
    assert "📱 Сменить номер телефона" in replies[0].button_labels()

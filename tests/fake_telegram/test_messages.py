"""Sending, editing, deleting, copying and forwarding messages, with Telegram's rules."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    ReplyParameters,
)

from fake_telegram import FakeTelegram, FakeUser

NOT_MODIFIED = "message is not modified: specified new message content and reply markup are exactly"


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=label.lower()) for label in labels]
        ]
    )


async def test_message_ids_grow_per_chat(telegram: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    boris = telegram.add_user("Борис")

    first = await bot.send_message(anna.id, "1")
    second = await bot.send_message(anna.id, "2")
    other = await bot.send_message(boris.id, "1")

    assert [first.message_id, second.message_id, other.message_id] == [1, 2, 1]
    assert first.from_user.id == bot.id and first.from_user.is_bot
    assert first.chat.id == anna.id and first.chat.first_name == "Анна"


async def test_user_and_bot_messages_share_the_chats_numbering(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    question = await telegram.send_text(anna, "Как подать заявление?")
    answer = await bot.send_message(
        anna.id, "Так", reply_parameters=ReplyParameters(message_id=question.message_id)
    )

    assert (question.message_id, answer.message_id) == (1, 2)
    assert answer.reply_to_message.text == "Как подать заявление?"
    assert answer.reply_to_message.from_user.id == anna.id


async def test_html_is_stored_as_plain_text_with_entities(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    html = "<b>Заявка</b> &lt;№42&gt; принята"
    sent = await bot.send_message(anna.id, html, parse_mode=ParseMode.HTML)

    stored = telegram.last_bot_message(anna)
    assert sent.text == stored.text == "Заявка <№42> принята"
    assert [(entity.type, entity.offset, entity.length) for entity in sent.entities] == [
        ("bold", 0, 6)
    ]
    assert stored.html == html


async def test_default_parse_mode_of_the_bot_is_honoured(
    telegram: FakeTelegram, anna: FakeUser
) -> None:
    bot = telegram.create_bot(default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    try:
        sent = await bot.send_message(anna.id, "<i>курсив</i>")
    finally:
        await bot.session.close()

    assert sent.text == "курсив"


async def test_broken_html_is_refused(bot: Bot, anna: FakeUser) -> None:
    with pytest.raises(
        TelegramBadRequest, match='can\'t parse entities: Unsupported start tag "br"'
    ):
        await bot.send_message(anna.id, "строка<br>строка", parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("я" * 4096, True),
        ("я" * 4097, False),
        ("<b>" + "я" * 4096 + "</b>", True),
        ("  " + "я" * 4096 + "  ", True),
    ],
)
async def test_text_length_counts_after_parsing(
    bot: Bot, anna: FakeUser, text: str, accepted: bool
) -> None:
    if accepted:
        assert len((await bot.send_message(anna.id, text, parse_mode=ParseMode.HTML)).text) == 4096
    else:
        with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
            await bot.send_message(anna.id, text, parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("", "message text is empty"),
        ("   ", "text must be non-empty"),
        ("<b> </b>", "text must be non-empty"),
    ],
)
async def test_empty_text_is_refused(bot: Bot, anna: FakeUser, text: str, description: str) -> None:
    with pytest.raises(TelegramBadRequest, match=f"Bad Request: {description}"):
        await bot.send_message(anna.id, text, parse_mode=ParseMode.HTML)


async def test_caption_is_limited_to_1024_characters(bot: Bot, anna: FakeUser) -> None:
    photo = BufferedInputFile(b"\x89PNG", filename="scan.png")

    await bot.send_photo(anna.id, photo, caption="я" * 1024)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message caption is too long"):
        await bot.send_photo(anna.id, photo, caption="я" * 1025)


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(42, "кто здесь?")


async def test_a_user_who_never_started_the_bot_cannot_be_written_to(
    telegram: FakeTelegram, bot: Bot
) -> None:
    stranger = telegram.add_user("Гость", has_started_bot=False)

    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "Здравствуйте")

    await telegram.send_command(stranger, "start")
    assert (await bot.send_message(stranger.id, "Здравствуйте")).message_id == 2


async def test_edits_replace_content_and_keep_history(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(anna.id, "Шаг 1", reply_markup=keyboard("Далее"))

    edited = await bot.edit_message_text(
        "<b>Шаг 2</b>",
        chat_id=anna.id,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard("Готово"),
    )

    stored = telegram.last_bot_message(anna)
    assert edited.text == stored.text == "Шаг 2"
    assert edited.edit_date is not None
    assert stored.button_labels() == ["Готово"]
    assert [version.text for version in stored.versions] == ["Шаг 1", "Шаг 2"]
    assert [version.source_text for version in stored.edits] == ["<b>Шаг 2</b>"]


async def test_an_identical_edit_is_not_modified(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(
        anna.id, "<b>Статус</b>", parse_mode="HTML", reply_markup=keyboard("Обновить")
    )

    with pytest.raises(TelegramBadRequest, match=NOT_MODIFIED):
        await bot.edit_message_text(
            "<b>Статус</b>",
            chat_id=anna.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("Обновить"),
        )
    with pytest.raises(TelegramBadRequest, match=NOT_MODIFIED):
        await bot.edit_message_reply_markup(
            chat_id=anna.id, message_id=sent.message_id, reply_markup=keyboard("Обновить")
        )


async def test_same_text_with_other_formatting_is_a_modification(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.id, "Статус")

    edited = await bot.edit_message_text(
        "<b>Статус</b>", chat_id=anna.id, message_id=sent.message_id, parse_mode="HTML"
    )

    assert edited.entities[0].type == "bold"


async def test_editing_text_without_markup_removes_the_keyboard(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(anna.id, "Выберите", reply_markup=keyboard("Да", "Нет"))

    edited = await bot.edit_message_text("Спасибо", chat_id=anna.id, message_id=sent.message_id)

    assert edited.reply_markup is None
    assert telegram.last_bot_message(anna).reply_markup is None


async def test_caption_and_markup_edits(telegram: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_photo(
        anna.id, BufferedInputFile(b"img", filename="a.jpg"), caption="Скан"
    )

    recaptioned = await bot.edit_message_caption(
        chat_id=anna.id, message_id=sent.message_id, caption="Скан паспорта"
    )
    marked = await bot.edit_message_reply_markup(
        chat_id=anna.id, message_id=sent.message_id, reply_markup=keyboard("Ок")
    )

    assert recaptioned.caption == "Скан паспорта"
    assert marked.reply_markup.inline_keyboard[0][0].text == "Ок"
    assert len(telegram.last_bot_message(anna).edits) == 2
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=sent.message_id)


async def test_edit_targets_must_exist_and_belong_to_the_bot(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    users_message = await telegram.send_text(anna, "Моё сообщение")

    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=999)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message can't be edited"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=users_message.message_id)


async def test_deleted_messages_are_flagged_and_gone_for_the_bot(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(anna.id, "Временное")

    assert await bot.delete_message(anna.id, sent.message_id) is True

    assert telegram.bot_messages(anna)[0].deleted
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await bot.delete_message(anna.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=sent.message_id)


async def test_replies_must_point_at_an_existing_message(bot: Bot, anna: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to be replied not found"):
        await bot.send_message(anna.id, "x", reply_parameters=ReplyParameters(message_id=77))

    sent = await bot.send_message(
        anna.id,
        "x",
        reply_parameters=ReplyParameters(message_id=77, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is None


async def test_copy_returns_only_the_new_id_and_copies_content(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    operator = telegram.add_user("Оператор")
    photo = await telegram.send_photo(anna, caption="Паспорт")

    copied = await bot.copy_message(
        operator.id, anna.id, photo.message_id, caption="Паспорт от Анны"
    )

    copy = telegram.message(operator, copied.message_id)
    assert copy.content_type == "photo" and copy.media == photo.media
    assert copy.caption == "Паспорт от Анны"
    assert copy.forward_origin is None
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to copy not found"):
        await bot.copy_message(operator.id, anna.id, 999)


async def test_forward_keeps_the_origin(telegram: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    operator = telegram.add_user("Оператор")
    question = await telegram.send_text(anna, "Помогите")

    forwarded = await bot.forward_message(operator.id, anna.id, question.message_id)

    assert forwarded.text == "Помогите"
    assert forwarded.forward_origin.type == "user"
    assert forwarded.forward_origin.sender_user.id == anna.id


async def test_photos_come_in_sizes_and_can_be_resent_by_file_id(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    users_photo = await telegram.send_photo(anna, width=2560, height=1920)
    sizes = users_photo.to_api()["photo"]

    resent = await bot.send_photo(anna.id, sizes[-1]["file_id"])

    assert [(size["width"], size["height"]) for size in sizes] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
    ]
    assert len({size["file_id"] for size in sizes}) == 4
    assert sizes[0]["file_id"].startswith("AgACAgIAAxkBAAI")
    assert [size.file_id for size in resent.photo] == [size["file_id"] for size in sizes]


async def test_file_ids_are_checked(telegram: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    users_photo = await telegram.send_photo(anna)

    with pytest.raises(
        TelegramBadRequest, match="Bad Request: wrong file identifier/HTTP URL specified"
    ):
        await bot.send_photo(anna.id, "AgACAgIAAxkBAAIunknown")
    with pytest.raises(TelegramBadRequest, match="Bad Request: type of file mismatch"):
        await bot.send_document(anna.id, users_photo.media[0].file_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: invalid file_id"):
        await bot.get_file("nonsense")


async def test_uploaded_document_keeps_its_name_and_type(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_document(
        anna.id, BufferedInputFile(b"%PDF", filename="справка.pdf"), caption="Готово"
    )

    assert (sent.document.file_name, sent.document.mime_type, sent.document.file_size) == (
        "справка.pdf",
        "application/pdf",
        4,
    )
    assert sent.caption == "Готово"


async def test_media_groups_share_an_id_and_upload_by_attach_reference(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    album = await bot.send_media_group(
        anna.id,
        [
            InputMediaPhoto(
                media=BufferedInputFile(b"one", filename="1.jpg"),
                caption="<b>Скан</b>",
                parse_mode="HTML",
            ),
            InputMediaPhoto(media=BufferedInputFile(b"two", filename="2.jpg")),
        ],
    )

    assert [message.message_id for message in album] == [1, 2]
    assert album[0].media_group_id == album[1].media_group_id is not None
    assert album[0].caption == "Скан" and album[0].caption_entities[0].type == "bold"
    downloaded = await bot.download(album[1].photo[-1].file_id)
    assert downloaded.read() == b"two"
    with pytest.raises(TelegramBadRequest, match="document can't be mixed with other media types"):
        await bot.send_media_group(
            anna.id,
            [InputMediaPhoto(media=album[0].photo[-1].file_id), InputMediaDocument(media="BQAC")],
        )
    with pytest.raises(TelegramBadRequest, match="too many messages to send as an album"):
        await bot.send_media_group(
            anna.id, [InputMediaPhoto(media=album[0].photo[-1].file_id)] * 11
        )


async def test_chat_actions_are_recorded_and_checked(
    telegram: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    await bot.send_chat_action(anna.id, "typing")

    assert telegram.chat_actions(anna) == ["typing"]
    with pytest.raises(TelegramBadRequest, match="wrong parameter action in request"):
        await bot.send_chat_action(anna.id, "dancing")


async def test_pinned_message_shows_in_get_chat(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.id, "Номер заявки: 42")

    await bot.pin_chat_message(anna.id, sent.message_id)

    chat = await bot.get_chat(anna.id)
    assert chat.pinned_message.text == "Номер заявки: 42"
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to pin not found"):
        await bot.pin_chat_message(anna.id, 999)

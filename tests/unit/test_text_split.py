from bot.domain.text_split import MESSAGE_LIMIT, split_html, visible_length


def test_short_text_is_one_piece() -> None:
    assert split_html("<b>Привет</b> &amp; пока") == ["<b>Привет</b> &amp; пока"]


def test_entities_count_as_one_character() -> None:
    assert visible_length("&lt;b&gt; <i>x</i>") == 5


def test_long_text_splits_on_lines_within_the_limit() -> None:
    lines = [f"<b>Строка {number}:</b> " + "х" * 300 for number in range(40)]
    pieces = split_html("\n".join(lines))
    assert len(pieces) > 1
    assert all(visible_length(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert "\n".join(pieces) == "\n".join(lines)


def test_a_single_huge_line_is_cut_without_breaking_tags_or_entities() -> None:
    line = "<b>Описание:</b> <i>" + "&amp;" * 5000 + "</i>"
    pieces = split_html(line, limit=1000)
    assert all(visible_length(piece) <= 1000 for piece in pieces)
    for piece in pieces:
        assert piece.count("<i>") == piece.count("</i>")
        assert "&amp" not in piece.replace("&amp;", "")
    assert sum(piece.count("&amp;") for piece in pieces) == 5000

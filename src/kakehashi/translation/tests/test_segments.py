from kakehashi.translation import segments


def texts(text):
    return segments.split(text).texts


def test_japanese_sentences_split_after_maru_and_marks():
    assert texts("脆弱性があります。回避策は？ありません！") == [
        "脆弱性があります。",
        "回避策は？",
        "ありません！",
    ]


def test_closing_brackets_stay_with_their_sentence():
    assert texts("「修正します。」と回答がありました。") == [
        "「修正します。」",
        "と回答がありました。",
    ]


def test_english_sentences_split_at_full_stops_followed_by_space():
    assert texts("The form is vulnerable. Update to 1.2.3 now! Is 2.0 affected?") == [
        "The form is vulnerable.",
        "Update to 1.2.3 now!",
        "Is 2.0 affected?",
    ]


def test_abbreviations_and_initials_do_not_end_a_sentence():
    assert texts("Use e.g. the admin page. Ask J. Smith first.") == [
        "Use e.g. the admin page.",
        "Ask J. Smith first.",
    ]


def test_line_breaks_end_sentences_and_blank_lines_are_kept():
    split = segments.split("  Title\n\n- item one\n- item two。")
    assert split.texts == ["Title", "- item one", "- item two。"]
    assert split.prefix == "  "
    rebuilt = split.prefix + "".join(s.text + s.after for s in split.segments)
    assert rebuilt == "  Title\n\n- item one\n- item two。"


def test_join_keeps_line_breaks_and_uses_the_target_languages_spacing():
    split = segments.split("一文目。二文目。\n\n三文目。")
    assert segments.join(split, ["One.", "Two.", "Three."], "en") == "One. Two.\n\nThree."
    split_en = segments.split("One. Two.\nThree.")
    assert segments.join(split_en, ["一。", "二。", "三。"], "ja") == "一。二。\n三。"


def test_join_leaves_out_sentences_not_translated_yet():
    split = segments.split("One. Two. Three.")
    assert segments.join(split, ["X.", "", "Z."], "ja") == "X.Z."


def test_empty_text_has_no_sentence():
    assert texts("") == []
    assert texts("   \n ") == []

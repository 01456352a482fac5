"""The project tokenizer (annotator/nlp/tokenizer.py): one emoji as the reader sees it is one token."""

from __future__ import annotations

import pytest

from annotator.nlp.tokenizer import token_offsets


def words(text):
    return [text[a:b] for a, b in token_offsets(text)]


@pytest.mark.parametrize("text, expected", [
    ("Bendera 🇮🇩 berkibar", ["Bendera", "🇮🇩", "berkibar"]),  # a flag: two regional indicators
    ("Halo🇮🇩🇯🇵!", ["Halo", "🇮🇩", "🇯🇵", "!"]),  # two flags glued to a word and to each other
    ("keluarga 👨\u200d👩\u200d👧 bahagia", ["keluarga", "👨\u200d👩\u200d👧", "bahagia"]),  # a ZWJ sequence
    ("jempol 👍🏽 ya", ["jempol", "👍🏽", "ya"]),  # a skin-tone modifier
    ("coder 👩🏽\u200d💻.", ["coder", "👩🏽\u200d💻", "."]),  # modifier inside a ZWJ sequence, then punctuation
    ("cinta ❤️ kamu", ["cinta", "❤️", "kamu"]),  # a variation selector
    ("Budi👍🏽kata", ["Budi", "👍🏽", "kata"]),  # glued on both sides
    ("nomor 1️⃣ satu", ["nomor", "1️⃣", "satu"]),  # a keycap
])
def test_an_emoji_is_one_token(text, expected):
    assert words(text) == expected


def test_text_without_emoji_is_split_as_before():
    text = "Harga naik 100%, kata Budi (40) pukul 12.30 WIB; Rp 10.000,- per kg © Kompas."
    assert words(text) == ["Harga", "naik", "100", "%", ",", "kata", "Budi", "(", "40", ")", "pukul", "12.30", "WIB",
                           ";", "Rp", "10.000", ",", "-", "per", "kg", "©", "Kompas", "."]

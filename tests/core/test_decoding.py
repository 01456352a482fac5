"""Decoding input files: per line, not one bad byte deciding for the whole file."""

import codecs

import pytest

from annotator.core.formats.common import FormatError, read_text


def test_one_invalid_byte_in_a_utf8_file_does_not_turn_the_other_lines_into_mojibake(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes("“Kutipan” pertama.\nBaris kedua.\n".encode() + b"Caf\xe9 rusak\n" + "Ketiga “lagi”.\n".encode())
    text, problems = read_text(path)
    assert text == "“Kutipan” pertama.\nBaris kedua.\nCafé rusak\nKetiga “lagi”.\n"
    assert [(p.line, p.level) for p in problems] == [(3, "warning")]
    assert "cp1252" in problems[0].message


def test_a_bad_byte_inside_a_utf8_line_is_replaced_not_the_whole_line_reread(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("Kata “satu”".encode() + b"\xff" + " dua.\n".encode())
    text, problems = read_text(path)
    assert text == "Kata “satu”\ufffd dua.\n"
    assert problems[0].line == 1 and "\ufffd" in problems[0].message


def test_a_wholly_legacy_file_falls_back_and_names_the_codec(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Café “x”\nSecond\n".encode("cp1252"))
    text, problems = read_text(path)
    assert text == "Café “x”\nSecond\n"
    assert "Windows-1252" in problems[0].message and problems[0].line == 1
    path.write_bytes(b"A\x81\x8d line\n")  # bytes cp1252 does not define
    text, problems = read_text(path)
    assert text == "A\x81\x8d line\n" and "Latin-1" in problems[0].message


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom_are_text(tmp_path, codec):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[codec]
    path = tmp_path / "wide.txt"
    path.write_bytes(bom + "Berita “penting”\r\nbaris 2\n".encode(codec))
    assert read_text(path) == ("Berita “penting”\nbaris 2\n", [])


def test_binary_is_still_refused(tmp_path):
    path = tmp_path / "b.txt"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(FormatError, match="binary"):
        read_text(path)

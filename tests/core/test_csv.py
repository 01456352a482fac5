"""CSV: reading articles (sniffing, columns, multi-line cells, encodings) and writing quotes."""

from __future__ import annotations

import csv

import pytest

from annotator.core.records import iter_records
from annotator.core.formats.common import FormatError, Problem
from annotator.core.formats.csvfmt import QUOTE_COLUMNS, read_csv, write_quotes_csv
from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp.tokenizer import token_offsets


def split(items):
    return [i for i in items if isinstance(i, dict)], [i for i in items if isinstance(i, Problem)]


def write(tmp_path, name, content: str, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniffs_the_delimiter(tmp_path, delimiter):
    d = delimiter
    content = (f"id{d}title{d}text{d}source\n"
               f"a1{d}Judul satu{d}\"Kata dia, {d} lalu pergi.\"{d}kompas.com\n"
               f"a2{d}Judul dua{d}Teks kedua.{d}\n")
    records, problems = split(list(read_csv(write(tmp_path, "in.csv", content))))
    assert problems == []
    assert [r["id"] for r in records] == ["a1", "a2"]
    assert records[0]["text"] == f"Kata dia, {d} lalu pergi."
    assert records[0]["meta"] == {"title": "Judul satu", "source": "kompas.com"}
    assert records[1]["meta"] == {"title": "Judul dua", "source": None}


def test_one_column_file(tmp_path):
    content = "text\nSatu, dua; tiga.\nEmpat | lima.\n"
    records, problems = split(list(read_csv(write(tmp_path, "one.csv", content))))
    assert problems == [] and [r["text"] for r in records] == ["Satu, dua; tiga.", "Empat | lima."]
    assert "id" not in records[0]  # the importer derives a stable id from the text


def test_missing_text_column_names_file_and_columns(tmp_path):
    path = write(tmp_path, "bad.csv", "id,judul,isi\n1,a,b\n")
    with pytest.raises(FormatError) as info:
        list(read_csv(path))
    message = str(info.value)
    assert str(path) in message and "'text'" in message and "'judul'" in message and "'isi'" in message
    records, _ = split(list(read_csv(path, text_column="isi", title_column="judul")))
    assert records[0]["text"] == "b" and records[0]["meta"] == {"title": "a"} and records[0]["id"] == "1"
    with pytest.raises(FormatError, match="no id column 'kode'"):
        list(read_csv(path, text_column="isi", id_column="kode"))


def test_multiline_cells_and_physical_line_numbers(tmp_path):
    content = ('id,text\n'
               'a,"Paragraf satu.\n\nParagraf ""dua"", dengan koma."\n'
               'b,\n'
               'c,"Baris\r\nlagi"\n'
               'd,Teks d,kolom lebih\n')
    path = write(tmp_path, "ml.csv", content)
    records, problems = split(list(read_csv(path)))
    assert [r["id"] for r in records] == ["a", "c"]
    assert records[0]["text"] == 'Paragraf satu.\n\nParagraf "dua", dengan koma.'
    assert records[1]["text"] == "Baris\nlagi"
    assert [r["_line"] for r in records] == [2, 6]
    assert [(p.line, p.level) for p in problems] == [(5, "error"), (8, "error")]
    assert "empty text" in problems[0].message and problems[0].file == str(path)
    assert "3 cells" in problems[1].message


def test_bom_and_cp1252(tmp_path):
    records, problems = split(list(read_csv(write(tmp_path, "bom.csv", "\ufefftext;id\nHalo;x\n"))))
    assert problems == [] and records[0]["id"] == "x" and records[0]["text"] == "Halo"
    path = write(tmp_path, "win.csv", "text,title\n\u201cKami menolak\u201d,Caf\u00e9\n", encoding="cp1252")
    records, problems = split(list(read_csv(path)))
    assert [p.level for p in problems] == ["warning"] and "cp1252" in problems[0].message
    assert records[0]["text"] == "\u201cKami menolak\u201d" and records[0]["meta"]["title"] == "Caf\u00e9"


def test_binary_and_empty_files_are_refused(tmp_path):
    with pytest.raises(FormatError, match="binary"):
        list(read_csv(write(tmp_path, "x.csv", "text\n\x00\x01\x02")))
    with pytest.raises(FormatError, match="empty"):
        list(read_csv(write(tmp_path, "y.csv", "")))


def test_imports_into_the_store(tmp_path):
    content = "id,title,text,date\nk1,Judul,\"Teks pertama.\nBaris dua.\",2024-10-23\nk2,,,\n"
    with Store(tmp_path / "a.db", tokenizer=token_offsets) as store:
        summary = import_records(store, read_csv(write(tmp_path, "in.csv", content)))
        assert summary.imported == 1 and len(summary.errors) == 1 and summary.errors[0].line == 4
        article = store.get_article("k1")
        assert article.title == "Judul" and article.date == "2024-10-23"
        assert article.text == "Teks pertama.\nBaris dua."


# ---- writing quotes ---------------------------------------------------------------------

TEXT = ('=Judul\n"Kami menolak, tegas," kata Joko Widodo.\n'
        '"Baris satu\nbaris dua" ujar Menteri.\n-5 persen, menurut =BPS.')


def _at(needle, label=None):
    start = TEXT.index(needle)
    return {"start": start, "end": start + len(needle), "label": label}


@pytest.fixture
def quote_store(tmp_path):
    with Store(tmp_path / "q.db", tokenizer=token_offsets) as store:
        record = {
            "id": "=a1", "text": TEXT, "meta": {"title": "Judul, \"x\""},
            "spans": [_at("Joko Widodo", "PERSON"), _at("BPS", "ORG")],
            "quotes": [
                {**_at("Kami menolak, tegas,"), "kind": "direct", "speaker": _at("Joko Widodo", "PERSON"),
                 "cue": _at("kata"), "stance": "OPPOSE"},
                {**_at("Baris satu\nbaris dua"), "kind": "direct", "speaker": _at("Menteri"), "cue": _at("ujar")},
                {**_at("-5 persen"), "kind": "indirect", "speaker": _at("=BPS", "ORG"), "cue": _at("menurut"),
                 "stance": "NEUTRAL", "status": "rejected", "source": "model"},
            ],
        }
        summary = import_records(store, [record])
        assert not summary.problems, summary.problems
        yield store


@pytest.mark.parametrize("bom", [False, True])
def test_quotes_csv_reads_back_one_row_per_quote(tmp_path, quote_store, bom):
    out = tmp_path / "quotes.csv"
    rows = write_quotes_csv(iter_records(quote_store, "@gold", include_rejected=True), out, bom=bom)
    assert rows == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    assert b"\r\n" in raw  # RFC 4180 row ends, what spreadsheets expect
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(QUOTE_COLUMNS)
    body = [dict(zip(table[0], row)) for row in table[1:]]
    assert len(body) == 3
    first, second, third = body
    assert first["quote"] == "Kami menolak, tegas," and first["speaker"] == "Joko Widodo"
    assert first["speaker_label"] == "PERSON" and first["cue"] == "kata" and first["stance"] == "OPPOSE"
    assert first["title"] == 'Judul, "x"' and first["annotator"] == "'@gold" and first["status"] == "accepted"
    assert second["quote"] == "Baris satu\nbaris dua" and second["speaker_label"] == "" and second["stance"] == ""
    assert TEXT[int(second["start"]):int(second["end"])] == "Baris satu\nbaris dua"
    # cells a spreadsheet would run as formulas are defused; the other columns are untouched
    assert third["quote"] == "'-5 persen" and third["speaker"] == "'=BPS" and third["article_id"] == "'=a1"
    assert third["kind"] == "indirect" and third["status"] == "rejected" and third["source"] == "model"


def test_quotes_csv_without_rejected(tmp_path, quote_store):
    out = tmp_path / "q.csv"
    assert write_quotes_csv(iter_records(quote_store, "@gold"), out) == 2
    with open(out, encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == 3


def test_malformed_quoting_is_reported_and_the_rest_still_reads(tmp_path):
    content = 'id,text\na,"x"y\nb,Kata "dia" pergi\nc,"tidak ditutup\nd,teks\n'
    path = write(tmp_path, "q.csv", content)
    records, problems = split(list(read_csv(path)))
    assert [r["id"] for r in records] == ["b"] and records[0]["text"] == 'Kata "dia" pergi'
    assert [(p.line, p.level) for p in problems] == [(2, "error"), (4, "error")]
    assert "never closed" in problems[1].message

"""CoNLL/IOB/BILOU reading and writing, and the round trip database -> CoNLL -> database."""

from __future__ import annotations

import pytest

from annotator.core.records import iter_records
from annotator.core.formats.common import Problem
from annotator.core.formats.conll import read_conll, write_conll
from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp.tokenizer import token_offsets


def split(items):
    records = [i for i in items if isinstance(i, dict)]
    problems = [i for i in items if isinstance(i, Problem)]
    return records, problems


def entities(record):
    """{(token texts, label)} of a record."""
    tokens = record["tokens"]
    result = set()
    for span in record["spans"]:
        words = tuple(t["text"] for t in tokens if t["start"] >= span["start"] and t["end"] <= span["end"])
        result.add((words, span["label"]))
    return result


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


IOB2 = """-DOCSTART-\tO

Presiden\tO
Joko\tB-PERSON
Widodo\tI-PERSON
ke\tO
Jawa\tB-PLACE
Tengah\tI-PLACE
.\tO

Kata\tO
Kompas\tB-ORGANISATION
.\tO

-DOCSTART-\tO

Moskow\tB-PLACE
menolak\tO
"""


def test_reads_documents_text_tokens_and_spans(tmp_path):
    path = write(tmp_path, "berita.iob", IOB2)
    records, problems = split(list(read_conll(path)))
    assert problems == []
    assert [r["id"] for r in records] == ["berita-0001", "berita-0002"]
    first = records[0]
    assert first["text"] == "Presiden Joko Widodo ke Jawa Tengah .\nKata Kompas ."
    assert entities(first) == {(("Joko", "Widodo"), "PERSON"), (("Jawa", "Tengah"), "LOC"), (("Kompas",), "ORG")}
    for token in first["tokens"]:
        assert first["text"][token["start"]:token["end"]] == token["text"]
    for span in first["spans"]:
        assert first["tokens"][span["token_start"]]["start"] == span["start"]
        assert first["tokens"][span["token_end"]]["end"] == span["end"]
    assert first["_file"] == str(path) and first["_line"] == 3
    assert records[1]["text"] == "Moskow menolak" and records[1]["_line"] == 17


def test_bilou_and_bioes(tmp_path):
    bilou = "A\tU-PER\nB\tB-ORG\nC\tI-ORG\nD\tL-ORG\nE\tU-ORG\nF\tO\n"
    bioes = "A\tS-PER\nB\tB-ORG\nC\tI-ORG\nD\tE-ORG\nE\tS-ORG\nF\tO\n"
    expected = {(("A",), "PERSON"), (("B", "C", "D"), "ORG"), (("E",), "ORG")}
    for name, content in (("bilou.txt", bilou), ("bioes.txt", bioes)):
        records, problems = split(list(read_conll(write(tmp_path, name, content), doc_boundary="blank",
                                                  label_map={"PER": "PERSON"})))
        assert [p for p in problems if p.level == "error"] == []
        assert len(records) == 1 and entities(records[0]) == expected
        assert len(records[0]["spans"]) == 3


def test_iob1_and_i_after_o_starts_an_entity(tmp_path):
    # IOB1: I- starts an entity, B- only separates two adjacent entities of one type.
    content = "Joko\tI-PER\nWidodo\tI-PER\nPrabowo\tB-PER\ndan\tO\nPBB\tI-ORG\nJakarta\tI-LOC\n"
    records, problems = split(list(read_conll(write(tmp_path, "iob1.txt", content), doc_boundary="blank")))
    assert [p for p in problems if p.level == "error"] == []
    assert entities(records[0]) == {(("Joko", "Widodo"), "PERSON"), (("Prabowo",), "PERSON"),
                                    (("PBB",), "ORG"), (("Jakarta",), "LOC")}


def test_space_separated_with_middle_columns(tmp_path):
    content = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
    records, problems = split(list(read_conll(write(tmp_path, "c03.txt", content))))
    assert problems == []
    assert records[0]["text"] == "EU rejects German"
    assert entities(records[0]) == {(("EU",), "ORG"), (("German",), "MISC")}  # MISC passes through


def test_crlf_and_cp1252(tmp_path):
    crlf = write(tmp_path, "crlf.iob", IOB2.replace("\n", "\r\n"))
    records, problems = split(list(read_conll(crlf)))
    assert problems == [] and "\r" not in records[0]["text"]
    assert records[0]["text"] == "Presiden Joko Widodo ke Jawa Tengah .\nKata Kompas ."

    cp = write(tmp_path, "cp.iob", "\u201cKami\tO\nJos\u00e9\tB-PERSON\n", encoding="cp1252")
    records, problems = split(list(read_conll(cp, doc_boundary="blank")))
    assert [p.level for p in problems] == ["warning"] and "cp1252" in problems[0].message
    assert records[0]["text"] == "\u201cKami Jos\u00e9"
    assert entities(records[0]) == {(("Jos\u00e9",), "PERSON")}


def test_bad_lines_skip_their_document_only(tmp_path):
    content = ("-DOCSTART-\tO\n\nSatu\tO\nDua\n\nTiga\tI-\nEmpat\tX-PER\n\n"
               "-DOCSTART-\tO\n\nBaik\tB-PERSON\n")
    path = write(tmp_path, "bad.iob", content)
    records, problems = split(list(read_conll(path)))
    assert [r["text"] for r in records] == ["Baik"]
    assert [(p.line, p.level) for p in problems] == [(4, "error"), (6, "error"), (7, "error")]
    assert all(p.file == str(path) and "bad-0001 skipped" in p.message for p in problems)
    assert "no tag" in problems[0].message and "'I-'" in problems[1].message
    assert str(problems[0]).startswith(f"{path}:4: error:")


def test_document_boundaries(tmp_path):
    content = "".join(f"Kalimat{i}\tO\nke{i}\tO\n\n" for i in range(5))
    path = write(tmp_path, "plain.iob", content)
    blank, _ = split(list(read_conll(path, doc_boundary="blank")))
    assert [r["text"] for r in blank] == [f"Kalimat{i} ke{i}" for i in range(5)]
    none, problems = split(list(read_conll(path, doc_boundary="none", sentences_per_doc=2)))
    assert problems == [] and [r["text"].count("\n") for r in none] == [1, 1, 0]
    fallback, problems = split(list(read_conll(path, sentences_per_doc=2)))  # no -DOCSTART-: like "none"
    assert [r["text"] for r in fallback] == [r["text"] for r in none]
    assert [p.level for p in problems] == ["warning"] and "-DOCSTART-" in problems[0].message
    with pytest.raises(ValueError):
        list(read_conll(path, doc_boundary="paragraph"))


def test_label_map(tmp_path):
    content = "A\tB-PLACE\nB\tB-GPE\nC\tB-MISC\nD\tB-ORGANIZATION\n"
    path = write(tmp_path, "labels.iob", content)
    records, _ = split(list(read_conll(path, doc_boundary="blank")))
    assert [s["label"] for s in records[0]["spans"]] == ["LOC", "LOC", "MISC", "ORG"]
    records, _ = split(list(read_conll(path, doc_boundary="blank", label_map={"PLACE": "LOC", "MISC": None})))
    assert [s["label"] for s in records[0]["spans"]] == ["LOC", "GPE", "ORGANIZATION"]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "a.db", tokenizer=token_offsets) as s:
        yield s


def test_import_reports_unknown_label_and_keeps_tokens(tmp_path, store):
    content = "-DOCSTART-\tO\n\nJoko\tB-PERSON\nke\tO\nRusia\tB-PLACE\n\n-DOCSTART-\tO\n\nIni\tO\nlain\tB-MISC\n"
    summary = import_records(store, read_conll(write(tmp_path, "imp.iob", content)))
    assert summary.imported == 1 and len(summary.errors) == 1
    assert "MISC" in summary.errors[0].message and summary.errors[0].line == 9
    article = store.get_article("imp-0001")
    assert [article.text[s:e] for s, e in article.tokens] == ["Joko", "ke", "Rusia"]
    layer = store.get_layer("imp-0001", "@gold")
    assert [(e.label, article.text[e.start:e.end]) for e in layer.entities] == [("PERSON", "Joko"), ("LOC", "Rusia")]


TEXT_1 = ("😀 Presiden Joko Widodo dan Prabowo Subianto bertemu di Jawa\nTengah.\n\n"
          "\u201cKami menolak pengerahan itu,\u201d kata juru bicara PBB, Stéphane Dujarric.\n"
          "Menurut Kompas, situasi memburuk 12 Januari 2025.")
TEXT_2 = "Rusia dan Korea Utara menandatangani perjanjian di Pyongyang Moskow."  # two adjacent LOCs


def _span(text, needle, label, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "label": label}


def gold_records():
    q1 = _span(TEXT_1, "Kami menolak pengerahan itu", None)
    q2 = _span(TEXT_1, "situasi memburuk 12 Januari 2025", None)
    return [
        {"id": "art-1", "text": TEXT_1,
         "spans": [_span(TEXT_1, "Joko Widodo", "PERSON"), _span(TEXT_1, "Prabowo Subianto", "PERSON"),
                   _span(TEXT_1, "Jawa\nTengah", "LOC"), _span(TEXT_1, "PBB", "ORG"),
                   _span(TEXT_1, "Stéphane Dujarric", "PERSON"), _span(TEXT_1, "Kompas", "ORG"),
                   _span(TEXT_1, "12 Januari 2025", "DATE")],
         "quotes": [{**q1, "kind": "direct", "speaker": _span(TEXT_1, "Stéphane Dujarric", "PERSON"),
                     "cue": _span(TEXT_1, "kata", None), "stance": "OPPOSE"},
                    {**q2, "kind": "indirect", "speaker": _span(TEXT_1, "Kompas", "ORG"),
                     "cue": _span(TEXT_1, "Menurut", None), "stance": None}]},
        {"id": "art-2", "text": TEXT_2,
         "spans": [_span(TEXT_2, "Rusia", "LOC"), _span(TEXT_2, "Korea Utara", "LOC"),
                   _span(TEXT_2, "Pyongyang", "LOC"), _span(TEXT_2, "Moskow", "LOC")]},
    ]


@pytest.mark.parametrize("scheme", ["iob1", "iob2", "bilou", "bioes"])
@pytest.mark.parametrize("quotes_column", [False, True])
def test_database_to_conll_to_database(tmp_path, store, scheme, quotes_column):
    assert not import_records(store, gold_records()).problems
    original = list(iter_records(store, "@gold"))
    out = tmp_path / "gold.conll"
    assert write_conll(original, out, scheme=scheme, quotes_column=quotes_column) == 2

    with Store(tmp_path / "b.db", tokenizer=token_offsets) as again:
        summary = import_records(again, read_conll(out))
        assert summary.problems == [] and summary.imported == 2
        back = list(iter_records(again, "@gold"))
    assert [entities(r) for r in back] == [entities(r) for r in original]
    assert [len(r["spans"]) for r in back] == [7, 4]
    assert [[t["text"] for t in r["tokens"]] for r in back] == [[t["text"] for t in r["tokens"]] for r in original]


def test_written_file_layout(tmp_path, store):
    import_records(store, gold_records())
    out = tmp_path / "gold.conll"
    write_conll(iter_records(store, "@gold"), out, scheme="bilou", quotes_column=True)
    content = out.read_text(encoding="utf-8")
    docs = content.split("-DOCSTART-\tO\tO\n\n")
    assert docs[0] == "" and len(docs) == 3
    lines = content.splitlines()
    assert "Jawa\tO\tB-LOC" in lines and "Tengah\tO\tL-LOC" in lines  # no sentence break inside the entity
    assert lines[lines.index("Tengah\tO\tL-LOC") + 1] == ".\tO\tO"
    assert "Kami\tB-QUOTE_DIRECT\tO" in lines and "PBB\tO\tU-ORG" in lines
    assert "situasi\tB-QUOTE_INDIRECT\tO" in lines and "2025\tL-QUOTE_INDIRECT\tL-DATE" in lines
    assert "itu\tL-QUOTE_DIRECT\tO" in lines
    sentences = docs[1].strip("\n").split("\n\n")
    assert len(sentences) == 3  # line breaks of the text, except the one inside "Jawa\nTengah"
    assert all(len(line.split("\t")) == 3 for line in lines if line)


def test_rejected_spans_are_not_written(tmp_path):
    record = {"id": "x", "text": "Joko ke Rusia", "tokens": [
        {"text": "Joko", "start": 0, "end": 4}, {"text": "ke", "start": 5, "end": 7},
        {"text": "Rusia", "start": 8, "end": 13}],
        "spans": [{"start": 0, "end": 4, "label": "PERSON", "status": "rejected"},
                  {"start": 0, "end": 7, "label": "ORG", "status": "accepted"}]}
    out = tmp_path / "x.conll"
    write_conll([record], out)
    assert out.read_text() == "-DOCSTART-\tO\n\nJoko\tB-ORG\nke\tI-ORG\nRusia\tO\n\n"


@pytest.mark.parametrize("scheme,expected", [
    ("iob1", ["I-LOC", "O", "I-LOC", "I-LOC", "O", "O", "O", "I-LOC", "B-LOC", "O"]),
    ("iob2", ["B-LOC", "O", "B-LOC", "I-LOC", "O", "O", "O", "B-LOC", "B-LOC", "O"]),
    ("bilou", ["U-LOC", "O", "B-LOC", "L-LOC", "O", "O", "O", "U-LOC", "U-LOC", "O"]),
    ("bioes", ["S-LOC", "O", "B-LOC", "E-LOC", "O", "O", "O", "S-LOC", "S-LOC", "O"]),
])
def test_scheme_tags(tmp_path, store, scheme, expected):
    import_records(store, gold_records()[1:])
    out = tmp_path / f"{scheme}.conll"
    write_conll(iter_records(store, "@gold"), out, scheme=scheme)
    lines = out.read_text(encoding="utf-8").splitlines()[2:-1]
    assert [line.split("\t")[1] for line in lines] == expected
    with pytest.raises(ValueError):
        write_conll([], out, scheme="iobes2")


def test_documents_without_entities_stay_in_the_gold_layer(tmp_path, store):
    content = "Joko\tB-PERSON\ntiba\tO\n\nTidak\tO\nada\tO\nentitas\tO\n"
    path = write(tmp_path, "neg.iob", content)
    summary = import_records(store, read_conll(path, doc_boundary="blank"))
    assert summary.imported == 2 and summary.annotated == 2
    assert [r["text"] for r in iter_records(store, "@gold")] == ["Joko tiba", "Tidak ada entitas"]
    records, _ = split(list(read_conll(path, doc_boundary="blank", answer=None)))
    assert all("answer" not in r for r in records)

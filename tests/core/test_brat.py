"""brat standoff: .txt written exactly, offsets as code points, quotes, speakers, cues, stance."""

from __future__ import annotations

import re

import pytest

from annotator.core.records import iter_records
from annotator.core.formats.brat import TakenStems, safe_stem, write_brat
from annotator.core.importer import import_records
from annotator.core.store import Store
from annotator.nlp.tokenizer import token_offsets

TEXT = ("😀 𝕏 Presiden Joko Widodo di Jakarta.\r\n\r\n"
        "\u201cKami menolak\npengerahan itu,\u201d kata Joko Widodo.\n"
        "Menurut seorang pejabat, situasi memburuk.")


def _at(needle, label=None, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "label": label}


def parse_ann(content: str):
    """{id: (type, fragments, text)} for T lines, and the R, A and # lines."""
    spans, relations, attributes, notes = {}, [], [], []
    for line in content.splitlines():
        fields = line.split("\t")
        if line.startswith("T"):
            kind, _, where = fields[1].partition(" ")
            fragments = [tuple(map(int, f.split())) for f in where.split(";")]
            spans[fields[0]] = (kind, fragments, fields[2])
        elif line.startswith("R"):
            name, arg1, arg2 = fields[1].split()
            relations.append((name, arg1.split(":")[1], arg2.split(":")[1]))
        elif line.startswith("A"):
            attributes.append(tuple(fields[1].split()))
        elif line.startswith("#"):
            notes.append(fields)
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return spans, relations, attributes, notes


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "a.db", tokenizer=token_offsets) as s:
        record = {
            "id": "../../etc/x", "text": TEXT,
            "spans": [_at("Joko Widodo", "PERSON"), _at("Jakarta", "LOC"), _at("Joko Widodo", "PERSON", 1),
                      {**_at("Presiden", "PERSON"), "status": "rejected", "source": "model"}],
            "quotes": [
                {**_at("Kami menolak\npengerahan itu"), "kind": "direct",
                 "speaker": _at("Joko Widodo", "PERSON", 1), "cue": _at("kata"), "stance": "OPPOSE"},
                {**_at("situasi memburuk"), "kind": "indirect", "speaker": _at("seorang pejabat"),
                 "cue": _at("Menurut"), "stance": None},
            ],
            "cats": {"stance:SUPPORT": 0.0, "stance:OPPOSE": 1.0, "stance:NEUTRAL": 0.0},
        }
        summary = import_records(s, [record, {"id": "plain", "text": "Teks tanpa anotasi."}])
        assert not summary.problems, summary.problems
        s.open_layer("plain", "@gold")
        yield s


def test_writes_txt_exactly_and_ann_with_code_point_offsets(tmp_path, store):
    out = tmp_path / "brat"
    assert write_brat(iter_records(store, "@gold"), out, labels=store.config.label_names,
                      stances=store.config.stance_names) == 2
    names = sorted(p.name for p in out.iterdir())
    stem = safe_stem("../../etc/x")
    assert names == sorted([f"{stem}.txt", f"{stem}.ann", "plain.txt", "plain.ann", "annotation.conf"])
    assert not stem.startswith(".") and "/" not in stem
    assert (out / f"{stem}.txt").read_bytes() == TEXT.encode("utf-8")  # CRLF and all, untouched
    assert (out / "plain.ann").read_text() == ""

    text = (out / f"{stem}.txt").read_bytes().decode("utf-8")
    spans, relations, attributes, notes = parse_ann((out / f"{stem}.ann").read_text(encoding="utf-8"))
    for kind, fragments, shown in spans.values():
        assert shown == " ".join(text[a:b] for a, b in fragments)
        assert "\n" not in shown
    by_text = {(kind, shown): tid for tid, (kind, _, shown) in spans.items()}
    assert ("PERSON", "Presiden") not in by_text  # rejected
    assert ("LOC", "Jakarta") in by_text
    assert [spans[t][1] for t in spans if spans[t][0] == "LOC"] == [[(_at("Jakarta")["start"], _at("Jakarta")["end"])]]
    # a quote over a line break becomes two fragments
    q1 = by_text[("Quote", "Kami menolak pengerahan itu")]
    assert len(spans[q1][1]) == 2
    q2 = by_text[("Quote", "situasi memburuk")]
    assert ("Kind", q1, "direct") in attributes and ("Kind", q2, "indirect") in attributes
    assert ("Stance", q1, "OPPOSE") in attributes and not any(a[0] == "Stance" and a[1] == q2 for a in attributes)
    second_joko = [t for t, (kind, fr, _) in spans.items() if kind == "PERSON" and fr[0][0] == _at("Joko Widodo", nth=1)["start"]]
    assert ("Speaker", q1, second_joko[0]) in relations
    free = by_text[("Speaker_span", "seorang pejabat")]
    assert ("Speaker", q2, free) in relations
    assert ("Quote_cue", q1, by_text[("Cue", "kata")]) in relations
    assert ("Quote_cue", q2, by_text[("Cue", "Menurut")]) in relations
    assert notes and notes[0][2] == "article stance: OPPOSE"


def test_annotation_conf_declares_every_type(tmp_path, store):
    out = tmp_path / "brat"
    write_brat(iter_records(store, "@gold"), out, labels=store.config.label_names, stances=store.config.stance_names)
    conf = (out / "annotation.conf").read_text()
    sections = dict(re.findall(r"\[(\w+)\]\n(.*?)(?=\n\[|\Z)", conf, re.S))
    entities = sections["entities"].split()
    for name in ["PERSON", "ORG", "LOC", "DATE", "Quote", "Cue", "Speaker_span"]:
        assert name in entities
    assert re.search(r"^Speaker\tArg1:Quote, Arg2:PERSON\|ORG\|LOC\|DATE\|Speaker_span$", sections["relations"], re.M)
    assert "Quote_cue\tArg1:Quote, Arg2:Cue" in sections["relations"]
    assert "Kind\tArg:Quote, Value:direct|indirect" in sections["attributes"]
    assert "Stance\tArg:Quote, Value:SUPPORT|OPPOSE|NEUTRAL" in sections["attributes"]


@pytest.mark.parametrize("article_id", ["../../etc/x", "/etc/passwd", "..", ".hidden", "a\\..\\b", "C:\\x", "NUL",
                                        "con.txt", "a" * 300, "ok-id_1.2"])
def test_safe_stem_stays_inside_the_folder(tmp_path, article_id):
    stem = safe_stem(article_id)
    assert re.fullmatch(r"[\w.-]+", stem) and not stem.startswith(".")
    assert len(stem) <= 120
    assert stem.split(".")[0].lower() not in {"nul", "con"}
    assert (tmp_path / f"{stem}.txt").resolve().parent == tmp_path.resolve()
    if article_id == "ok-id_1.2":
        assert stem == article_id


def test_safe_stem_is_unique():
    taken = TakenStems()
    stems = [safe_stem(i, taken) for i in ["a/b", "a_b", "A_B", "a?b", "a_b"]]
    assert len({s.casefold() for s in stems}) == 5

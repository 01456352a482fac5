"""The export dispatcher: layers, gold filtering, overwrite protection, path safety, atomicity."""

from __future__ import annotations

import csv
import errno
import json
import os

import pytest

from annotator.project.export import FORMATS, ExportError, export_layer
from annotator.core.importer import import_records
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity
from annotator.core.store import Store
from annotator.nlp.tokenizer import token_offsets
from tests.helpers import span_at

BACKENDS = ("sqlite", "postgres")
TEXT_A = "Presiden Joko Widodo tiba di Jakarta.\n\u201cKami menolak,\u201d kata Joko Widodo."
TEXT_B = "Menurut Kemlu, Retno Marsudi bertemu Sergey Lavrov di Moskow."
TEXT_C = "Artikel ketiga tentang ASEAN tanpa kutipan."


def records():
    return [
        {"id": "../../etc/x", "text": TEXT_A,
         "spans": [span_at(TEXT_A, "Joko Widodo", "PERSON"), span_at(TEXT_A, "Jakarta", "LOC"),
                   span_at(TEXT_A, "Joko Widodo", "PERSON", 1)],
         "quotes": [{**span_at(TEXT_A, "Kami menolak"), "kind": "direct", "speaker": span_at(TEXT_A, "Joko Widodo", "PERSON", 1),
                     "cue": span_at(TEXT_A, "kata"), "stance": "OPPOSE"}],
         "cats": {"stance:SUPPORT": 0.0, "stance:OPPOSE": 1.0, "stance:NEUTRAL": 0.0}},
        {"id": "b", "text": TEXT_B,
         "spans": [span_at(TEXT_B, "Kemlu", "ORG"), span_at(TEXT_B, "Retno Marsudi", "PERSON"),
                   span_at(TEXT_B, "Sergey Lavrov", "PERSON"), span_at(TEXT_B, "Moskow", "LOC")],
         "quotes": [{**span_at(TEXT_B, "Retno Marsudi bertemu Sergey Lavrov di Moskow"), "kind": "indirect",
                     "speaker": span_at(TEXT_B, "Kemlu", "ORG"), "cue": span_at(TEXT_B, "Menurut"), "stance": "NEUTRAL"}]},
    ]


@pytest.fixture
def store(tmp_path, backend, request):
    where = request.getfixturevalue("pg_url") if backend == "postgres" else tmp_path / "a.db"
    with Store(where, tokenizer=token_offsets) as s:
        assert not import_records(s, records()).problems
        assert not import_records(s, [{"id": "c", "text": TEXT_C}]).problems
        # model suggestions for b, seen by alice: one accepted, one rejected, one left pending
        start = TEXT_B.index("Menurut")
        s.replace_suggestions("b", [
            Entity(None, "b", MODEL_LAYER, TEXT_B.index("Kemlu"), TEXT_B.index("Kemlu") + 5, "ORG", source="model"),
            Entity(None, "b", MODEL_LAYER, TEXT_B.index("Moskow"), TEXT_B.index("Moskow") + 6, "LOC", source="model"),
            Entity(None, "b", MODEL_LAYER, start, start + 7, "DATE", source="model"),
        ], [])
        layer = s.open_layer("b", "alice")
        by_label = {e.label: e for e in layer.entities}
        s.update_entity(by_label["ORG"].id, status="accepted")
        s.delete_or_reject_entity(by_label["DATE"].id)  # a suggestion: rejected, kept
        s.add_entity("b", "alice", TEXT_B.index("Retno"), TEXT_B.index("Retno") + 13, "PERSON")
        for article_id in ("../../etc/x", "b"):  # gold export writes done articles only
            s.set_status(article_id, GOLD_LAYER, "done")
        s.set_status("b", "alice", "done")
        yield s


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_of_the_gold_layer(tmp_path, store):
    out = tmp_path / "gold.jsonl"
    summary = export_layer(store, out, gold=True)
    assert (summary.articles, summary.entities, summary.quotes) == (2, 7, 2)
    assert summary.files == [str(out)] and summary.layer == GOLD_LAYER
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == json.dumps(json.loads(lines[0]), ensure_ascii=False)  # exactly json.dumps, non-ASCII kept
    assert "\u201c" in lines[0]
    got = [json.loads(line) for line in lines]
    assert [r["id"] for r in got] == ["../../etc/x", "b"]
    assert got[0]["cats"]["stance:OPPOSE"] == 1.0
    # the JSONL imports back losslessly into a fresh database
    with Store(tmp_path / "again.db", tokenizer=token_offsets) as again:
        summary = import_records(again, got)
        assert summary.problems == [] and summary.imported == 2
        back = again.get_layer("b", GOLD_LAYER)
        assert len(back.entities) == 4 and back.quotes[0].stance == "NEUTRAL"


def _alice_opens_c(store):
    """c gets a model suggestion (ORG ASEAN); alice opens c and leaves it pending, not done."""
    start = TEXT_C.index("ASEAN")
    store.replace_suggestions("c", [Entity(None, "c", MODEL_LAYER, start, start + 5, "ORG", source="model")], [])
    store.open_layer("c", "alice")


def test_a_persons_export_holds_their_decisions_on_the_articles_they_finished(tmp_path, store):
    _alice_opens_c(store)
    export_layer(store, tmp_path / "alice.jsonl", layer="alice")
    [record] = read_jsonl(tmp_path / "alice.jsonl")
    assert record["id"] == "b" and record["_annotator_id"] == "alice" and record["answer"] == "accept"
    # the LOC suggestion alice left pending was accepted when she marked b done (Store.set_status)
    assert sorted((s["label"], s["status"]) for s in record["spans"]) == [
        ("LOC", "accepted"), ("ORG", "accepted"), ("PERSON", "accepted")]
    assert any(r["action"] == "accept-on-done" for r in store.edit_log("b"))

    summary = export_layer(store, tmp_path / "all.jsonl", layer="alice", include_pending=True, all_articles=True)
    b, c = read_jsonl(tmp_path / "all.jsonl")
    assert c["id"] == "c" and [(s["label"], s["status"]) for s in c["spans"]] == [("ORG", "suggested")]
    assert "answer" not in c and "pending suggestions" in summary.line()
    export_layer(store, tmp_path / "open.jsonl", layer="alice", all_articles=True)
    assert [r["spans"] for r in read_jsonl(tmp_path / "open.jsonl")][1] == []  # c: no decision yet

    export_layer(store, tmp_path / "rejected.jsonl", layer="alice", include_rejected=True)
    [record] = read_jsonl(tmp_path / "rejected.jsonl")
    assert ("DATE", "rejected") in {(s["label"], s["status"]) for s in record["spans"]}

    # @model: its suggestions are its output, every article with them
    export_layer(store, tmp_path / "model.jsonl", layer=MODEL_LAYER)
    assert [(r["id"], len(r["spans"])) for r in read_jsonl(tmp_path / "model.jsonl")] == [("b", 3), ("c", 1)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_the_same_defaults(tmp_path, store, fmt):
    _alice_opens_c(store)
    summary = export_layer(store, tmp_path / f"alice-{fmt}", fmt=fmt, layer="alice")
    assert (summary.articles, summary.entities, summary.not_done) == (1, 3, 1)
    assert "1 not marked done left out" in summary.line()
    assert summary.skipped == 0 and "without the layer" not in summary.line()  # was "-1 without the layer"
    summary = export_layer(store, tmp_path / f"all-{fmt}", fmt=fmt, layer="alice", include_pending=True,
                           all_articles=True)
    assert (summary.articles, summary.entities) == (2, 4)


def test_nothing_done_is_said_plainly(tmp_path, store):
    _alice_opens_c(store)
    store.set_status("b", "alice", "in_progress")
    with pytest.raises(ExportError, match="no article is marked done in layer 'alice'.*--all-articles"):
        export_layer(store, tmp_path / "x.jsonl", layer="alice")


def test_missing_layer_and_unknown_articles(tmp_path, store):
    with pytest.raises(ExportError, match="no article has the layer 'bob'.*alice"):
        export_layer(store, tmp_path / "bob.jsonl", layer="bob")
    with pytest.raises(ExportError, match="no such article"):
        export_layer(store, tmp_path / "x.jsonl", article_ids=["nope"])
    with pytest.raises(ExportError, match="unknown export format"):
        export_layer(store, tmp_path / "x.doc", fmt="docx")
    with pytest.raises(ExportError, match="split"):
        export_layer(store, tmp_path / "x.jsonl", split=0.8)
    assert not any(tmp_path.glob("*.jsonl"))
    summary = export_layer(store, tmp_path / "some.jsonl", article_ids=["b", "c"])
    assert summary.articles == 1 and summary.skipped == 1  # c has no gold layer


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "conll", "spacy"])
def test_no_silent_overwrite_of_a_file(tmp_path, store, fmt, backend):
    out = tmp_path / f"out.{fmt}"
    out.write_text("precious")
    with pytest.raises(ExportError, match="exists"):
        export_layer(store, out, fmt=fmt)
    assert out.read_text() == "precious"
    summary = export_layer(store, out, fmt=fmt, force=True)
    assert out.read_bytes() != b"precious" and summary.articles == 2
    database = ["a.db", "a.db-wal", "a.db-shm"] if backend == "sqlite" else []
    assert sorted(os.listdir(tmp_path)) == sorted([*database, out.name])  # no temp files left


def test_file_formats_refuse_a_folder_and_the_database(tmp_path, store, backend):
    with pytest.raises(ExportError, match="is a folder"):
        export_layer(store, tmp_path, fmt="jsonl", force=True)
    if backend == "sqlite":
        with pytest.raises(ExportError, match="database"):
            export_layer(store, tmp_path / "a.db", fmt="jsonl", force=True)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        export_layer(store, tmp_path / "afile" / "sub" / "out.jsonl")
    with pytest.raises(ExportError, match="is a file"):
        export_layer(store, tmp_path / "afile", fmt="brat", force=True)


@pytest.mark.parametrize("fmt,split", [("brat", None), ("spacy", 0.5)])
def test_folder_formats_protect_a_non_empty_folder(tmp_path, store, fmt, split):
    out = tmp_path / "folder"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_layer(store, out, fmt=fmt, split=split)
    assert os.listdir(out) == ["notes.txt"]
    summary = export_layer(store, out, fmt=fmt, split=split, force=True)
    assert (out / "notes.txt").read_text() == "mine"  # other files are left alone
    # brat lists only its .conf files, not the .txt/.ann pair of each article
    per_article = [f"{stem}{ext}" for stem in ("_.._etc_x-cdcf495e", "b") for ext in (".ann", ".txt")] if fmt == "brat" else []
    assert sorted(os.listdir(out)) == sorted([os.path.basename(f) for f in summary.files] + per_article + ["notes.txt"])


def test_brat_ids_cannot_escape_the_folder(tmp_path, store):
    out = tmp_path / "deep" / "brat"
    summary = export_layer(store, out, fmt="brat")
    assert summary.articles == 2
    written = [os.path.realpath(p) for p in out.iterdir()]
    assert all(os.path.dirname(f) == os.path.realpath(out) for f in written)
    assert not (tmp_path / "etc").exists() and not any(p.name.startswith(".") for p in out.iterdir())
    ann = [f for f in written if f.endswith(".ann")]
    assert len(ann) == 2 and sorted(os.path.basename(f) for f in summary.files) == ["annotation.conf", "visual.conf"]


def test_spacy_split_writes_train_and_dev_inside_the_folder(tmp_path, store):
    out = tmp_path / "corpus"
    summary = export_layer(store, out, fmt="spacy", split=0.5, gold=True)
    assert sorted(os.listdir(out)) == ["dev.spacy", "train.spacy"]
    assert summary.articles == 2


def test_csv_and_conll_through_the_dispatcher(tmp_path, store):
    export_layer(store, tmp_path / "q.csv", fmt="csv", bom=True)
    raw = (tmp_path / "q.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "q.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["article_id"] for r in rows] == ["../../etc/x", "b"] and rows[0]["quote"] == "Kami menolak"
    export_layer(store, tmp_path / "g.conll", fmt="conll", quotes_column=True)
    lines = (tmp_path / "g.conll").read_text(encoding="utf-8").splitlines()
    assert "Kami\tB-QUOTE_DIRECT\tO" in lines and lines.count("-DOCSTART-\tO\tO") == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_failure_midway_leaves_nothing_behind(tmp_path, store, fmt):
    out = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    if fmt != "brat":
        out.write_text("old")

    def disk_full(done, total):
        if done == 1:
            raise OSError(errno.ENOSPC, "No space left on device")

    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ExportError, match="disk is full"):
        export_layer(store, out, fmt=fmt, force=True, progress=disk_full)
    assert sorted(os.listdir(tmp_path)) == before  # no temp file, no new folder
    if fmt != "brat":
        assert out.read_text() == "old"


def test_failure_midway_in_an_existing_folder(tmp_path, store):
    out = tmp_path / "brat"
    out.mkdir()
    (out / "keep.txt").write_text("keep")

    def boom(done, total):
        raise OSError(errno.EACCES, "Permission denied")

    with pytest.raises(ExportError, match="cannot write"):
        export_layer(store, out, fmt="brat", force=True, progress=boom)
    assert os.listdir(out) == ["keep.txt"]


def test_cancel_writes_nothing_and_progress_counts(tmp_path, store):
    seen = []
    summary = export_layer(store, tmp_path / "c.jsonl", progress=lambda d, t: seen.append((d, t)),
                           cancelled=lambda: len(seen) >= 1)
    assert summary.cancelled and summary.files == [] and summary.articles == 0
    assert not (tmp_path / "c.jsonl").exists() and seen == [(1, 2)]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    seen.clear()
    summary = export_layer(store, tmp_path / "d.jsonl", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)] and not summary.cancelled


def test_new_parent_folders_are_created(tmp_path, store):
    out = tmp_path / "new" / "sub" / "gold.jsonl"
    export_layer(store, out)
    assert len(read_jsonl(out)) == 2


def test_export_does_not_import_spacy_until_it_writes_a_docbin():
    import subprocess
    import sys

    code = ("import sys, annotator.project.export, annotator.core.formats.conll, annotator.core.formats.csvfmt, "
            "annotator.core.formats.brat, annotator.nlp.docbin; "
            "assert 'spacy' not in sys.modules, 'spacy imported'; "
            "assert not any(m.startswith('PySide6') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gold_export_writes_only_done_articles(tmp_path):
    from annotator.project.export import export_layer
    from annotator.core.store import Store
    from annotator.nlp.tokenizer import token_offsets

    store = Store(tmp_path / "g.db", tokenizer=token_offsets)
    for n in (1, 2):
        store.add_article(f"a{n}", f"Joko Widodo tiba di Bandung {n}.")
        store.add_entity(f"a{n}", "@gold", 0, 11, "PERSON")
    store.set_status("a2", "@gold", "done")
    out = tmp_path / "gold.jsonl"
    summary = export_layer(store, out, gold=True)
    assert summary.articles == 1
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a2"]

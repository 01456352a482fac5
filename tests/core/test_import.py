import json

import pytest

from annotator.core.records import iter_records
from annotator.core.formats.readers import read_paths
from annotator.core.importer import import_records

BACKENDS = ("sqlite", "postgres")


def write(path, data: bytes | str):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_txt_folder_with_metadata_bom_crlf_cp1252_binary_and_empty(store, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder / "a.txt", "\ufeffJudul\r\nIsi berita “kutipan”.\r\n")
    write(folder / "a.meta.json", json.dumps({"title": "Judul A", "source": "kompas.id", "date": "2024-10-23"}))
    write(folder / "b.txt", "Caf\xe9 di Jakarta dibuka.".encode("cp1252"))
    write(folder / "c.txt", b"\x00\x01\x02binary\x00")
    write(folder / "d.txt", "   \n")
    summary = import_records(store, read_paths([folder]))
    assert summary.imported == 2
    messages = [str(p) for p in summary.problems]
    assert any("b.txt" in m and "cp1252" in m and "warning" in m for m in messages)
    assert any("c.txt" in m and "binary" in m for m in messages)
    assert any("d.txt" in m and "empty" in m for m in messages)
    a = store.get_article("a")
    assert a.text == "Judul\nIsi berita “kutipan”.\n"  # BOM gone, CRLF normalised
    assert (a.title, a.source, a.date) == ("Judul A", "kompas.id", "2024-10-23")
    assert store.get_article("b").text == "Café di Jakarta dibuka."
    again = import_records(store, read_paths([folder]))
    assert (again.imported, again.duplicates) == (0, 2)


def test_jsonl_bad_lines_are_reported_and_good_records_still_import(store, tmp_path):
    text = "Presiden Joko Widodo berkunjung ke Bandung."
    good = {"id": "g1", "text": text, "spans": [{"start": 9, "end": 20, "label": "PERSON"}]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "r1", "text": text + " Lagi.", "spans": [{"start": 5, "end": 400, "label": "PERSON"}]}),
        json.dumps({"id": "r2", "text": text + " Dua.", "spans": [{"start": 9, "end": 20, "label": "PERSON"},
                                                                    {"start": 15, "end": 20, "label": "PERSON"}]}),
        json.dumps({"id": "r3", "text": text + " Tiga.", "spans": [{"start": 9, "end": 20, "label": "WEAPON"}]}),
        json.dumps([1, 2]),
        json.dumps({"id": "r4", "text": ""}),
    ]
    path = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    summary = import_records(store, read_paths([path]))
    assert summary.imported == 1
    errors = {p.line: p.message for p in summary.errors}
    assert set(errors) == {2, 3, 4, 5, 6, 7}
    assert "bad JSON" in errors[2]
    assert "outside the text" in errors[3]
    assert "overlaps" in errors[4]
    assert "unknown label 'WEAPON'" in errors[5]
    assert all(str(p).startswith(f"{path}:") for p in summary.errors)
    assert store.article_ids() == ["g1"]  # no half-written record
    layer = store.get_layer("g1", "@gold")
    assert [(e.start, e.end, e.label, e.source) for e in layer.entities] == [(9, 20, "PERSON", "human")]


def test_jsonl_keeps_source_status_annotator_unknown_keys_and_splits_tokens(store, tmp_path):
    text = "Kata 😀 Wood: AS-Korea."
    record = {
        "id": "x", "text": text, "meta": {"source": "test"}, "_annotator_id": "alice", "_task_hash": 123,
        "spans": [{"start": 13, "end": 15, "label": "LOC", "source": "model", "status": "suggested", "score": 0.5}],
        "quotes": [{"start": 13, "end": 21, "kind": "indirect", "speaker": {"start": 7, "end": 11, "label": "PERSON"},
                    "cue": {"start": 0, "end": 4, "text": "Kata"}, "stance": "NEUTRAL", "source": "human",
                    "status": "accepted"}],
        "cats": {"stance:SUPPORT": 0.0, "stance:OPPOSE": 1.0, "stance:NEUTRAL": 0.0},
        "answer": "accept",
    }
    path = write(tmp_path / "in.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    summary = import_records(store, read_paths([path]))
    assert summary.errors == []
    layer = store.get_layer("x", "alice")
    # the record is done ("answer": "accept"): a suggestion still pending in it is accepted (Store.set_status)
    assert (layer.entities[0].source, layer.entities[0].status, layer.entities[0].score) == ("model", "accepted", 0.5)
    assert layer.stance == "OPPOSE" and layer.status == "done"
    assert store.get_article("x").meta["_task_hash"] == 123
    # "AS-Korea" is one spaCy token; the span boundary at 15 splits it
    assert (13, 15) in store.tokens("x")


def test_as_suggestions_go_to_the_model_layer(store, tmp_path):
    record = {"id": "p", "text": "Joko Widodo di Jakarta.", "spans": [{"start": 15, "end": 22, "label": "LOC"}]}
    path = write(tmp_path / "pred.jsonl", json.dumps(record) + "\n")
    import_records(store, read_paths([path]), as_suggestions=True)
    layer = store.open_layer("p", "bob")
    assert [(e.status, e.source) for e in layer.entities] == [("suggested", "model")]


def test_roundtrip_jsonl_is_lossless_with_emoji_and_astral(store, tmp_path):
    text = "😀𝕏 “Ini berbahaya,” kata Joko Widodo di 𝕏-Jakarta pada Rabu (23 Oktober 2024)."
    start = text.index("Ini")
    record = {
        "id": "rt", "text": text, "meta": {"title": "T", "source": "s", "date": "2024-10-23", "url": None, "k": [1]},
        "spans": [{"start": text.index("Joko"), "end": text.index("Joko") + 11, "label": "PERSON"},
                  {"start": text.index("Rabu"), "end": text.index("2024)") + 5, "label": "DATE"}],
        "quotes": [{"start": start, "end": start + 15, "kind": "direct",
                    "speaker": {"start": text.index("Joko"), "end": text.index("Joko") + 11, "label": "PERSON"},
                    "cue": {"start": text.index("kata"), "end": text.index("kata") + 4, "text": "kata"},
                    "stance": "OPPOSE", "source": "human", "status": "accepted"}],
        "answer": "accept", "_annotator_id": "alice",
    }
    path = write(tmp_path / "a.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    import_records(store, read_paths([path]))
    first = list(iter_records(store, "alice"))
    assert text[first[0]["spans"][0]["start"]:first[0]["spans"][0]["end"]] == "Joko Widodo"
    assert first[0]["quotes"][0]["cue"]["text"] == "kata"
    out = tmp_path / "out.jsonl"
    out.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in first) + "\n", encoding="utf-8")
    from annotator.core.store import Store
    other = Store(tmp_path / "other.db", tokenizer=store.tokenizer)
    import_records(other, read_paths([out]))
    second = list(iter_records(other, "alice"))
    assert second == first
    assert (first[0]["answer"], first[0]["_annotator_id"], "cats" in first[0]) == ("accept", "alice", False)
    assert [(s["start"], s["end"], s["label"]) for s in first[0]["spans"]] == [
        (s["start"], s["end"], s["label"]) for s in record["spans"]]
    assert first[0]["meta"]["k"] == [1]


def test_missing_path_is_a_clear_error(store, tmp_path):
    from annotator.core.formats.common import FormatError

    with pytest.raises(FormatError, match="no such file"):
        list(read_paths([tmp_path / "nope"]))


def test_a_binary_file_is_reported_and_the_other_files_still_import(store, tmp_path):
    (tmp_path / "ok.conll").write_text("Joko\tB-PERSON\nWidodo\tI-PERSON\n", encoding="utf-8")
    (tmp_path / "bad.conll").write_bytes(b"\x00\x01\x02\x03" * 100)
    summary = import_records(store, read_paths([tmp_path / "bad.conll", tmp_path / "ok.conll"]))
    assert summary.imported == 1
    assert any("bad.conll" in str(p) and "binary" in p.message for p in summary.errors)


def test_json_documents_in_a_folder(store, tmp_path):
    """A pretty-printed .json file is one document: a list of records imports; a settings-like
    object (no 'text') is one warning, not an error per line."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    records = [{"id": "j1", "text": "Satu berita."}, {"id": "j2", "text": "Dua berita.",
                                                     "spans": [{"start": 4, "end": 10, "label": "ORG"}]}]
    write(folder / "records.json", json.dumps(records, indent=2))
    write(folder / "notes.json", json.dumps({"source": "sample", "articles": ["a", "b"]}, indent=2))
    write(folder / "lines.json", json.dumps({"id": "j3", "text": "Tiga berita."}) + "\n" + "{oops\n")
    summary = import_records(store, read_paths([folder]))
    assert summary.imported == 3
    assert [str(p) for p in summary.problems if "notes.json" in str(p)] == [
        f"{folder / 'notes.json'}: warning: a JSON document that is not a record or a list of records (no 'text'); skipped"]
    assert [(p.line, "bad JSON" in p.message) for p in summary.errors] == [(2, True)]  # JSONL in a .json file
    assert [(e.start, e.end, e.label) for e in store.get_layer("j2", "@gold").entities] == [(4, 10, "ORG")]

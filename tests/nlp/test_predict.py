"""predict / read_inputs / run_predict / doc_to_record (annotator/nlp/pipeline.py)."""

from __future__ import annotations

import json

import pytest

from annotator.core.evaluation import FormatError
from annotator.project.evaluation import run_evaluate
from annotator.nlp.pipeline import build_pipeline, predict, read_inputs, run_predict

ARTICLE_1 = ("JAKARTA — Juru bicara NATO Farah Lala hadir di Brussel.\r\n"
             "“Negara-negara NATO telah mengkonfirmasi bukti itu,” kata Farah Lala.\r\n"
             "“Pengerahan pasukan Korea Utara ini pelanggaran berbahaya,” lanjutnya.\r\n")
ARTICLE_2 = "😀 Warga 𝕏 berkata. \"Kami siap membantu semua orang,\" kata Budi.\nMenurut Budi, bantuan tiba besok pagi."


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(config={"entities": False})


@pytest.fixture()
def folder(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "b_second.txt").write_bytes(ARTICLE_2.encode("utf-8"))
    (d / "a_first.txt").write_bytes(ARTICLE_1.encode("utf-8"))
    (d / "notes.md").write_text("not an article", encoding="utf-8")
    (d / "b_second.meta.json").write_text(json.dumps({"title": "Bantuan", "source": "contoh"}), encoding="utf-8")
    return d


def check_record(rec: dict) -> None:
    """A FORMAT.md record, consistent in itself."""
    text = rec["text"]
    assert isinstance(rec["id"], str) and isinstance(rec["meta"], dict)
    toks = rec["tokens"]
    assert [t["id"] for t in toks] == list(range(len(toks)))
    for t in toks:
        assert text[t["start"]:t["end"]] == t["text"] and not t["text"].isspace()
    starts = {t["start"]: t["id"] for t in toks}
    ends = {t["end"]: t["id"] for t in toks}
    for s in rec["spans"]:
        assert s["status"] == "suggested" and s["source"] in ("model", "rule")
        assert starts[s["start"]] == s["token_start"] and ends[s["end"]] == s["token_end"]  # inclusive
    for q in rec["quotes"]:
        assert set(q) >= {"start", "end", "kind", "speaker", "cue", "stance", "score", "source", "status"}
        assert q["kind"] in ("direct", "indirect") and q["source"] == "rule" and q["status"] == "suggested"
        assert 0 <= q["start"] < q["end"] <= len(text) and text[q["start"]:q["end"]].strip() == text[q["start"]:q["end"]]
        assert q["stance"] in ("SUPPORT", "OPPOSE", "NEUTRAL")
        if q["speaker"] is not None:
            assert set(q["speaker"]) == {"start", "end", "label"}
        if q["cue"] is not None:
            assert text[q["cue"]["start"]:q["cue"]["end"]] == q["cue"]["text"]
    assert len(rec["relations"]) == sum(q["speaker"] is not None for q in rec["quotes"])
    for r in rec["relations"]:
        assert r["label"] == "SPEAKER"
        h, c = r["head_span"], r["child_span"]
        assert r["head"] == h["token_end"] and r["child"] == c["token_end"]
        assert starts[h["start"]] == h["token_start"] and ends[h["end"]] == h["token_end"]
        assert starts[c["start"]] == c["token_start"] and ends[c["end"]] == c["token_end"]
        assert h["label"] == "QUOTE"
        assert any((q["start"], q["end"]) == (h["start"], h["end"]) and q["speaker"] == {"start": c["start"], "end": c["end"], "label": c["label"]}
                   for q in rec["quotes"])


def test_read_inputs_folder_of_txt(folder):
    recs = list(read_inputs([str(folder)]))
    assert [r["id"] for r in recs] == ["a_first", "b_second"]
    assert recs[0]["text"] == ARTICLE_1.replace("\r\n", "\n")  # as `annotator import` stores it
    assert recs[1]["text"] == ARTICLE_2
    assert recs[0]["meta"] == {}
    assert recs[1]["meta"] == {"title": "Bantuan", "source": "contoh"}


def test_predict_on_txt_keeps_ids_and_text(folder, nlp):
    out = list(predict(read_inputs([str(folder / "a_first.txt"), str(folder / "b_second.txt")]), nlp))
    assert [r["id"] for r in out] == ["a_first", "b_second"]
    assert [r["text"] for r in out] == [ARTICLE_1.replace("\r\n", "\n"), ARTICLE_2]
    for r in out:
        check_record(r)
    first = out[0]
    speakers = [first["text"][q["speaker"]["start"]:q["speaker"]["end"]] for q in first["quotes"] if q["kind"] == "direct"]
    assert speakers == ["Farah Lala", "Farah Lala"]
    second = out[1]
    q = next(q for q in second["quotes"] if q["kind"] == "direct")
    start = ARTICLE_2.index("Kami")
    assert (q["start"], q["end"]) == (start, start + len("Kami siap membantu semua orang,"))


def test_predict_on_jsonl_keeps_id_text_and_meta(tmp_path, nlp):
    path = tmp_path / "in.jsonl"
    rows = [{"id": "x1", "text": ARTICLE_1, "meta": {"source": "kompas", "date": "2024-10-23"}},
            {"text": ARTICLE_2}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    out = list(predict(read_inputs([str(path)]), nlp, batch_size=1))
    assert [r["id"] for r in out] == ["x1", "in-2"]
    assert out[0]["meta"] == {"source": "kompas", "date": "2024-10-23"}
    assert [r["text"] for r in out] == [ARTICLE_1, ARTICLE_2]
    for r in out:
        check_record(r)


def test_read_inputs_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "ok"}) + "\n{\"id\": 2,\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.jsonl:2"):
        list(read_inputs([str(path)]))
    with pytest.raises(FileNotFoundError):
        list(read_inputs([str(tmp_path / "missing.txt")]))


def test_run_predict_writes_valid_jsonl(folder, tmp_path, capsys):
    out = tmp_path / "out" / "pred.jsonl"
    n = run_predict([str(folder)], str(out), progress=True, config={"entities": False})
    assert n == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    recs = [json.loads(line) for line in lines]
    assert [r["id"] for r in recs] == ["a_first", "b_second"]
    for r in recs:
        check_record(r)
    err = capsys.readouterr().err
    assert "\rpredict" in err and "2/2" in err
    assert not list(out.parent.glob("*.part"))


def test_run_predict_leaves_nothing_on_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    with pytest.raises(FormatError):
        run_predict([str(bad)], str(out), progress=False, config={"entities": False})
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_run_evaluate_on_a_prediction_file(folder, tmp_path):
    pred = tmp_path / "pred.jsonl"
    run_predict([str(folder)], str(pred), progress=False, config={"entities": False})
    # the prediction as gold: everything agrees
    result = json.loads(run_evaluate(str(pred), str(pred), as_json=True))
    assert result["quotes"]["exact"]["f1"] == 1.0
    assert result["speaker"]["exact_span"] == 1.0
    assert "speaker accuracy" in run_evaluate(str(pred), str(pred))


def test_run_evaluate_runs_the_pipeline_without_predictions(tmp_path):
    gold = tmp_path / "gold.jsonl"
    start = ARTICLE_2.index("Kami")
    row = {"id": "g1", "text": ARTICLE_2,
           "quotes": [{"start": start, "end": start + len("Kami siap membantu semua orang,"), "kind": "direct",
                       "speaker": None, "cue": None, "stance": None, "source": "human", "status": "accepted"}]}
    gold.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    result = json.loads(run_evaluate(str(gold), as_json=True))
    assert result["documents"] == 1 and result["missing_predictions"] == 0
    assert result["quotes"]["recall_by_kind"]["direct"]["exact"] == 1.0


def test_build_pipeline_takes_project_config():
    nlp = build_pipeline(config={"entities": False, "target": "Pengerahan pasukan Korea Utara ke Rusia",
                                 "stance_labels": ["PRO", "KONTRA", "NETRAL"]})
    assert nlp.pipe_names[-2:] == ["quote_finder", "stance"]
    rec = next(predict([{"id": "1", "text": ARTICLE_1}], nlp))
    assert {q["stance"] for q in rec["quotes"]} <= {"PRO", "KONTRA", "NETRAL"}
    assert "KONTRA" in {q["stance"] for q in rec["quotes"]}


def test_default_pipeline_with_entities_runs():
    nlp = build_pipeline()
    rec = next(predict([{"id": "1", "text": ARTICLE_1, "meta": {"k": 1}}], nlp))
    check_record(rec)
    assert rec["meta"] == {"k": 1}
    assert any(q["speaker"] is not None for q in rec["quotes"])

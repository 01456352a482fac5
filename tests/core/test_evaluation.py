"""Evaluation metrics (annotator/core/evaluation.py) on hand-computed examples."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotator.core.evaluation import FormatError, evaluate, format_table, match_spans, prf, read_jsonl

TEXT = "x" * 200


def rec(rid="a", spans=(), quotes=(), **kw):
    return {"id": rid, "text": TEXT, "spans": list(spans), "quotes": list(quotes), **kw}


def ent(start, end, label="PERSON", **kw):
    return {"start": start, "end": end, "label": label, **kw}


def quote(start, end, kind="direct", speaker=None, cue=None, stance=None, **kw):
    return {"start": start, "end": end, "kind": kind, "speaker": speaker, "cue": cue, "stance": stance, **kw}


def span(start, end, **kw):
    return {"start": start, "end": end, **kw}


def test_prf_by_hand():
    assert prf(1, 2, 3) == pytest.approx({"precision": 1 / 3, "recall": 0.5, "f1": 0.4, "tp": 1, "gold": 2, "pred": 3})
    assert prf(0, 0, 0)["f1"] == 0.0


def test_overlap_rule_is_half_of_the_longer_span():
    gold = [span(0, 10)]
    assert match_spans(gold, [span(5, 15)], "overlap") == [(0, 0)]  # 5 of 10
    assert match_spans(gold, [span(6, 15)], "overlap") == []  # 4 of 10
    assert match_spans([span(0, 4)], [span(0, 10)], "overlap") == []  # 4 of the longer 10
    assert match_spans(gold, [span(0, 10)], "exact") == [(0, 0)]
    assert match_spans(gold, [span(0, 9)], "exact") == []


def test_matching_is_one_to_one_best_first():
    gold = [span(0, 10)]
    pred = [span(0, 8), span(0, 10)]
    assert match_spans(gold, pred, "overlap") == [(0, 1)]


def test_entity_scores_exact_overlap_and_per_label():
    gold = [rec(spans=[ent(0, 10), ent(20, 30, "ORG"), ent(40, 50, "LOC")])]
    pred = [rec(spans=[ent(0, 10), ent(22, 30, "ORG"), ent(40, 50, "ORG"), ent(60, 70, "DATE")])]
    r = evaluate(gold, pred)["entities"]
    # exact: only PERSON matches -> P 1/4, R 1/3
    assert r["exact"]["all"]["precision"] == pytest.approx(0.25)
    assert r["exact"]["all"]["recall"] == pytest.approx(1 / 3)
    # overlap: + ORG 22-30 (8 of 10); the LOC/ORG label clash never matches -> 2/4, 2/3
    assert r["overlap"]["all"]["tp"] == 2
    assert r["overlap"]["all"]["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert r["overlap"]["per_label"]["ORG"] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "tp": 1, "gold": 1, "pred": 2})
    assert r["exact"]["per_label"]["LOC"]["recall"] == 0.0


def test_quote_scores_and_recall_by_kind():
    gold = [rec(quotes=[quote(0, 100), quote(120, 160, "indirect"), quote(170, 190)])]
    pred = [rec(quotes=[quote(0, 100), quote(130, 160, "indirect"), quote(10, 20)])]
    q = evaluate(gold, pred)["quotes"]
    assert (q["exact"]["tp"], q["overlap"]["tp"]) == (1, 2)  # 30 of 40 overlaps
    assert q["overlap"]["precision"] == pytest.approx(2 / 3)
    assert q["recall_by_kind"]["direct"] == {"exact": 0.5, "overlap": 0.5, "gold": 2}
    assert q["recall_by_kind"]["indirect"] == {"exact": 0.0, "overlap": 1.0, "gold": 1}
    assert q["by_kind"]["direct"]["overlap"]["precision"] == pytest.approx(0.5)


def test_speaker_and_cue_accuracy_exact_and_overlapping():
    gold = [rec(quotes=[
        quote(0, 50, speaker=span(60, 70), cue=span(55, 59)),
        quote(100, 140, speaker=span(150, 170), cue=span(145, 149)),
        quote(180, 190, speaker=None, cue=None),
        quote(192, 198, speaker=span(0, 5), cue=None),
    ])]
    pred = [rec(quotes=[
        quote(0, 50, speaker=span(60, 70), cue=span(55, 59)),  # both exact
        quote(100, 140, speaker=span(160, 170), cue=span(145, 150)),  # both only overlapping
        quote(180, 190, speaker=None, cue=None),  # null == null
        quote(192, 198, speaker=None, cue=span(1, 2)),  # wrong both
    ])]
    r = evaluate(gold, pred)
    assert r["speaker"] == {"pairs": 4, "exact_span": 0.5, "overlapping_span": 0.75}
    assert r["cue"] == {"pairs": 4, "exact_span": 0.5, "overlapping_span": 0.75}


def test_stance_accuracy_counts_gold_stances_only():
    gold = [rec(quotes=[quote(0, 10, stance="OPPOSE"), quote(20, 30, stance="SUPPORT"), quote(40, 50)])]
    pred = [rec(quotes=[quote(0, 10, stance="OPPOSE"), quote(20, 30, stance="NEUTRAL"), quote(40, 50, stance="OPPOSE")])]
    assert evaluate(gold, pred)["stance"] == {"pairs": 2, "accuracy": 0.5}


def test_records_are_matched_by_id_and_missing_predictions_count_as_empty():
    gold = [rec("a", quotes=[quote(0, 10)]), rec("b", quotes=[quote(0, 10)])]
    pred = [rec("b", quotes=[quote(0, 10)]), rec("zzz", quotes=[quote(0, 10)])]
    r = evaluate(gold, pred)
    assert (r["documents"], r["missing_predictions"], r["extra_predictions"]) == (2, 1, 1)
    assert r["quotes"]["exact"]["recall"] == 0.5
    assert r["quotes"]["exact"]["precision"] == 1.0


def test_rejected_items_and_rejected_articles_are_ignored():
    gold = [rec("a", spans=[ent(0, 10), ent(20, 30, status="rejected")]), rec("b", spans=[ent(0, 10)], answer="reject")]
    pred = [rec("a", spans=[ent(0, 10), ent(40, 50, status="rejected")]), rec("b")]
    r = evaluate(gold, pred)
    assert r["documents"] == 1 and r["skipped_gold_documents"] == 1
    assert r["entities"]["exact"]["all"]["f1"] == 1.0


def test_different_texts_are_an_error():
    with pytest.raises(ValueError, match="'a'"):
        evaluate([rec("a")], [{"id": "a", "text": "other", "spans": []}])


def test_malformed_jsonl_names_file_and_line(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(rec("a")) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"gold\.jsonl:3"):
        read_jsonl(str(path))
    path.write_text(json.dumps({"id": "a"}) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"gold\.jsonl:1: .*text"):
        read_jsonl(str(path))
    path.write_text(json.dumps(rec("a", quotes=[{"start": "0", "end": 3}])) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"gold\.jsonl:1: .*quotes"):
        read_jsonl(str(path))


def test_format_table_says_which_accuracy_is_which():
    gold = [rec(spans=[ent(0, 10)], quotes=[quote(0, 10, speaker=span(20, 25))])]
    table = format_table(evaluate(gold, gold))
    assert "speaker accuracy  exact span 1.000   overlapping span 1.000" in table
    assert "PERSON exact" in table and "quotes overlap" in table
    assert "recall of direct quotes (1 gold)" in table


def test_core_evaluation_imports_without_spacy():
    code = "import sys; sys.modules['spacy'] = None; sys.modules['PySide6'] = None; import annotator.core.evaluation"
    subprocess.run([sys.executable, "-c", code], check=True)

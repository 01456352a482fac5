"""Regression guard: the real suggestion pipeline on the project's hand-made gold
(sample_corpus/gold.jsonl, 5 Indonesian articles, annotated per sample_corpus/GUIDELINES.md).

Figures when the quote rules were last tuned: direct recall 1.000, quote overlap F1 0.991 (one extra indirect),
indirect recall (overlap) 1.000, speaker and cue 1.000 exact, stance 1.000, entity overlap F1
0.970. Every speaker must stay right (the issue's target); a rule change that loses a quote
or a speaker fails here. The entity threshold leaves room for a retrained NER model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "sample_corpus" / "gold.jsonl"

pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def result():
    if not GOLD.exists():
        pytest.skip("sample gold not present")
    from annotator.project.evaluation import run_evaluate

    return json.loads(run_evaluate(str(GOLD), as_json=True))


def test_every_direct_quote_is_found(result):
    assert result["quotes"]["recall_by_kind"]["direct"]["overlap"] >= 0.99


def test_quote_overlap_f1(result):
    assert result["quotes"]["overlap"]["f1"] >= 0.97


def test_indirect_quote_recall(result):
    assert result["quotes"]["recall_by_kind"]["indirect"]["overlap"] >= 0.95


def test_speaker_accuracy(result):
    assert result["speaker"]["exact_span"] == 1.0


def test_cue_accuracy(result):
    assert result["cue"]["exact_span"] >= 0.98


def test_entity_f1(result):
    assert result["entities"]["overlap"]["all"]["f1"] >= 0.90


def test_stance_accuracy(result):
    assert result["stance"]["accuracy"] >= 0.95

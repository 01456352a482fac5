"""The kinds of speaker disagreements benchmarks/eval_pfsa.py --errors counts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "eval_pfsa.py"


@pytest.fixture(scope="module")
def classify():
    spec = importlib.util.spec_from_file_location("eval_pfsa_for_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.speaker_error_class


@pytest.mark.parametrize("gold, pred, kind", [
    ("Komisaris Besar Yusri Yunus", "Yusri Yunus", "convention: PFSA keeps the rank or title"),
    ("Irjen Fadil", "Fadil", "convention: PFSA keeps the rank or title"),
    ("dia", "Yusri Yunus", "convention: PFSA keeps the pronoun"),
    ("Ranny Rastati", "Ranny", "same person: other mention or span"),
    ("Irma Hidayana", "Joko Widodo", "another person or entity"),
    ("Irma Hidayana", None, "no speaker predicted"),
    (None, "Risma", "speaker where gold has none"),
])
def test_speaker_error_kinds(classify, gold, pred, kind):
    assert classify(gold, pred) == kind

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


@pytest.mark.parametrize("gold, pred, gold_span, pred_span, kind", [
    ("Vinsen Kia Beda", "Vinsen", (10, 25), (300, 306), "convention: PFSA names the person in full, we take the closest mention"),
    ("Ferry Kurnia", "Integrity Ferry Kurnia", (10, 22), (0, 22), "span too long"),
    ("Ifana Azizah", "Azizah", (10, 22), (16, 22), "span too short"),
    ("Irma Hidayana", "Joko Widodo", (10, 23), (40, 51), "another person or entity"),
])
def test_speaker_error_kinds_with_spans(classify, gold, pred, gold_span, pred_span, kind):
    assert classify(gold, pred, gold_span, pred_span) == kind


def test_person_name_span_drops_ranks_and_skips_titles_and_pronouns():
    spec = importlib.util.spec_from_file_location("eval_pfsa_for_test2", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "kata Komisaris Besar Yusri Yunus, kata Presiden, kata dia"
    assert module.person_name_span(text, 5, 32) == (21, 32)
    assert module.person_name_span(text, 39, 47) is None
    assert module.person_name_span(text, 54, 57) is None

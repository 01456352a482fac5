"""Active-learning order: least certain articles first, from stored @model scores or, when
there are none, from running a pipeline; NER confidence from beam search."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.core.model import Entity, Quote
from annotator.nlp.tokenizer import new_blank
from annotator.nlp.uncertainty import (
    NerConfidence,
    add_ner_confidence,
    uncertainty,
    uncertainty_order,
    uncertainty_scores,
)

TEXTS = {
    "sure": "Joko Widodo tiba di Jakarta. Ia bertemu Retno Marsudi.",
    "unsure": "Mark Rutte berbicara di Brussel. Ia menemui Antony Blinken.",
    "done": "Kim Jong Un mengunjungi Moskow. Ia bertemu Vladimir Putin.",
    "fresh": "Maria Zakharova berbicara di Moskow tentang Seoul.",
}


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def _entity(article_id: str, needle: str, label: str, score: float | None, source: str = "model") -> Entity:
    start, end = _span(TEXTS[article_id], needle)
    return Entity(None, article_id, "@model", start, end, label, source, "suggested", score, "m-1")


@pytest.fixture
def corpus(store):
    for article_id, text in TEXTS.items():
        store.add_article(article_id, text)
    store.replace_suggestions("sure", [_entity("sure", "Joko Widodo", "PERSON", 0.97),
                                       _entity("sure", "Jakarta", "LOC", 1.0, source="rule"),
                                       _entity("sure", "Retno Marsudi", "PERSON", 0.95)], [])
    store.replace_suggestions("unsure", [_entity("unsure", "Mark Rutte", "PERSON", 0.35),
                                         _entity("unsure", "Brussel", "LOC", 1.0, source="rule"),
                                         _entity("unsure", "Antony Blinken", "ORG", 0.5)], [])
    store.replace_suggestions("done", [_entity("done", "Kim Jong Un", "PERSON", 0.1)], [])
    store.set_status("done", "alice", "done")
    return store


def test_low_confidence_article_comes_first(corpus):
    order = uncertainty_order(corpus, "alice", run_pipeline=False)
    assert order[:2] == ["unsure", "sure"]
    assert "done" not in order  # alice finished it
    assert order[-1] == "fresh"  # nothing to measure: last
    scores = uncertainty_scores(corpus, "alice", run_pipeline=False)
    assert scores["unsure"] == pytest.approx(1 - (0.35 + 0.5) / 2)  # rule entities left out
    assert scores["sure"] == pytest.approx(1 - (0.97 + 0.95) / 2)
    assert scores["fresh"] is None


def test_another_annotator_still_gets_the_article_done_by_alice(corpus):
    assert "done" in uncertainty_order(corpus, "bob", run_pipeline=False)
    assert uncertainty_order(corpus, "bob", run_pipeline=False)[0] == "done"  # score 0.1


def test_stance_confidence_counts(corpus):
    before = uncertainty_scores(corpus, "alice", run_pipeline=False)["sure"]
    text = TEXTS["sure"]
    start, end = _span(text, "Ia bertemu Retno Marsudi")
    corpus.replace_suggestions("sure", [_entity("sure", "Joko Widodo", "PERSON", 0.97)],
                               [Quote(None, "sure", "@model", start, end, "indirect", stance="OPPOSE",
                                      source="rule", status="suggested", score=0.34, model="m-1")])
    scores = uncertainty_scores(corpus, "alice", run_pipeline=False)
    assert scores["sure"] == pytest.approx(((1 - 0.97) + (1 - 0.34)) / 2)  # entity part, stance part
    assert scores["sure"] > before


def test_unscored_articles_are_run_through_the_pipeline(corpus):
    """A stand-in pipeline: one model entity per doc, confidence from the text."""
    from annotator.nlp import quotes  # noqa: F401  (doc._.quotes)

    @Language.component("fake_scored_ner")
    def fake_scored_ner(doc: Doc) -> Doc:
        span = Span(doc, 0, 2, label="PERSON")
        doc.ents = [span]
        span._.source, span._.score = "model", 0.05 if doc[0].text == "Maria" else 0.9
        doc._.quotes = []
        return doc

    from annotator.nlp import entities  # noqa: F401  (span._.source / span._.score)

    nlp = new_blank()
    nlp.add_pipe("fake_scored_ner")
    scores = uncertainty_scores(corpus, "alice", nlp=nlp)
    assert scores["fresh"] == pytest.approx(0.95)
    assert uncertainty_order(corpus, "alice", nlp=nlp)[0] == "fresh"


def test_uncertainty_measure():
    assert uncertainty([], []) is None
    assert uncertainty([1.0, 1.0], []) == 0.0
    assert uncertainty([0.5], [0.0]) == pytest.approx(0.75)
    assert uncertainty([1.5], []) == 0.0  # clipped


def test_ner_confidence_scores_every_entity():
    nlp = new_blank()
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "LOC"):
        ner.add_label(label)
    nlp.initialize()
    add_ner_confidence(nlp)
    assert nlp.pipe_names == ["ner", "ner_confidence"]
    doc = nlp.make_doc("Joko Widodo tiba di Jakarta")
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 4, 5, label="LOC")]
    doc = nlp.get_pipe("ner_confidence")(doc)
    assert all(isinstance(e._.score, float) and 0.0 <= e._.score <= 1.0 for e in doc.ents)
    assert isinstance(nlp.get_pipe("ner_confidence"), NerConfidence)
    assert add_ner_confidence(new_blank()).pipe_names == []  # no ner: nothing added


def test_pipeline_fallback_is_capped(corpus):
    scores = uncertainty_scores(corpus, "alice", nlp=None, run_pipeline=True, max_pipeline_articles=0)
    assert scores["fresh"] is None

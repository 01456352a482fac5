"""Which article to annotate next: the ones the model is least sure about (active learning).

The measure (higher = less sure), per article, from the model's suggestions (``@model``):

    entity part  = mean over statistical entity suggestions (source "model") of 1 − score
    stance part  = mean over quote suggestions of 1 − score   (a quote's score is the stance
                   suggester's confidence: the classifier's probability of its label, or the
                   lexicon's confidence)
    uncertainty  = mean of the parts the article has

Rule entities (score 1.0 or none) say nothing about the model and are left out; so are
suggestions without a score. Means, not sums, so long articles are not favoured for their
length. Only the top probability of a suggestion is stored, so the stance margin is not
available; 1 − top probability ("least confidence") ranks the same way for two classes and
nearly so for three.

Articles whose stored suggestions have no score at all (never suggested, or suggested by a
pipeline that gives none) are run through the pipeline here — ``build_pipeline(model_dir)``
with ``add_ner_confidence`` — and measured the same way (at most ``max_pipeline_articles``
of them, in corpus order; nothing is stored). Articles with no measurable suggestion even
then come last, in corpus order.

To have entity scores stored with suggestions, give the suggestion pipeline the
``ner_confidence`` component: ``add_ner_confidence(nlp)`` (beam search over the NER's own
entities; the score is the share of beam probability on parses that contain the entity).
Caveat, measured on the bundled and on gold-tuned models: the greedy NER is overconfident —
nearly all its entities score 1.0 (the softmax of its transition scores says the same),
so the entity part rarely separates articles and the stance part does most of the ordering.
"""

from __future__ import annotations

from statistics import fmean
from typing import Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.core.model import MODEL_LAYER

BEAM_WIDTH = 8


# --------------------------------------------------------------------------- NER confidence

@Language.factory("ner_confidence", default_config={"ner": "ner", "beam_width": BEAM_WIDTH, "beam_density": 0.0001})
def make_ner_confidence(nlp: Language, name: str, ner: str, beam_width: int, beam_density: float):
    """Sets ``span._.score`` of every entity the `ner` component found (run right after it): its
    beam-search probability, or for a voting ensemble the share of its members that found it."""
    return NerConfidence(nlp, ner, beam_width, beam_density)


class NerConfidence:
    def __init__(self, nlp: Language, ner: str, beam_width: int, beam_density: float):
        if not Span.has_extension("score"):
            Span.set_extension("score", default=None)
        self.nlp = nlp
        self.ner_name = ner
        self.beam_width = beam_width
        self.beam_density = beam_density

    def __call__(self, doc: Doc) -> Doc:
        if not doc.ents or len(doc) == 0:
            return doc
        ner = self.nlp.get_pipe(self.ner_name)
        if hasattr(ner, "beam_parse"):
            beams = ner.beam_parse([doc], beam_width=self.beam_width, beam_density=self.beam_density)
            scores = ner.scored_ents(beams)[0]
        else:  # a voting NER (annotator.nlp.ensemble): the share of its members that agree
            scores = ner.scores(doc)
        for ent in doc.ents:
            ent._.score = round(min(1.0, float(scores.get((ent.start, ent.end, ent.label_), 0.0))), 4)
        return doc


def add_ner_confidence(nlp: Language, ner: str = "ner", beam_width: int = BEAM_WIDTH) -> Language:
    """Add ``ner_confidence`` right after the `ner` component (no-op without one)."""
    if ner in nlp.pipe_names and "ner_confidence" not in nlp.pipe_names:
        nlp.add_pipe("ner_confidence", after=ner, config={"ner": ner, "beam_width": beam_width})
    return nlp


# --------------------------------------------------------------------------- the measure

def uncertainty(entity_scores: Iterable[float], quote_scores: Iterable[float]) -> float | None:
    """The article measure of the module docstring; None when there is nothing to measure."""
    parts = []
    entity_scores, quote_scores = list(entity_scores), list(quote_scores)
    if entity_scores:
        parts.append(fmean(1.0 - min(1.0, max(0.0, s)) for s in entity_scores))
    if quote_scores:
        parts.append(fmean(1.0 - min(1.0, max(0.0, s)) for s in quote_scores))
    return round(fmean(parts), 6) if parts else None


def _stored_scores(store, article_ids: list[str]) -> dict[str, tuple[list[float], list[float]]]:
    scores: dict[str, tuple[list[float], list[float]]] = {a: ([], []) for a in article_ids}
    for article_id, score in store.db.execute(
            "SELECT article_id, score FROM entities WHERE annotator = ? AND source = 'model' AND score IS NOT NULL",
            [MODEL_LAYER]):
        if article_id in scores:
            scores[article_id][0].append(score)
    for article_id, score in store.db.execute(
            "SELECT article_id, score FROM quotes WHERE annotator = ? AND score IS NOT NULL", [MODEL_LAYER]):
        if article_id in scores:
            scores[article_id][1].append(score)
    return scores


def measuring_pipeline(store, model_dir: str | None):
    """The suggestion pipeline of the database's project (labels, stance, target) with NER
    confidence, from a NER model or a folder written by `annotator train`."""
    from annotator.nlp.pipeline import build_pipeline
    from annotator.nlp.trained import add_trained_components, is_trained_model_dir, load_trained

    trained = load_trained(model_dir) if is_trained_model_dir(model_dir) else None
    nlp = build_pipeline(str(trained.ner_dir) if trained and trained.ner_dir else model_dir,
                         config={"labels": store.config.label_names, "stance_labels": store.config.stance_names,
                                 "target": store.config.target})
    add_ner_confidence(nlp)
    if trained is not None:
        add_trained_components(nlp, trained)
    return nlp


def _pipeline_scores(store, article_ids: list[str], model_dir, nlp) -> dict[str, tuple[list[float], list[float]]]:
    """Run the pipeline (with NER confidence) on the articles; scores from its records."""
    from annotator.nlp.pipeline import predict

    if nlp is None:
        nlp = measuring_pipeline(store, model_dir)
    records = ({"id": a, "text": store.get_article(a).text, "meta": {}} for a in article_ids)
    found = {}
    for record in predict(records, nlp):
        entities = [s["score"] for s in record.get("spans", [])
                    if s.get("source", "model") == "model" and s.get("score") is not None]
        quotes = [q["score"] for q in record.get("quotes", []) if q.get("score") is not None]
        found[str(record["id"])] = (entities, quotes)
    return found


def not_done(store, annotator: str) -> list[str]:
    """Articles (corpus order) whose layer of `annotator` is not marked done."""
    return [r[0] for r in store.db.execute(
        "SELECT a.id FROM articles a LEFT JOIN layers l ON l.article_id = a.id AND l.annotator = ? "
        "WHERE COALESCE(l.status, 'new') != 'done' ORDER BY a.seq", [annotator])]


def uncertainty_scores(store, annotator: str, model_dir: str | None = None, *, nlp: Language | None = None,
                       run_pipeline: bool = True, max_pipeline_articles: int = 500) -> dict[str, float | None]:
    """{article id: uncertainty or None} for the articles `annotator` has not done, in corpus
    order. Stored @model scores first; up to `max_pipeline_articles` articles without any are
    run through the pipeline (`nlp`, else build_pipeline(model_dir) with NER confidence)
    unless run_pipeline=False."""
    ids = not_done(store, annotator)
    scores = _stored_scores(store, ids)
    missing = [a for a in ids if not scores[a][0] and not scores[a][1]][:max_pipeline_articles]
    if missing and run_pipeline:
        scores.update(_pipeline_scores(store, missing, model_dir, nlp))
    return {a: uncertainty(*scores[a]) for a in ids}


def uncertainty_order(store, annotator: str, model_dir: str | None = None, *, nlp: Language | None = None,
                      run_pipeline: bool = True, max_pipeline_articles: int = 500) -> list[str]:
    """The articles `annotator` has not done, least certain first (ties and unmeasurable
    articles in corpus order, the unmeasurable last). See uncertainty_scores."""
    measured = uncertainty_scores(store, annotator, model_dir, nlp=nlp, run_pipeline=run_pipeline,
                                  max_pipeline_articles=max_pipeline_articles)
    position = {a: i for i, a in enumerate(measured)}
    key: Callable[[str], tuple] = lambda a: (measured[a] is None, -(measured[a] or 0.0), position[a])  # noqa: E731
    return sorted(measured, key=key)


__all__ = ["uncertainty_order", "uncertainty_scores", "uncertainty", "add_ner_confidence", "not_done", "NerConfidence"]

"""Run the suggestion pipeline over stored articles and store its suggestions."""

from __future__ import annotations

from typing import Callable

from annotator.core.model import Entity, Quote, SpanRef
from annotator.core.store import Store


def record_annotations(record: dict, article_id: str) -> tuple[list[Entity], list[Quote]]:
    """Entities and quotes of a predicted FORMAT.md record, as suggestions."""
    entities = [
        Entity(None, article_id, "@model", s["start"], s["end"], s["label"], s.get("source", "model"), "suggested",
               s.get("score"), s.get("model"))
        for s in record.get("spans", [])
    ]
    quotes = []
    for q in record.get("quotes", []):
        speaker = q.get("speaker")
        cue = q.get("cue")
        quotes.append(Quote(
            None, article_id, "@model", q["start"], q["end"], q.get("kind", "direct"),
            SpanRef(speaker["start"], speaker["end"], speaker.get("label")) if speaker else None,
            SpanRef(cue["start"], cue["end"]) if cue else None,
            q.get("stance"), q.get("source", "rule"), "suggested", q.get("score"), q.get("model"),
        ))
    return entities, quotes


def model_name(nlp) -> str:
    meta = getattr(nlp, "meta", {}) or {}
    return f"{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"


def suggest_articles(
    store: Store,
    article_ids: list[str] | None = None,
    model_dir: str | None = None,
    *,
    nlp=None,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Suggest entities, quotes, speakers, cues and stance for articles; returns how many were done.

    Human and already decided work is never touched (Store.replace_suggestions)."""
    from annotator.nlp.pipeline import build_pipeline, doc_to_record

    if nlp is None:
        nlp = build_pipeline(model_dir, config={"labels": store.config.label_names,
                                                 "stance_labels": store.config.stance_names,
                                                 "target": store.config.target})
    name = model_name(nlp)
    ids = article_ids if article_ids is not None else store.article_ids()
    done = 0

    def texts():
        for article_id in ids:
            yield store.get_article(article_id).text, article_id

    for doc, article_id in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size):
        if cancelled and cancelled():
            break
        record = doc_to_record(doc, record_id=article_id)
        labels = set(store.config.label_names)
        entities, quotes = record_annotations(record, article_id)
        entities = [e for e in entities if e.label in labels]
        store.replace_suggestions(article_id, entities, quotes, model=name)
        done += 1
        if progress:
            progress(done)
    return done

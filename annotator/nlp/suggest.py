"""Run the suggestion pipeline over stored articles and store its suggestions."""

from __future__ import annotations

import itertools
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
    workers: int = 1,
    ray: str | None = None,
) -> int:
    """Suggest entities, quotes, speakers, cues and stance for articles; returns how many were done.

    Articles are read a page at a time and run through `nlp` (default: the project's pipeline on
    `workers` processes or the Ray cluster `ray`, see annotator.nlp.parallel); this process stores
    the suggestions in order, `batch_size` articles per transaction, so a stop keeps whole articles only.
    Human and already decided work is never touched (Store.replace_suggestions)."""
    from annotator.nlp.parallel import batches, pipeline_records, suggestion_records

    items = store.iter_texts(article_ids)
    if nlp is not None:
        results = ((record, key) for texts, keys in batches(items, batch_size)
                   for record, key in zip(suggestion_records(nlp, texts), keys))
    else:
        config = {"labels": store.config.label_names, "stance_labels": store.config.stance_names,
                  "target": store.config.target}
        results = pipeline_records(items, model_dir=model_dir, config=config, workers=workers, ray=ray,
                                   batch_size=batch_size)
    labels = set(store.config.label_names)
    done = 0
    try:
        with store.bulk_writes():
            while group := list(itertools.islice(results, batch_size)):  # computed already: read outside the lock
                stored = 0
                with store.transaction():  # one commit for the group: the writer keeps up with all cores
                    for record, article_id in group:
                        if cancelled and cancelled():
                            break
                        entities, quotes = record_annotations(record, article_id)
                        entities = [e for e in entities if e.label in labels]
                        store.replace_suggestions(article_id, entities, quotes, model=record["meta"].get("model"))
                        stored += 1
                for _ in range(stored):
                    done += 1
                    if progress:
                        progress(done)
                if stored < len(group):
                    break
    finally:
        if hasattr(results, "close"):
            results.close()  # stops the workers
    return done


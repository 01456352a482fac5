"""Turn a stored layer into a FORMAT.md record (the one shape every writer starts from)."""

from __future__ import annotations

from typing import Iterator

from annotator.core.model import Article, Layer
from annotator.core.offsets import token_index
from annotator.core.store import Store


def _token_fields(tokens, start: int, end: int) -> dict:
    index = token_index(tokens, start, end)
    return {"token_start": index[0], "token_end": index[1]} if index else {}


def layer_record(article: Article, layer: Layer, stance_names: list[str], *, include_rejected: bool = False,
                 gold_only: bool = False) -> dict:
    """A FORMAT.md record of one article and one layer.

    gold_only: only accepted annotations (human or accepted suggestions)."""
    tokens = list(article.tokens)
    text = article.text

    def keep(item) -> bool:
        if gold_only:
            return item.status == "accepted"
        return include_rejected or item.status != "rejected"

    spans = []
    for e in layer.entities:
        if not keep(e):
            continue
        span = {"start": e.start, "end": e.end, **_token_fields(tokens, e.start, e.end), "label": e.label,
                "source": e.source, "status": e.status}
        if e.score is not None:
            span["score"] = e.score
        if e.model:
            span["model"] = e.model
        spans.append(span)
    quotes, relations = [], []
    for q in layer.quotes:
        if not keep(q):
            continue
        quote = {
            "start": q.start, "end": q.end, "kind": q.kind,
            "speaker": {"start": q.speaker.start, "end": q.speaker.end, "label": q.speaker.label} if q.speaker else None,
            "cue": {"start": q.cue.start, "end": q.cue.end, "text": text[q.cue.start:q.cue.end]} if q.cue else None,
            "stance": q.stance, "source": q.source, "status": q.status,
        }
        if q.score is not None:
            quote["score"] = q.score
        if q.model:
            quote["model"] = q.model
        quotes.append(quote)
        if q.speaker:
            head = {"start": q.start, "end": q.end, **_token_fields(tokens, q.start, q.end), "label": "QUOTE"}
            child = {"start": q.speaker.start, "end": q.speaker.end,
                     **_token_fields(tokens, q.speaker.start, q.speaker.end), "label": q.speaker.label}
            relations.append({"head": head.get("token_end"), "child": child.get("token_end"), "label": "SPEAKER",
                              "head_span": head, "child_span": child})
    meta = {"title": article.title, "source": article.source, "date": article.date, "url": article.url,
            **article.meta}
    record = {
        "id": article.id,
        "text": text,
        "meta": meta,
        "tokens": [{"text": text[s:e], "start": s, "end": e, "id": i, "ws": e < len(text) and text[e].isspace()}
                   for i, (s, e) in enumerate(tokens)],
        "spans": spans,
        "quotes": quotes,
        "relations": relations,
    }
    if layer.stance:
        record["cats"] = {f"stance:{name}": 1.0 if name == layer.stance else 0.0 for name in stance_names}
    if layer.answer:
        record["answer"] = layer.answer
    record["_annotator_id"] = layer.annotator
    return record


def iter_records(store: Store, layer: str, *, article_ids: list[str] | None = None, include_rejected: bool = False,
                 gold_only: bool = False, only_with_layer: bool = True) -> Iterator[dict]:
    """Records of one layer for every article (or the given ones) in corpus order."""
    ids = article_ids if article_ids is not None else store.article_ids()
    for article_id in ids:
        if only_with_layer and not store.has_layer(article_id, layer):
            continue
        yield layer_record(store.get_article(article_id), store.get_layer(article_id, layer), store.config.stance_names,
                           include_rejected=include_rejected, gold_only=gold_only)

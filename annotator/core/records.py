"""Turn a stored layer into a FORMAT.md record (the one shape every writer starts from)."""

from __future__ import annotations

from typing import Iterator

from annotator.core.model import Article, Layer
from annotator.core.offsets import token_index
from annotator.core.store import Store


def _token_fields(tokens, start: int, end: int) -> dict:
    index = token_index(tokens, start, end)
    return {"token_start": index[0], "token_end": index[1]} if index else {}


HASH_KEYS = ("_input_hash", "_task_hash")  # Prodigy's, kept in the article's meta when imported


def layer_record(article: Article, layer: Layer, stance_names: list[str], *, include_rejected: bool = False,
                 gold_only: bool = False, include_pending: bool = True) -> dict:
    """A FORMAT.md record of one article and one layer.

    Accepted annotations always; pending suggestions with include_pending, rejected ones with
    include_rejected; gold_only: accepted annotations only (human or accepted suggestions)."""
    tokens = list(article.tokens)
    text = article.text

    def keep(item) -> bool:
        if item.status == "accepted":
            return True
        if gold_only:
            return False
        return include_pending if item.is_pending else include_rejected

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
    hashes = {key: meta.pop(key) for key in HASH_KEYS if key in meta}
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
    record.update(hashes)
    record["_annotator_id"] = layer.annotator
    return record


def iter_records(store: Store, layer: str, *, article_ids: list[str] | None = None, include_rejected: bool = False,
                 gold_only: bool = False, include_pending: bool = True, only_with_layer: bool = True) -> Iterator[dict]:
    """Records of one layer for every article (or the given ones) in corpus order."""
    ids = article_ids if article_ids is not None else store.article_ids()
    for article_id in ids:
        if only_with_layer and not store.has_layer(article_id, layer):
            continue
        yield layer_record(store.get_article(article_id), store.get_layer(article_id, layer), store.config.stance_names,
                           include_rejected=include_rejected, gold_only=gold_only, include_pending=include_pending)


def _clip(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def quote_problems(text: str, layer: Layer, *, accepted_only: bool = True) -> list[str]:
    """Where the layer's quotes do not resolve to spans of the layer (FORMAT.md). A speaker is
    either an entity of the layer (same bounds, same label) or a free span that cuts no entity
    (it holds none, or only whole ones: "Pejabat Ukraina", "Amerika Serikat dan Korea Selatan");
    a speaker on the bounds of an entity the layer rejected (removed in the review) does not
    resolve. A direct quote's cue lies outside the quoted words; an indirect quote may hold its
    cue ("A, terang X, B": GUIDELINES.md section 8). accepted_only: check what a gold export
    writes (accepted quotes against accepted entities)."""
    def kept(item) -> bool:
        return item.status == "accepted" if accepted_only else item.status != "rejected"

    entities = [e for e in layer.entities if kept(e)]
    bounds = {(e.start, e.end): e.label for e in entities}
    removed = {(e.start, e.end) for e in layer.entities if e.status == "rejected"}
    problems = []
    for q in layer.quotes:
        if not kept(q):
            continue
        where = f"{layer.article_id}: quote {q.start}-{q.end} “{_clip(text[q.start:q.end])}”"
        s = q.speaker
        if s is not None:
            said = f"speaker “{_clip(text[s.start:s.end])}” ({s.label or 'free span'} {s.start}-{s.end})"
            label = bounds.get((s.start, s.end))
            cut = [e for e in entities if e.start < s.end and s.start < e.end and not s.start <= e.start < e.end <= s.end]
            if label is not None and s.label is not None and label != s.label:
                problems.append(f"{where}: {said} is a {label} entity of {layer.annotator}")
            elif label is None and (s.start, s.end) in removed:
                problems.append(f"{where}: {said} is an entity removed from {layer.annotator}")
            elif cut:
                e = cut[0]
                problems.append(f"{where}: {said} is not an entity of {layer.annotator} and cuts its "
                                f"{e.label} “{_clip(text[e.start:e.end])}” ({e.start}-{e.end})")
        c = q.cue
        if c is not None and q.kind == "direct" and c.start < q.end and q.start < c.end:
            problems.append(f"{where}: cue “{_clip(text[c.start:c.end])}” ({c.start}-{c.end}) lies inside the quote")
    return problems

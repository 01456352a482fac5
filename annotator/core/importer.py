"""Store FORMAT.md records in the database: each record all or nothing, problems as file:line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

from annotator.core.formats.common import Problem
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, SpanRef
from annotator.core.review import reopen_gold
from annotator.core.store import Store, StoreError

KNOWN_KEYS = {"id", "text", "meta", "tokens", "spans", "quotes", "relations", "cats", "answer", "_annotator_id"}
PRIVATE_KEYS = {"_file", "_line"}
BATCH = 500


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    annotated: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def line(self) -> str:
        return (f"imported {self.imported} articles, {self.duplicates} duplicates skipped, "
                f"{self.annotated} with annotations, {len(self.warnings)} warnings, {len(self.errors)} errors")


class RecordError(ValueError):
    pass


def _int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{what} must be an integer, got {value!r}")
    return value


def _span_ref(obj, what: str, text: str) -> SpanRef | None:
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise RecordError(f"{what} must be an object with start and end, got {obj!r}")
    start, end = _int(obj.get("start"), f"{what}.start"), _int(obj.get("end"), f"{what}.end")
    if not 0 <= start < end <= len(text):
        raise RecordError(f"{what} {start}-{end} is outside the text (length {len(text)})")
    return SpanRef(start, end, obj.get("label"))


def _check_offsets(item: dict, what: str, text: str) -> tuple[int, int]:
    start, end = _int(item.get("start"), f"{what}.start"), _int(item.get("end"), f"{what}.end")
    if not 0 <= start < end <= len(text):
        raise RecordError(f"{what} {start}-{end} is outside the text (length {len(text)})")
    return start, end


def record_stance(record: dict, stance_names: list[str]) -> str | None:
    cats = record.get("cats") or {}
    chosen = [k.split(":", 1)[1] for k, v in cats.items() if k.startswith("stance:") and v and float(v) >= 0.5]
    for name in chosen:
        if name not in stance_names:
            raise RecordError(f"unknown stance {name!r} in cats")
    return chosen[0] if chosen else None


def import_record(store: Store, record: dict, *, layer: str | None = None, as_suggestions: bool = False,
                  model: str | None = None) -> tuple[str, bool, bool]:
    """Store one record; returns (article id, created, annotations stored). Raises on any problem,
    leaving the database unchanged."""
    if not isinstance(record, dict):
        raise RecordError("a record must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError("record has no text")
    article_id = record.get("id")
    if article_id is None:
        article_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    article_id = str(article_id)
    spans = record.get("spans") or []
    quotes = record.get("quotes") or []
    if not isinstance(spans, list) or not isinstance(quotes, list):
        raise RecordError("spans and quotes must be lists")
    boundaries: set[int] = set()
    checked_spans = []
    for n, span in enumerate(spans):
        if not isinstance(span, dict):
            raise RecordError(f"spans[{n}] must be an object")
        start, end = _check_offsets(span, f"spans[{n}]", text)
        if span.get("label") not in store.config.label_names:
            raise RecordError(f"spans[{n}]: unknown label {span.get('label')!r} (known: {', '.join(store.config.label_names)})")
        checked_spans.append((start, end, span))
        boundaries |= {start, end}
    checked_quotes = []
    for n, quote in enumerate(quotes):
        if not isinstance(quote, dict):
            raise RecordError(f"quotes[{n}] must be an object")
        start, end = _check_offsets(quote, f"quotes[{n}]", text)
        speaker = _span_ref(quote.get("speaker"), f"quotes[{n}].speaker", text)
        cue = _span_ref(quote.get("cue"), f"quotes[{n}].cue", text)
        if cue is not None:
            cue = SpanRef(cue.start, cue.end)
        checked_quotes.append((start, end, speaker, cue, quote))
        boundaries |= {start, end}
        for ref in (speaker, cue):
            if ref:
                boundaries |= {ref.start, ref.end}
    meta = dict(record.get("meta") or {})
    for key, value in record.items():
        if key not in KNOWN_KEYS and key not in PRIVATE_KEYS:
            meta.setdefault(key, value)
    stance = record_stance(record, store.config.stance_names)
    target_layer = MODEL_LAYER if as_suggestions else (layer or record.get("_annotator_id") or GOLD_LAYER)
    tokens = record.get("tokens")
    token_pairs = None
    if tokens:
        try:
            token_pairs = [(_int(t["start"], "token start"), _int(t["end"], "token end")) for t in tokens]
        except (KeyError, TypeError):
            raise RecordError("tokens must be objects with start and end") from None

    with store.transaction():
        try:
            article_id, created = store.add_article(
                article_id, text, title=str(meta.pop("title", "") or ""), source=meta.pop("source", None),
                date=meta.pop("date", None), url=meta.pop("url", None), meta=meta, tokens=token_pairs,
                boundaries=boundaries,
            )
        except StoreError as exc:
            raise RecordError(str(exc)) from None
        has_annotations = bool(checked_spans or checked_quotes or stance or record.get("answer"))
        if not has_annotations:
            return article_id, created, False
        existing = store.get_layer(article_id, target_layer)
        if not created and (existing.entities or existing.quotes):
            return article_id, created, False
        for start, end, span in checked_spans:
            status = "suggested" if as_suggestions else span.get("status", "accepted")
            source = span.get("source", "model" if as_suggestions else "human")
            store.add_entity(article_id, target_layer, start, end, span["label"], source=source, status=status,
                             score=span.get("score"), model=span.get("model") or model, actor="@import")
        for start, end, speaker, cue, quote in checked_quotes:
            status = "suggested" if as_suggestions else quote.get("status", "accepted")
            source = quote.get("source", "model" if as_suggestions else "human")
            store.add_quote(article_id, target_layer, start, end, kind=quote.get("kind", "direct"), speaker=speaker,
                            cue=cue, stance=quote.get("stance"), source=source, status=status,
                            score=quote.get("score"), model=quote.get("model") or model, actor="@import")
        if stance:
            store.set_article_stance(article_id, target_layer, stance, actor="@import")
        if record.get("answer"):
            store.set_answer(article_id, target_layer, record["answer"], actor="@import")
            store.set_status(article_id, target_layer, "done", actor="@import")
            if record["answer"] != "accept":
                store.set_answer(article_id, target_layer, record["answer"], actor="@import")
        if not created:  # new versions for a done gold reopen it (core.review.reopen_gold)
            reopen_gold(store, article_id, [target_layer], f"the import of {record.get('_file') or 'a record'}",
                        "@import")
    return article_id, created, True


def import_records(
    store: Store,
    items: Iterable[dict | Problem],
    *,
    layer: str | None = None,
    as_suggestions: bool = False,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import records (and pass on reader problems) in batches; a bad record is skipped whole."""
    summary = ImportSummary()
    count = 0
    batch_open = False
    outer = None
    try:
        for item in items:
            if cancelled and cancelled():
                break
            if isinstance(item, Problem):
                summary.problems.append(item)
                continue
            if not batch_open:
                outer = store.transaction()
                outer.__enter__()
                batch_open = True
            where = item.get("_file", "<input>") if isinstance(item, dict) else "<input>"
            line = item.get("_line") if isinstance(item, dict) else None
            try:
                with store.transaction():
                    _, created, annotated = import_record(store, item, layer=layer, as_suggestions=as_suggestions)
            except (RecordError, StoreError) as exc:
                summary.problems.append(Problem(where, line, str(exc)))
            else:
                summary.imported += created
                summary.duplicates += not created and not annotated
                summary.annotated += annotated
            count += 1
            if count % BATCH == 0:
                outer.__exit__(None, None, None)
                batch_open = False
            if progress:
                progress(count)
    except BaseException as exc:
        if batch_open:
            outer.__exit__(type(exc), exc, exc.__traceback__)
            batch_open = False
        raise
    finally:
        if batch_open:
            outer.__exit__(None, None, None)
    return summary

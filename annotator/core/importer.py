"""Store FORMAT.md records in the database: each record all or nothing, problems as file:line."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable

from annotator.core.formats.common import Problem
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity, SpanRef
from annotator.core.review import reopen_gold
from annotator.core.store import (DiskFullError, Store, StoreError, TransactionLostError, check_storable,
                                   check_tokens, text_hash)

KNOWN_KEYS = {"id", "text", "meta", "tokens", "spans", "quotes", "relations", "cats", "answer", "_annotator_id"}
PRIVATE_KEYS = {"_file", "_line"}
#: A write transaction stores at most this many records, or this much text and annotation, so that
#: an editor in another window never waits long for the lock (records are checked and tokenised
#: before it is taken).
BATCH_RECORDS = 200
BATCH_SIZE = 1_000_000  # characters of text plus 50 per annotation
#: Batches given to the tokenizer ahead of the one written, so its workers never wait for the writer.
BATCHES_TOKENIZING = 2
MAX_TEXT = 50_000_000  # characters of one article


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    annotated: int = 0
    problems: list[Problem] = field(default_factory=list)
    stopped: str | None = None  # why the import stopped before the end (disk full …)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def line(self) -> str:
        text = (f"imported {self.imported} articles, {self.duplicates} duplicates skipped, "
                f"{self.annotated} with annotations, {len(self.warnings)} warnings, {len(self.errors)} errors")
        return text + ("; the import STOPPED early (see the error above)" if self.stopped else "")


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
    if not isinstance(cats, dict):
        raise RecordError(f"cats must be an object of label: score, got {type(cats).__name__}")
    chosen = []
    for key, value in cats.items():
        if not key.startswith("stance:"):
            continue
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise RecordError(f"cats[{key!r}] must be a number, got {value!r}")
        if value and value >= 0.5:
            chosen.append(key.split(":", 1)[1])
    for name in chosen:
        if name not in stance_names:
            raise RecordError(f"unknown stance {name!r} in cats")
    return chosen[0] if chosen else None


@dataclass
class PreparedRecord:
    """A record checked and tokenised, ready to be written (no database lock taken yet)."""

    where: str
    line: int | None
    article_id: str
    text: str
    article: dict  # title, source, date, url, meta
    tokens: list | None
    boundaries: set[int]
    spans: list[tuple[int, int, dict]]
    quotes: list[tuple[int, int, SpanRef | None, SpanRef | None, dict]]
    stance: str | None
    answer: str | None
    layer: str
    as_suggestions: bool
    model: str | None
    needs_tokens: bool = False  # tokens left for start_tokenizing
    error: str | None = None  # why tokenising failed
    digest: str = ""  # the text's hash (core.store.text_hash)

    @property
    def plain(self) -> bool:
        """Only an article: no annotations (stored in bulk by Store.add_articles)."""
        return not (self.spans or self.quotes or self.stance or self.answer)

    @property
    def size(self) -> int:
        return len(self.text) + 50 * (len(self.spans) + len(self.quotes))


def _as_text(value) -> str | None:
    """An article field (title, source, date, url) as text: an object or list (e.g. a sidecar's
    `"source": {"name": …}`) is kept as its JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def prepare_record(store: Store, record: dict, *, layer: str | None = None, as_suggestions: bool = False,
                   model: str | None = None, tokenize: bool = True) -> PreparedRecord:
    """Check a record and tokenise its text (unless `tokenize` is False: see start_tokenizing), without
    writing; raises RecordError on any problem."""
    if not isinstance(record, dict):
        raise RecordError("a record must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError("record has no text")
    if len(text) > MAX_TEXT:
        raise RecordError(f"the text is {len(text):,} characters long; at most {MAX_TEXT:,} are imported per article")
    article_id = record.get("id")
    if article_id is None:
        article_id = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]  # refused below
    article_id = str(article_id)
    try:
        check_storable(article_id, "the id")
        check_storable(text, "the text")
    except StoreError as exc:
        raise RecordError(str(exc)) from None
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
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise RecordError(f"meta must be an object, got {type(meta).__name__}")
    meta = dict(meta)
    for key, value in record.items():
        if key not in KNOWN_KEYS and key not in PRIVATE_KEYS:
            meta.setdefault(key, value)
    stance = record_stance(record, store.config.stance_names)
    target_layer = MODEL_LAYER if as_suggestions else (layer or record.get("_annotator_id") or GOLD_LAYER)
    digest = text_hash(text)
    tokens = record.get("tokens")
    if tokens:
        try:
            token_pairs = [(t["start"], t["end"]) for t in tokens]
        except (KeyError, TypeError):
            raise RecordError("tokens must be objects with start and end") from None
        token_pairs = check_tokens(token_pairs, text, "tokens")
    else:
        token_pairs = None if not tokenize or store.find_by_hash(digest) else store.tokenizer(text)
    article = {key: _as_text(meta.pop(key, None)) for key in ("title", "source", "date", "url")}
    article["title"] = article["title"] or ""
    article["meta"] = meta
    return PreparedRecord(
        where=record.get("_file", "<input>"), line=record.get("_line"), article_id=article_id, text=text,
        article=article, tokens=token_pairs, boundaries=boundaries, spans=checked_spans, quotes=checked_quotes,
        stance=stance, answer=record.get("answer"), layer=target_layer, as_suggestions=as_suggestions, model=model,
        needs_tokens=not tokens and not tokenize, digest=digest)


#: Tokenises many texts at once (e.g. annotator.nlp.parallel.TokenizerPool, on all cores); if it has
#: a `submit(texts)` method returning a function that waits for the result, the next batch is
#: tokenised while this one is written.
BatchTokenizer = Callable[[list[str]], list]


def start_tokenizing(store: Store, batch: list[PreparedRecord],
                     tokenize_many: BatchTokenizer | None = None) -> Callable[[], None]:
    """Start tokenising the records prepared with tokenize=False (not a text stored already); the
    function returned waits, and gives them their tokens (or, if one fails, its error)."""
    todo = [p for p in batch if p.needs_tokens]
    if todo:
        stored = store.ids_by_hash([p.digest for p in todo])
        todo = [p for p in todo if p.digest not in stored]
    texts = [p.text for p in todo]
    submit = getattr(tokenize_many, "submit", None)
    if submit and texts:
        wait = submit(texts)
    else:
        def wait():
            return tokenize_many(texts) if tokenize_many else [store.tokenizer(text) for text in texts]

    def finish() -> None:
        try:
            results = wait()
        except Exception:  # noqa: BLE001 - then one at a time, to say which record it was
            results = None
        for n, p in enumerate(todo):
            try:
                p.tokens = results[n] if results is not None else store.tokenizer(p.text)
            except Exception as exc:  # noqa: BLE001 - that record's problem
                p.error = _reason(exc)
            p.needs_tokens = False

    return finish


def write_record(store: Store, p: PreparedRecord) -> tuple[str, bool, bool]:
    """Store a prepared record in one transaction; returns (article id, created, annotations stored)."""
    with store.transaction():
        article_id, created = store.add_article(p.article_id, p.text, tokens=p.tokens, boundaries=p.boundaries,
                                                **p.article)
        has_annotations = bool(p.spans or p.quotes or p.stance or p.answer)
        if not has_annotations:
            return article_id, created, False
        if not created and store.has_layer(article_id, p.layer):
            existing = store.get_layer(article_id, p.layer)
            if existing.entities or existing.quotes:
                return article_id, created, False
        suggested = p.as_suggestions
        store.add_entities(article_id, p.layer, [
            Entity(None, article_id, p.layer, start, end, span["label"],
                   source=span.get("source", "model" if suggested else "human"),
                   status="suggested" if suggested else span.get("status", "accepted"),
                   score=span.get("score"), model=span.get("model") or p.model)
            for start, end, span in p.spans], actor="@import")
        for start, end, speaker, cue, quote in p.quotes:
            status = "suggested" if suggested else quote.get("status", "accepted")
            source = quote.get("source", "model" if suggested else "human")
            store.add_quote(article_id, p.layer, start, end, kind=quote.get("kind", "direct"), speaker=speaker,
                            cue=cue, stance=quote.get("stance"), source=source, status=status,
                            score=quote.get("score"), model=quote.get("model") or p.model, actor="@import")
        if p.stance:
            store.set_article_stance(article_id, p.layer, p.stance, actor="@import")
        if p.answer:
            store.set_answer(article_id, p.layer, p.answer, actor="@import")
            store.set_status(article_id, p.layer, "done", actor="@import")
            if p.answer != "accept":
                store.set_answer(article_id, p.layer, p.answer, actor="@import")
        if not created:  # new versions for a done gold reopen it (core.review.reopen_gold)
            reopen_gold(store, article_id, [p.layer], f"the import of {p.where}", "@import")
    return article_id, created, True


def import_record(store: Store, record: dict, *, layer: str | None = None, as_suggestions: bool = False,
                  model: str | None = None) -> tuple[str, bool, bool]:
    """Store one record; returns (article id, created, annotations stored). Raises on any problem,
    leaving the database unchanged."""
    prepared = prepare_record(store, record, layer=layer, as_suggestions=as_suggestions, model=model)
    try:
        return write_record(store, prepared)
    except (TransactionLostError, DiskFullError):
        raise
    except StoreError as exc:
        raise RecordError(str(exc)) from None


def _reason(exc: Exception) -> str:
    """A record's problem in words, also for errors nobody foresaw."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to be read"
    if isinstance(exc, (RecordError, StoreError)):
        return str(exc)
    if isinstance(exc, UnicodeError):
        return f"not storable as text: {exc}"
    return f"cannot be stored: {type(exc).__name__}: {exc}"


def import_records(
    store: Store,
    items: Iterable[dict | Problem],
    *,
    layer: str | None = None,
    as_suggestions: bool = False,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    tokenize_many: BatchTokenizer | None = None,
) -> ImportSummary:
    """Import records (and pass on reader problems); a bad record is skipped whole and reported as
    `file:line: reason`. Records are checked and tokenised first (a batch at a time, by `tokenize_many`
    if given), then written in short batches. If SQLite loses a batch (disk full …) the import stops,
    and the summary counts only what is stored."""
    summary = ImportSummary()
    batch: list[PreparedRecord] = []
    tokenizing: deque = deque()  # (batch, finish) of the batches being tokenised, oldest first
    count = size = 0
    stopped = False
    with store.bulk_writes():
        for item in items:
            if cancelled and cancelled():
                break
            if isinstance(item, Problem):
                summary.problems.append(item)
                continue
            count += 1
            try:
                batch.append(prepare_record(store, item, layer=layer, as_suggestions=as_suggestions, tokenize=False))
                size += batch[-1].size
            except Exception as exc:  # noqa: BLE001 - whatever goes wrong with one record, the others go on
                where = item.get("_file", "<input>") if isinstance(item, dict) else "<input>"
                line = item.get("_line") if isinstance(item, dict) else None
                summary.problems.append(Problem(where, line, _reason(exc)))
            if len(batch) >= BATCH_RECORDS or size >= BATCH_SIZE:
                tokenizing.append((batch, start_tokenizing(store, batch, tokenize_many)))
                batch, size = [], 0
                if len(tokenizing) > BATCHES_TOKENIZING and not _write_batch(store, *tokenizing.popleft(), summary):
                    stopped = True
                    break
            if progress:
                progress(count)
        if not stopped:  # what was read before the end (or a cancel)
            tokenizing.append((batch, start_tokenizing(store, batch, tokenize_many)))
            while tokenizing and _write_batch(store, *tokenizing.popleft(), summary):
                pass
    _in_file_order(summary.problems)
    return summary


def _in_file_order(problems: list[Problem]) -> None:
    """Sort problems by file (in the order met) and line: records found bad when written come later."""
    files: dict[str, int] = {}
    for problem in problems:
        files.setdefault(problem.file, len(files))
    problems.sort(key=lambda p: (files[p.file], p.line or 0))


def _write_batch(store: Store, batch: list[PreparedRecord], finish_tokens: Callable[[], None],
                 summary: ImportSummary) -> bool:
    """Wait for the batch's tokens, then write its records in one transaction; False if the import must
    stop (nothing of it stored). Consecutive records without annotations are stored in bulk
    (Store.add_articles)."""
    if not batch:
        return True
    finish_tokens()
    failed = [p for p in batch if p.error]
    batch = [p for p in batch if not p.error]
    problems: list[Problem] = [Problem(p.where, p.line, p.error) for p in failed]
    counts = [0, 0, 0]  # imported, duplicates, annotated

    def write_one(p: PreparedRecord) -> None:
        try:
            _, created, annotated = write_record(store, p)
        except (TransactionLostError, DiskFullError):
            raise
        except Exception as exc:  # noqa: BLE001 - one record's fault is that record's problem
            problems.append(Problem(p.where, p.line, _reason(exc)))
        else:
            counts[0] += created
            counts[1] += not created and not annotated
            counts[2] += annotated

    def write_plain(run: list[PreparedRecord]) -> None:
        try:
            with store.transaction():
                results = store.add_articles([dict(id=p.article_id, text=p.text, tokens=p.tokens,
                                                   boundaries=p.boundaries, **p.article) for p in run])
        except (TransactionLostError, DiskFullError):
            raise
        except Exception:  # noqa: BLE001 - nothing of the run is stored: each record alone says what is wrong
            for p in run:
                write_one(p)
            return
        for p, result in zip(run, results):
            if isinstance(result, Exception):
                problems.append(Problem(p.where, p.line, _reason(result)))
            else:
                counts[0] += result[1]
                counts[1] += not result[1]

    try:
        with store.transaction():
            run: list[PreparedRecord] = []
            for p in batch:
                if p.plain:
                    run.append(p)
                    continue
                if run:
                    write_plain(run)
                    run = []
                write_one(p)
            if run:
                write_plain(run)
    except StoreError as exc:  # the whole batch was rolled back: none of it is stored
        first = (batch or failed)[0]
        where = f"{first.where}:{first.line}" if first.line else first.where
        again = "free some space and import again" if "disk is full" in str(exc) else "import again"
        summary.stopped = (f"{exc}. The import stopped; the records from {where} on were not stored "
                           f"({again}: stored articles are skipped as duplicates)")
        summary.problems += problems + [Problem(store.path, None, summary.stopped)]
        return False
    summary.problems += problems
    summary.imported += counts[0]
    summary.duplicates += counts[1]
    summary.annotated += counts[2]
    return True

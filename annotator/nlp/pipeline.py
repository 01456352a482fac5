"""The suggestion pipeline (entities → quote_finder → stance) and the predict/evaluate entry points.

``build_pipeline`` gives a spaCy ``Language``; ``doc_to_record`` turns a processed Doc into a
FORMAT.md record; ``predict``/``run_predict`` run it over inputs (``annotator predict``).
Evaluation against gold is annotator.core.evaluation (``annotator evaluate``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.core.formats import jsonl as formats_jsonl
from annotator.core.formats import txt as formats_txt
from annotator.core.formats.common import FormatError, Problem
from annotator.core.progress import TerminalProgress
from annotator.nlp import stance as _stance  # registers "stance"
from annotator.nlp.quotes import doc_text  # the module registers "quote_finder"
from annotator.nlp.tokenizer import new_blank

log = logging.getLogger(__name__)

DEFAULT_CONFIG: dict[str, Any] = {
    "stance_target": _stance.DEFAULT_TARGET,
    "stance_labels": list(_stance.DEFAULT_LABELS),
    "quote_patterns": None,  # path of a quotes.json; None = resources/patterns/quotes.json
    "stance_lexicon": None,  # path of a stance lexicon; None = resources/stance_lexicon.json
    "labels": None,  # entity labels to keep (None = all the entity pipeline gives)
    "entities": True,  # False: no entity pipeline (quotes and stance only)
}


def _entity_pipeline(model_dir: str | None) -> Language | None:
    """The entity pipeline of annotator.nlp.entities, or None when it is not available."""
    try:
        from annotator.nlp import entities  # type: ignore[attr-defined]
    except ImportError:
        return None
    loader = getattr(entities, "load_entity_pipeline", None)
    if loader is None:
        return None
    try:
        return loader(model_dir)
    except Exception as exc:  # a missing or broken model must not stop quote suggestions
        if model_dir is not None:
            raise
        log.warning("entity pipeline unavailable (%s); continuing without entities", exc)
        return None


def build_pipeline(model_dir: str | None = None, config: dict | None = None) -> Language:
    """Entities (if annotator.nlp.entities is available), then quote_finder, then stance.

    ``config`` holds project settings: ``stance_target``, ``stance_labels`` (support, oppose,
    neutral — in that order, or a dict with those keys), ``quote_patterns``, ``stance_lexicon``;
    ``labels`` (entity labels to keep), ``entities`` (False = no entity pipeline); missing keys
    take DEFAULT_CONFIG. ``target`` is accepted for ``stance_target``."""
    cfg = dict(DEFAULT_CONFIG)
    for key, value in (config or {}).items():
        if value is not None:
            cfg["stance_target" if key == "target" else key] = value
    trained = None
    from annotator.nlp.trained import is_trained_model_dir, load_trained

    if is_trained_model_dir(model_dir):  # a directory written by `annotator train`
        trained = load_trained(model_dir)
        model_dir = str(trained.ner_dir) if trained.ner_dir else None
    nlp = _entity_pipeline(model_dir) if cfg["entities"] else None
    if nlp is None:
        nlp = new_blank()
    if cfg["labels"] is not None and nlp.pipe_names:
        nlp.add_pipe("entity_label_filter", config={"labels": list(cfg["labels"])})
    nlp.add_pipe("quote_finder", config={"patterns_path": cfg["quote_patterns"]})
    labels = cfg["stance_labels"]
    if isinstance(labels, dict):
        labels = [labels["support"], labels["oppose"], labels["neutral"]]
    nlp.add_pipe("stance", config={"target": cfg["stance_target"], "labels": list(labels), "lexicon_path": cfg["stance_lexicon"]})
    if trained is not None:
        from annotator.nlp.trained import add_trained_components

        add_trained_components(nlp, trained)
    return nlp


@Language.factory("entity_label_filter", default_config={"labels": []})
def make_entity_label_filter(nlp: Language, name: str, labels: list[str]):
    """Keep only the project's entity labels in doc.ents."""
    keep = set(labels)

    def entity_label_filter(doc: Doc) -> Doc:
        doc.ents = [e for e in doc.ents if e.label_ in keep]
        return doc

    return entity_label_filter


# --------------------------------------------------------------------------- Doc -> record


def _token_table(doc: Doc) -> tuple[list[dict], list[int]]:
    """FORMAT.md tokens (whitespace tokens left out, as annotator.nlp.tokenizer.token_offsets
    does) and the map spaCy token index → record token index (of the nearest earlier token)."""
    tokens: list[dict] = []
    index: list[int] = []
    text = doc_text(doc)
    n_text = len(text)
    for start, length in (doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []):
        end = start + length
        word = text[start:end]
        if word.isspace():
            index.append(max(len(tokens) - 1, 0))
            continue
        index.append(len(tokens))
        tokens.append({"text": word, "start": start, "end": end, "id": len(tokens), "ws": end < n_text and text[end].isspace()})
    return tokens, index


def _record_token_range(index: list[int], start: int, end: int) -> tuple[int, int]:
    """Record token_start/token_end (inclusive) of spaCy tokens start..end (exclusive)."""
    return index[start], index[end - 1]


def _span_score(span: Span) -> float | None:
    if Span.has_extension("score"):
        score = span._.score
        return float(score) if score is not None else None
    return None


def _span_source(span: Span) -> str:
    if Span.has_extension("source"):
        return span._.source or "model"
    return "model"


def doc_to_record(doc: Doc, record_id: str | None = None, meta: dict | None = None) -> dict:
    """A FORMAT.md record of a processed Doc: tokens, entity spans, quotes and SPEAKER relations.
    All suggestions have status "suggested"."""
    tokens, index = _token_table(doc)
    spans = []
    for e in doc.ents:
        ts, te = _record_token_range(index, e.start, e.end)
        spans.append({"start": e.start_char, "end": e.end_char, "token_start": ts, "token_end": te, "label": e.label_,
                      "source": _span_source(e), "status": "suggested", "score": _span_score(e)})
    quotes = []
    relations = []
    for q in doc._.quotes or []:
        speaker = q.get("speaker")
        cue = q.get("cue")
        quotes.append({
            "start": q["start"], "end": q["end"], "kind": q["kind"],
            "speaker": None if speaker is None else {"start": speaker["start"], "end": speaker["end"], "label": speaker["label"]},
            "cue": None if cue is None else {"start": cue["start"], "end": cue["end"], "text": cue["text"]},
            "stance": q.get("stance"), "score": q.get("score"), "source": q.get("source", "rule"), "status": "suggested",
        })
        if speaker is not None:
            qs, qe = _record_token_range(index, q["token_start"], q["token_end"])
            ss, se = _record_token_range(index, speaker["token_start"], speaker["token_end"])
            relations.append({
                "head": qe, "child": se, "label": "SPEAKER",
                "head_span": {"start": q["start"], "end": q["end"], "token_start": qs, "token_end": qe, "label": "QUOTE"},
                "child_span": {"start": speaker["start"], "end": speaker["end"], "token_start": ss, "token_end": se, "label": speaker["label"]},
            })
    return {
        "id": record_id if record_id is not None else doc.user_data.get("id"),
        "text": doc_text(doc),
        "meta": dict(meta or {}),
        "tokens": tokens,
        "spans": spans,
        "quotes": quotes,
        "relations": relations,
    }


# --------------------------------------------------------------------------- inputs and predict


def _records_of(path: Path) -> Iterator[dict]:
    """Records of one .txt or .jsonl file, read as ``annotator import`` reads them (UTF-8,
    line ends normalised to LF, ``<stem>.meta.json`` for .txt); a file or line that cannot be
    read raises FormatError naming file:line, warnings go to the log."""
    reader = formats_txt.read_txt if path.suffix.lower() == ".txt" else formats_jsonl.read_jsonl
    for n, item in enumerate(reader(path), 1):
        if isinstance(item, Problem):
            if item.level == "error":
                raise FormatError(str(item))
            log.warning("%s", item)
            continue
        line = item.pop("_line", n)
        item.pop("_file", None)
        if not isinstance(item.get("text"), str):
            raise FormatError(f"{path}:{line}: record has no \"text\" string")
        if item.get("id") is None:
            item["id"] = f"{path.stem}-{line}"
        yield item


def read_inputs(paths: Iterable[str]) -> Iterator[dict]:
    """Records from .txt files (id = file stem), folders of them (sorted; .jsonl files in the
    folder too) and FORMAT.md .jsonl files (a record without id gets ``<file stem>-<line>``).
    Texts are read like ``annotator import`` does, so offsets match the stored articles."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            children = sorted(c for c in path.iterdir() if c.suffix.lower() in (".txt", ".jsonl") and c.is_file())
            yield from read_inputs([str(c) for c in children])
        elif not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        elif path.suffix.lower() in (".txt", ".jsonl"):
            yield from _records_of(path)
        else:
            raise FormatError(f"{path}: unsupported input (expected a .txt or .jsonl file or a folder)")


def predict(records: Iterable[dict], nlp: Language, batch_size: int = 32) -> Iterator[dict]:
    """Suggestions for each record (same id, text and meta), in input order, via ``nlp.pipe``."""
    pairs = ((rec["text"], rec) for rec in records)
    for doc, rec in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        meta = rec.get("meta")
        yield doc_to_record(doc, record_id=rec.get("id"), meta=meta if isinstance(meta, dict) else {})


def _count_inputs(paths: list[str]) -> int | None:
    total = 0
    for p in paths:
        path = Path(p)
        if path.is_dir():
            sub = [str(c) for c in path.iterdir() if c.suffix.lower() in (".txt", ".jsonl")]
            n = _count_inputs(sub)
            if n is None:
                return None
            total += n
        elif path.suffix.lower() == ".jsonl":
            with open(path, "rb") as f:
                total += sum(1 for line in f if line.strip())
        elif path.suffix.lower() == ".txt":
            total += 1
        else:
            return None
    return total


def run_predict(inputs: list[str], out_path: str, model_dir: str | None = None, progress: bool = True,
                config: dict | None = None, *, workers: int | None = None, ray: str | None = None) -> int:
    """Predict suggestions for ``inputs`` (files/folders, see read_inputs) into the JSONL file
    ``out_path``; returns the number of records written. Inputs are read and results written as they
    come, on ``workers`` processes (default: all cores) or a Ray cluster (``ray``: "auto" or an address;
    see annotator.nlp.parallel). The output appears only when complete (written to a temporary file,
    then renamed): an interrupted run leaves no output."""
    from annotator.nlp.parallel import pipeline_records

    bar = TerminalProgress("predict", _count_inputs(list(inputs)), force=True) if progress else None
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".part", dir=str(out.parent))
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            items = ((rec["text"], rec) for rec in read_inputs(inputs))
            for out_rec, rec in pipeline_records(items, model_dir=model_dir, config=config, workers=workers, ray=ray):
                meta = rec.get("meta")
                out_rec.update(id=rec.get("id"), meta=dict(meta) if isinstance(meta, dict) else {})
                f.write(json.dumps(out_rec, ensure_ascii=False) + "\n")
                n += 1
                if bar:
                    bar(n)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        if bar:
            bar.done()
    return n


__all__ = ["build_pipeline", "doc_to_record", "read_inputs", "predict", "run_predict", "DEFAULT_CONFIG"]

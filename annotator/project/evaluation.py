"""Evaluation as the CLI runs it: gold against a prediction file, a stored layer, or the
suggestion pipeline run on the gold texts (the metrics themselves are core.evaluation)."""

from __future__ import annotations

from typing import Iterable

from annotator.core.evaluation import evaluate, format_table, iter_jsonl, to_json
from annotator.core.records import iter_records
from annotator.project.export import ExportError, layer_articles


def run_evaluate(gold_path: str, pred_path: str | None = None, model_dir: str | None = None, as_json: bool = False) -> str:
    """``annotator evaluate``: compare predictions with gold and return the text table (or
    JSON). Without ``pred_path`` the suggestion pipeline is run on the gold texts."""
    gold = list(iter_jsonl(gold_path))
    if pred_path is not None:
        pred: Iterable[dict] = iter_jsonl(pred_path)
    else:
        from annotator.nlp.pipeline import build_pipeline, predict  # spaCy only when the pipeline runs

        nlp = build_pipeline(model_dir)
        pred = predict(({"id": g.get("id"), "text": g["text"], "meta": {}} for g in gold), nlp)
    result = evaluate(gold, pred)
    return to_json(result) if as_json else format_table(result)


def layer_records(store, layer: str, *, done_only: bool = False, as_predictions: bool = False,
                  article_ids: list[str] | None = None) -> list[dict]:
    """FORMAT.md records of one layer of a database (articles in corpus order).

    done_only: only articles whose layer is marked done (the gold that `export --gold` writes).
    as_predictions: every annotation of the layer counts, whatever the annotators decided about it
    (a rejected model suggestion is still what the model suggested)."""
    ids, _ = layer_articles(store, layer, article_ids, done_only=done_only)
    if as_predictions:
        records = list(iter_records(store, layer, article_ids=ids, include_rejected=True))
        for record in records:
            for item in record.get("spans", []) + record.get("quotes", []):
                item["status"] = "suggested"
        return records
    return list(iter_records(store, layer, article_ids=ids, gold_only=layer == "@gold"))


def run_evaluate_db(store, gold_layer: str = "@gold", pred_layer: str | None = None, model_dir: str | None = None,
                    as_json: bool = False, done_only: bool = True) -> str:
    """``annotator evaluate --db``: the gold layer of a database (done articles unless
    done_only=False) against another layer (``pred_layer``: "@model" for the stored suggestions,
    or an annotator's name) or, without one, against the pipeline run on the gold texts."""
    gold = layer_records(store, gold_layer, done_only=done_only)
    if pred_layer is not None:
        ids = [g["id"] for g in gold if store.has_layer(g["id"], pred_layer)]
        if not ids:
            raise ExportError(f"none of the {len(gold)} gold articles has the layer {pred_layer!r} "
                              f"(layers in this database: {', '.join(store.annotators(include_special=True))})")
        pred: Iterable[dict] = layer_records(store, pred_layer, as_predictions=True, article_ids=ids)
    else:
        from annotator.nlp.pipeline import build_pipeline, predict  # spaCy only when the pipeline runs

        pred = predict(({"id": g["id"], "text": g["text"], "meta": {}} for g in gold), build_pipeline(model_dir))
    result = evaluate(gold, pred)
    return to_json(result) if as_json else format_table(result)

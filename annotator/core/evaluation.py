"""Evaluation of predicted annotations against gold records (FORMAT.md JSONL), pure Python.

Matching rules
- Records are matched by ``id``; a gold record without a prediction counts as predicting
  nothing. Gold records with ``answer`` "reject"/"ignore" are skipped. Items with status
  "rejected" are ignored on both sides.
- Spans match one-to-one. *Exact*: same start and end (entities: and same label).
  *Overlap*: the intersection covers at least 50 % of the longer of the two spans
  (entities: and same label); pairs are taken best overlap first.
- Speaker, cue and stance agreement are measured over the quote pairs matched by the overlap
  rule. Speaker/cue *exact*: same start and end; *overlapping*: the two spans share at least
  one character. Both null counts as agreement; one null and one not is a disagreement.
  Stance accuracy counts only pairs whose gold quote has a stance.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Iterable, Iterator

from annotator.core.formats import jsonl as formats_jsonl
from annotator.core.formats.common import FormatError, Problem

OVERLAP_THRESHOLD = 0.5


def iter_jsonl(path: str) -> Iterator[dict]:
    """FORMAT.md records of a JSONL file (read by annotator.core.formats.jsonl); a bad line
    raises FormatError naming file:line; blank lines are skipped."""
    for item in formats_jsonl.read_jsonl(path):
        if isinstance(item, Problem):
            if item.level == "error":
                raise FormatError(str(item))
            continue
        where = f"{item.pop('_file', path)}:{item.pop('_line', '?')}"
        if not isinstance(item.get("text"), str):
            raise FormatError(f"{where}: record has no \"text\" string")
        for key in ("spans", "quotes"):
            items = item.get(key) or []
            if not isinstance(items, list) or not all(isinstance(x, dict) and isinstance(x.get("start"), int) and isinstance(x.get("end"), int) for x in items):
                raise FormatError(f"{where}: \"{key}\" must be a list of objects with integer start/end")
        yield item


def read_jsonl(path: str) -> list[dict]:
    """All records of a JSONL file (see iter_jsonl)."""
    return list(iter_jsonl(path))


# --------------------------------------------------------------------------- span matching


def _overlap_ratio(a: dict, b: dict) -> float:
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    longer = max(a["end"] - a["start"], b["end"] - b["start"])
    return inter / longer if inter > 0 and longer > 0 else 0.0


def match_spans(gold: list[dict], pred: list[dict], mode: str, same_label: bool = False) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs; mode "exact" or "overlap" (≥ 50 % of the longer)."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if same_label and g.get("label") != p.get("label"):
                continue
            if mode == "exact":
                if g["start"] == p["start"] and g["end"] == p["end"]:
                    cands.append((1.0, gi, pi))
            else:
                r = _overlap_ratio(g, p)
                if r >= OVERLAP_THRESHOLD:
                    cands.append((r, gi, pi))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in cands:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def prf(tp: int, n_gold: int, n_pred: int) -> dict:
    """Precision, recall and F1 with their counts (0.0 when undefined)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "gold": n_gold, "pred": n_pred}


def _same_span(a: dict | None, b: dict | None, mode: str) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if mode == "exact":
        return a["start"] == b["start"] and a["end"] == b["end"]
    return min(a["end"], b["end"]) > max(a["start"], b["start"])


def _active(items: Iterable[dict] | None) -> list[dict]:
    return [x for x in (items or []) if x.get("status") != "rejected"]


def _acc(hits: int, n: int) -> float | None:
    return hits / n if n else None


# --------------------------------------------------------------------------- evaluate


def evaluate(gold_records: Iterable[dict], pred_records: Iterable[dict]) -> dict:
    """Compare predictions with gold; see the module docstring for the rules. Returns a dict
    (JSON-serialisable) that format_table prints."""
    preds: dict[str, dict] = {}
    for rec in pred_records:
        preds[str(rec.get("id"))] = rec
    ent = {m: Counter() for m in ("exact", "overlap")}
    ent_label = {m: {} for m in ("exact", "overlap")}
    qc = {m: Counter() for m in ("exact", "overlap")}
    kind_c: dict[str, dict[str, Counter]] = {}
    recall_kind: dict[str, dict[str, Counter]] = {}
    spk = Counter()
    cue = Counter()
    stance = Counter()
    docs = missing = skipped = 0
    gold_ids = set()
    for g in gold_records:
        if g.get("answer") in ("reject", "ignore"):
            skipped += 1
            continue
        rid = str(g.get("id"))
        gold_ids.add(rid)
        docs += 1
        p = preds.get(rid)
        if p is None:
            missing += 1
            p = {}
        elif isinstance(p.get("text"), str) and p["text"] != g.get("text"):
            raise ValueError(f"record {rid!r}: the predicted text differs from the gold text; offsets cannot be compared")

        # entities
        gs, ps = _active(g.get("spans")), _active(p.get("spans"))
        for mode in ("exact", "overlap"):
            pairs = match_spans(gs, ps, mode, same_label=True)
            ent[mode].update(tp=len(pairs), gold=len(gs), pred=len(ps))
            for lab in {x.get("label") for x in gs} | {x.get("label") for x in ps}:
                c = ent_label[mode].setdefault(lab, Counter())
                gl = [x for x in gs if x.get("label") == lab]
                pl = [x for x in ps if x.get("label") == lab]
                c.update(tp=len(match_spans(gl, pl, mode, same_label=True)), gold=len(gl), pred=len(pl))

        # quotes
        gq, pq = _active(g.get("quotes")), _active(p.get("quotes"))
        for mode in ("exact", "overlap"):
            pairs = match_spans(gq, pq, mode)
            qc[mode].update(tp=len(pairs), gold=len(gq), pred=len(pq))
            matched_gold = {gi for gi, _ in pairs}
            for gi, x in enumerate(gq):
                rk = recall_kind.setdefault(x.get("kind") or "unknown", {"exact": Counter(), "overlap": Counter()})
                rk[mode].update(gold=1, tp=int(gi in matched_gold))
            for kind in {x.get("kind") for x in gq} | {x.get("kind") for x in pq}:
                gk = [x for x in gq if x.get("kind") == kind]
                pk = [x for x in pq if x.get("kind") == kind]
                c = kind_c.setdefault(kind or "unknown", {"exact": Counter(), "overlap": Counter()})[mode]
                c.update(tp=len(match_spans(gk, pk, mode)), gold=len(gk), pred=len(pk))
            if mode != "overlap":
                continue
            for gi, pi in pairs:
                a, b = gq[gi], pq[pi]
                spk.update(n=1, exact=int(_same_span(a.get("speaker"), b.get("speaker"), "exact")),
                           overlap=int(_same_span(a.get("speaker"), b.get("speaker"), "overlap")))
                cue.update(n=1, exact=int(_same_span(a.get("cue"), b.get("cue"), "exact")),
                           overlap=int(_same_span(a.get("cue"), b.get("cue"), "overlap")))
                if a.get("stance") is not None:
                    stance.update(n=1, hit=int(a.get("stance") == b.get("stance")))

    def counts(c: Counter) -> dict:
        return prf(c["tp"], c["gold"], c["pred"])

    return {
        "documents": docs,
        "skipped_gold_documents": skipped,
        "missing_predictions": missing,
        "extra_predictions": len(set(preds) - gold_ids),
        "entities": {
            mode: {"all": counts(ent[mode]), "per_label": {str(k): counts(v) for k, v in sorted(ent_label[mode].items(), key=lambda kv: str(kv[0]))}}
            for mode in ("exact", "overlap")
        },
        "quotes": {
            "exact": counts(qc["exact"]),
            "overlap": counts(qc["overlap"]),
            "by_kind": {k: {m: counts(c[m]) for m in ("exact", "overlap")} for k, c in sorted(kind_c.items())},
            "recall_by_kind": {
                k: {m: _acc(c[m]["tp"], c[m]["gold"]) for m in ("exact", "overlap")} | {"gold": c["overlap"]["gold"]}
                for k, c in sorted(recall_kind.items())
            },
        },
        "speaker": {
            "pairs": spk["n"],
            "exact_span": _acc(spk["exact"], spk["n"]),
            "overlapping_span": _acc(spk["overlap"], spk["n"]),
        },
        "cue": {
            "pairs": cue["n"],
            "exact_span": _acc(cue["exact"], cue["n"]),
            "overlapping_span": _acc(cue["overlap"], cue["n"]),
        },
        "stance": {"pairs": stance["n"], "accuracy": _acc(stance["hit"], stance["n"])},
        "definitions": {
            "overlap_match": "intersection >= 50% of the longer span, one-to-one",
            "speaker_cue_pairs": "quote pairs matched by the overlap rule",
            "exact_span": "same start and end (both null counts as agreement)",
            "overlapping_span": "spans share at least one character (both null counts as agreement)",
            "stance": "pairs whose gold quote has a stance",
        },
    }


# --------------------------------------------------------------------------- table


def _f(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def format_table(result: dict) -> str:
    """A readable text table of an evaluate() result."""
    lines = [
        f"documents: {result['documents']}   missing predictions: {result['missing_predictions']}"
        f"   skipped gold (answer reject/ignore): {result['skipped_gold_documents']}",
        "",
        f"{'':28}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}{'tp':>7}",
    ]

    def row(name: str, m: dict) -> str:
        return f"{name:28}{_f(m['precision']):>7}{_f(m['recall']):>7}{_f(m['f1']):>7}{m['gold']:>7}{m['pred']:>7}{m['tp']:>7}"

    for mode in ("exact", "overlap"):
        e = result["entities"][mode]
        lines.append(row(f"entities {mode}", e["all"]))
        for lab, m in e["per_label"].items():
            lines.append(row(f"  {lab} {mode}", m))
    q = result["quotes"]
    for mode in ("exact", "overlap"):
        lines.append(row(f"quotes {mode}", q[mode]))
    for kind, by in q["by_kind"].items():
        for mode in ("exact", "overlap"):
            lines.append(row(f"  {kind} only, {mode}", by[mode]))
    lines.append("")
    for kind, r in q["recall_by_kind"].items():
        lines.append(f"recall of {kind} quotes ({r['gold']} gold): exact {_f(r['exact']).strip()}  overlap {_f(r['overlap']).strip()}")
    s, c, st = result["speaker"], result["cue"], result["stance"]
    lines += [
        "",
        f"over {s['pairs']} overlap-matched quote pairs (both null = agreement):",
        f"  speaker accuracy  exact span {_f(s['exact_span']).strip()}   overlapping span {_f(s['overlapping_span']).strip()}",
        f"  cue accuracy      exact span {_f(c['exact_span']).strip()}   overlapping span {_f(c['overlapping_span']).strip()}",
        f"  stance accuracy   {_f(st['accuracy']).strip()} over {st['pairs']} pairs with a gold stance",
        "",
        "exact span = same start and end; overlapping span = at least one shared character;",
        "quote overlap match = intersection >= 50% of the longer span.",
    ]
    return "\n".join(lines)


def evaluate_files(gold_path: str, pred_path: str) -> dict:
    """evaluate() on two JSONL files."""
    return evaluate(iter_jsonl(gold_path), iter_jsonl(pred_path))


def to_json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)


__all__: list[Any] = ["FormatError", "iter_jsonl", "read_jsonl", "match_spans", "prf", "evaluate", "format_table",
                      "evaluate_files", "to_json"]

"""Run the suggestion pipeline on the development part of PFSA-ID dev and print the evaluation table.

    python benchmarks/eval_pfsa.py [GOLD.jsonl] [--json] [--model-dir DIR] [--errors N] [--person-recall N]

GOLD defaults to /work/shared/data/pfsa-id-dev.jsonl (CC BY-NC-SA: read it, never copy it
into the repository; env ANNOTATOR_PFSA overrides). The ten HELDOUT_IDS are left out: they are
the held-out articles of benchmarks/quality.py, scored once there and never looked at here.
PFSA-ID annotates direct statements of public figures only: indirect quotes and quotes of
ordinary people found by the pipeline count as false positives, so the "direct only" rows are
the ones to compare with the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.core.evaluation import evaluate, format_table, iter_jsonl, match_spans  # noqa: E402
from annotator.nlp.pipeline import build_pipeline, predict  # noqa: E402
from annotator.nlp.quotes import load_patterns  # noqa: E402

DEFAULT_GOLD = os.environ.get("ANNOTATOR_PFSA", "/work/shared/data/pfsa-id-dev.jsonl")
# the held-out PFSA articles (annotated completely in benchmarks/pfsa/*heldout_standoff.jsonl):
# no rule, word list or setting is chosen on them; only benchmarks/quality.py scores them
HELDOUT_IDS = frozenset(f"pfsa-dev20-{n:04d}" for n in (188, 34, 19, 137, 55, 191, 76, 8, 111, 33))
# the development articles annotated completely (benchmarks/pfsa/*dev_standoff.jsonl), in the
# order the learning curve of benchmarks/quality.py adds them
DEV_STANDOFF_IDS = tuple(f"pfsa-dev20-{n:04d}" for n in (67, 75, 176, 48, 167, 60, 171, 38, 58, 165))
TARGETS = [  # (name, getter, target)
    ("direct-quote recall (overlap)", lambda r: r["quotes"]["recall_by_kind"].get("direct", {}).get("overlap"), 0.98),
    ("direct-quote overlap F1", lambda r: r["quotes"]["by_kind"].get("direct", {}).get("overlap", {}).get("f1"), 0.87),
    ("speaker accuracy, exact span", lambda r: r["speaker"]["exact_span"], 0.85),
    ("speaker accuracy, overlapping span", lambda r: r["speaker"]["overlapping_span"], 0.85),
    ("cue accuracy, exact span", lambda r: r["cue"]["exact_span"], 0.93),
]


def dev_records(path: str) -> list[dict]:
    """The records of a PFSA file without the held-out articles."""
    return [g for g in iter_jsonl(path) if g["id"] not in HELDOUT_IDS]


def speaker_error_class(gold: str | None, pred: str | None,
                        gold_span: tuple[int, int] | None = None, pred_span: tuple[int, int] | None = None) -> str:
    """The kind of a speaker disagreement (gold and predicted speaker texts; with their character
    spans, a same-person disagreement is split further). PFSA-ID keeps ranks ("Komisaris Besar
    Yusri Yunus") and pronouns ("kata dia") in speakers, and names an anaphoric speaker in full
    where our guidelines take the name without rank, resolve the pronoun and point at the
    closest earlier mention (4.2): those are convention differences."""
    if gold is None or pred is None:
        return "no speaker predicted" if pred is None else "speaker where gold has none"
    if gold.lower() in load_patterns().pronouns:
        return "convention: PFSA keeps the pronoun"
    extra = gold[: len(gold) - len(pred)].split() if gold.endswith(pred) and gold != pred else []
    pat = load_patterns()
    if extra and all(w.lower().strip(".") in pat.ranks | pat.titles | {"besar", "jenderal"} for w in extra):
        return "convention: PFSA keeps the rank or title"
    if not set(gold.lower().split()) & set(pred.lower().split()):
        return "another person or entity"
    if gold_span is None or pred_span is None:
        return "same person: other mention or span"
    if pred_span[1] <= gold_span[0] or gold_span[1] <= pred_span[0]:
        if set(pred.lower().split()) <= set(gold.lower().split()):
            return "convention: PFSA names the person in full, we take the closest mention"
        return "same person: another mention"
    if pred_span[0] <= gold_span[0] and gold_span[1] <= pred_span[1]:
        return "span too long"
    if gold_span[0] <= pred_span[0] and pred_span[1] <= gold_span[1]:
        return "span too short"
    return "span shifted"


def show_errors(gold: list[dict], pred: list[dict], n: int) -> None:
    """Print up to n speaker disagreements (for development), then their kinds with counts."""
    by_id = {p["id"]: p for p in pred}
    shown = 0
    kinds: Counter = Counter()
    for g in gold:
        p = by_id[g["id"]]
        t = g["text"]
        for gi, pi in match_spans(g["quotes"], p["quotes"], "overlap"):
            a, b = g["quotes"][gi], p["quotes"][pi]
            ga, pa = a.get("speaker"), b.get("speaker")
            if (ga and (ga["start"], ga["end"])) == (pa and (pa["start"], pa["end"])):
                continue
            kind = speaker_error_class(ga and t[ga["start"]:ga["end"]], pa and t[pa["start"]:pa["end"]],
                                       ga and (ga["start"], ga["end"]), pa and (pa["start"], pa["end"]))
            kinds[kind] += 1
            if shown < n:
                cue = b.get("cue")
                print(f"{g['id']} gold={ga and t[ga['start']:ga['end']]!r} pred={pa and t[pa['start']:pa['end']]!r}"
                      f" cue={cue and cue['text']!r} [{kind}] | …{t[max(0, a['end'] - 40):a['end'] + 120]!r}")
                shown += 1
    print("\nspeaker disagreements by kind:")
    for kind, count in kinds.most_common():
        print(f"  {count:4}  {kind}")


def person_name_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name part of a gold speaker span: leading ranks and titles dropped (PFSA keeps them,
    our guidelines do not); None for a pronoun, a bare title ("Presiden") or a lower-case
    description ("politisi dari PDI-P")."""
    pat = load_patterns()
    words = text[start:end].split(" ")
    while words and words[0].lower().strip(".") in pat.ranks | pat.titles | {"besar", "jenderal"}:
        start += len(words[0]) + 1
        words = words[1:]
    if not words or not text[start:start + 1].isupper() or text[start:end].lower() in pat.pronouns:
        return None
    return start, end


def person_recall(gold: list[dict], pred: list[dict], show: int = 0) -> None:
    """Print how many gold person speakers (names, rank-stripped) have a predicted PERSON entity
    with the same span or an overlapping one; show up to ``show`` misses."""
    by_id = {p["id"]: p for p in pred}
    total = exact = overlap = 0
    misses = []
    for g in gold:
        t = g["text"]
        ents = [(e["start"], e["end"]) for e in by_id[g["id"]]["spans"] if e["label"] == "PERSON"]
        names = {person_name_span(t, q["speaker"]["start"], q["speaker"]["end"]) for q in g["quotes"] if q.get("speaker")}
        for span in sorted(n for n in names if n is not None):
            total += 1
            exact += span in ents
            hit = any(a < span[1] and span[0] < b for a, b in ents)
            overlap += hit
            if span not in ents:
                near = [t[a:b] for a, b in ents if a < span[1] and span[0] < b]
                misses.append(f"{g['id']} {t[span[0]:span[1]]!r} predicted {near or None} | …{t[max(0, span[0] - 60):span[1] + 40]!r}")
    print(f"gold person speakers (rank-stripped): {total}; a PERSON entity with the same span "
          f"{exact / max(total, 1):.3f}, overlapping {overlap / max(total, 1):.3f}")
    for line in misses[:show]:
        print("  " + line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", default=DEFAULT_GOLD)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--errors", type=int, default=0, help="also print N speaker disagreements and all of them "
                    "counted by kind")
    ap.add_argument("--person-recall", type=int, default=None, metavar="N", help="also print the recall of gold "
                    "person speakers by PERSON entities and N of the misses")
    ap.add_argument("--no-entities", action="store_true", help="run without the entity pipeline")
    args = ap.parse_args(argv)
    if not Path(args.gold).exists():
        print(f"{args.gold}: not found; nothing to evaluate", file=sys.stderr)
        return 0
    gold = dev_records(args.gold)
    t0 = time.perf_counter()
    nlp = build_pipeline(args.model_dir, {"entities": not args.no_entities})
    t1 = time.perf_counter()
    pred = list(predict(({"id": g["id"], "text": g["text"], "meta": {}} for g in gold), nlp))
    t2 = time.perf_counter()
    result = evaluate(gold, pred)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"pipeline: {', '.join(nlp.pipe_names)} (load {t1 - t0:.2f} s, {len(gold) / (t2 - t1):.1f} docs/s)")
    print(format_table(result))
    print("\ntargets (PFSA-ID gold has direct quotes of public figures only):")
    for name, get, target in TARGETS:
        value = get(result)
        ok = value is not None and value >= target
        shown = "-" if value is None else f"{value:.4f}"
        print(f"  {name:38} {shown:>7}  target >= {target:.2f}  {'ok' if ok else 'MISSED'}")
    if args.errors:
        print()
        show_errors(gold, pred, args.errors)
    if args.person_recall is not None:
        print()
        person_recall(gold, pred, args.person_recall)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

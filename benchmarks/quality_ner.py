"""Entity quality on every NER corpus's dev and held-out splits, with and without the rules.

    .venv/bin/python benchmarks/quality_ner.py [--model-dir DIR] [--data DIR] [--part dev|heldout]

Corpora and splits: annotator/nlp/corpora.py (data under $ANNOTATOR_NER_DATA, ../shared/data or
/work/shared/data; corpora not present are skipped). Each split is scored twice on its harmonised gold, exact spans:
"model+rules" (the real entity pipeline, `load_entity_pipeline`) and "model" (the bare
statistical NER), so the rules' net effect is visible. Held-out splits are for reporting only:
never choose anything on them. Prints figures only; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYSTEMS = ("model+rules", "model")


def _pipelines(model_dir):
    from annotator.nlp.entities import DEFAULT_MODEL_DIR, _load_model, load_entity_pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = load_entity_pipeline(model_dir)
    bare = _load_model(Path(model_dir) if model_dir else DEFAULT_MODEL_DIR)
    return {"model+rules": full, "model": bare}


def ner_rows(model_dir=None, data_root=None, parts=("dev", "heldout")) -> list[dict]:
    """One row per corpus split (dev and held-out), system and label (PERSON/ORG/LOC/DATE/ALL):
    {"corpus", "split", "part" ("dev"|"heldout"), "system" ("model+rules"|"model"), "label",
    "p", "r", "f1", "n_gold"}. Labels a corpus does not annotate are left out (DATE: GSD-NER only).
    Empty if no corpus is found."""
    from annotator.nlp.corpora import CORPUS_LABELS, CORPUS_NAMES, load_splits, score

    splits = [s for s in load_splits(data_root) if s.split in parts]
    if not splits:
        return []
    nlps = _pipelines(model_dir)
    rows = []
    for s in splits:
        labels = CORPUS_LABELS[s.corpus]
        for system in SYSTEMS:
            scores = score(nlps[system], s.sentences, labels)
            for label in (*labels, "ALL"):
                sc = scores[label]
                rows.append({"corpus": CORPUS_NAMES[s.corpus], "split": s.name, "part": s.split, "system": system,
                             "label": label, "p": round(sc["p"], 3), "r": round(sc["r"], 3),
                             "f1": round(sc["f1"], 3), "n_gold": sc["n_gold"]})
    return rows


def rule_effects(model_dir=None, data_root=None, parts=("dev",)) -> list[dict]:
    """Each rule family's net effect: the pipeline's P/R/F1 (ALL labels) on each dev split with
    every family on, then with one family off at a time. Rows: {"corpus", "split", "off"
    (family name or "" for all on), "p", "r", "f1", "n_gold"}."""
    from annotator.nlp.corpora import CORPUS_LABELS, CORPUS_NAMES, load_splits, score
    from annotator.nlp.entities import RULE_FAMILIES

    splits = [s for s in load_splits(data_root) if s.split in parts]
    nlp = _pipelines(model_dir)["model+rules"]
    merge = nlp.get_pipe("entity_merge")
    rows = []
    try:
        for off in ("", *RULE_FAMILIES):
            merge.families = set(RULE_FAMILIES) - {off}
            for s in splits:
                sc = score(nlp, s.sentences, CORPUS_LABELS[s.corpus])["ALL"]
                rows.append({"corpus": CORPUS_NAMES[s.corpus], "split": s.name, "off": off,
                             "p": sc["p"], "r": sc["r"], "f1": sc["f1"], "n_gold": sc["n_gold"]})
    finally:
        merge.families = set(RULE_FAMILIES)
    return rows


def format_effects(rows: list[dict]) -> str:
    """F1 with all rules on, and the change in P, R and F1 when each family is off."""
    base = {(r["corpus"], r["split"]): r for r in rows if not r["off"]}
    lines = [f"{'family off':<12} " + " ".join(f"{c + ' ' + s:>34}" for c, s in base)]
    lines.append(f"{'(all on)':<12} " + " ".join(f"{'P %.3f R %.3f F1 %.3f' % (b['p'], b['r'], b['f1']):>34}"
                                                  for b in base.values()))
    for off in dict.fromkeys(r["off"] for r in rows if r["off"]):
        cells = []
        for key, b in base.items():
            r = next(x for x in rows if x["off"] == off and (x["corpus"], x["split"]) == key)
            cells.append(f"{'dP %+.3f dR %+.3f dF1 %+.3f' % (r['p'] - b['p'], r['r'] - b['r'], r['f1'] - b['f1']):>34}")
        lines.append(f"{off:<12} " + " ".join(cells))
    return "\n".join(lines)


def format_rows(rows: list[dict]) -> str:
    """A plain table: one line per corpus split and label, both systems side by side."""
    lines = [f"{'corpus':<14} {'split':<17} {'part':<8} {'label':<7} {'n':>5}   "
             f"{'P':>5} {'R':>5} {'F1':>5} (model+rules)   {'P':>5} {'R':>5} {'F1':>5} (model)"]
    by_key = {}
    for row in rows:
        by_key.setdefault((row["corpus"], row["split"], row["part"], row["label"]), {})[row["system"]] = row
    for (corpus, split, part, label), systems in by_key.items():
        full, bare = systems.get("model+rules"), systems.get("model")
        cells = [f"{r['p']:5.3f} {r['r']:5.3f} {r['f1']:5.3f}" if r else " " * 17 for r in (full, bare)]
        n = (full or bare)["n_gold"]
        lines.append(f"{corpus:<14} {split:<17} {part:<8} {label:<7} {n:>5}   {cells[0]}"
                     f"{' ' * 16}{cells[1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--data", default=None, help="data root (default: see annotator/nlp/corpora.py)")
    parser.add_argument("--part", choices=("dev", "heldout"), default=None, help="only dev or only held-out splits")
    parser.add_argument("--rule-effects", action="store_true",
                        help="each entity rule family's net effect on the dev splits (family off minus all on)")
    args = parser.parse_args(argv)
    if args.rule_effects:
        print(format_effects(rule_effects(args.model_dir, args.data)))
        return 0
    rows = ner_rows(args.model_dir, args.data, (args.part,) if args.part else ("dev", "heldout"))
    if not rows:
        print("no NER corpus found (see annotator/nlp/corpora.py); nothing to measure")
        return 0
    print(format_rows(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

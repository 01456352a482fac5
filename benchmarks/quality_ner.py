"""Entity quality on every NER corpus's dev and held-out splits, with and without the rules.

    .venv/bin/python benchmarks/quality_ner.py [--model-dir DIR] [--data DIR] [--part dev|heldout]

Corpora and splits: annotator/nlp/corpora.py (data under /work/shared/data or $ANNOTATOR_NER_DATA;
corpora not present are skipped). Each split is scored twice on its harmonised gold, exact spans:
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
    parser.add_argument("--data", default=None, help="data root (default /work/shared/data or $ANNOTATOR_NER_DATA)")
    parser.add_argument("--part", choices=("dev", "heldout"), default=None, help="only dev or only held-out splits")
    args = parser.parse_args(argv)
    rows = ner_rows(args.model_dir, args.data, (args.part,) if args.part else ("dev", "heldout"))
    if not rows:
        print("no NER corpus found (see annotator/nlp/corpora.py)")
        return 1
    print(format_rows(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

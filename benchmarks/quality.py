"""The whole quality table: every corpus's development figures next to its held-out figures.

    python benchmarks/quality.py [--dev-only] [--model-dir DIR] [--no-ner-corpora] [--learning-curve]
                                 [--learning-curve-dev [--seeds N] [--no-names]]

Corpora (the texts stay where their licences keep them; nothing here copies them):
- PFSA-ID dev direct quotes (/work/shared/data/pfsa-id-dev.jsonl, env ANNOTATOR_PFSA): gold for
  public figures' direct quotes only; development = the 194 articles that are not held out,
  held out = benchmarks/eval_pfsa.HELDOUT_IDS.
- PFSA complete stand-off annotations (benchmarks/pfsa/*standoff*.jsonl, joined to the PFSA
  texts by benchmarks/pfsa/standoff.py; env ANNOTATOR_PFSA_STANDOFF = more folders holding
  both, separated by os.pathsep): every entity, every direct and indirect quote with speaker and
  cue. Articles in HELDOUT_IDS are held out, the others are development.
- sample_corpus/gold.jsonl: development only (the rules were tuned on it).
- NER corpora: rows of benchmarks/quality_ner.ner_rows() (NERGrit, news NER sets), when present.

Held-out figures are for the closing note of a change, never for choosing a rule: develop with
--dev-only (or benchmarks/eval_pfsa.py, which leaves the held-out articles out).

--learning-curve adds what a team's corrections buy: the held-out stand-off articles scored
after `annotator train` (annotator.nlp.train.train_from_gold: fine-tuning the bundled NER,
mixed with --extra-iob sentences, default the harmonised NER corpora of ../shared/data) on the first 0, 5 and 10
development stand-off articles (DEV_STANDOFF_IDS order). Slow: two trainings.

--learning-curve-dev is the same question on development data only, for choosing how to train:
the development stand-off articles (30: DEV_STANDOFF_IDS first, then the files' order) in two
folds of 15; train on the first 0, 5, 10, 15 articles of one fold (--seeds training seeds each),
score the other fold, and swap; every run, the mean and spread per n, and what the models trained
on 15 articles lost on the NER corpora's dev splits. The trained folders carry their name memory
(annotator.nlp.names); --no-names trains without it. Slow: 6 x seeds trainings.
Scoring is annotator.core.evaluation.evaluate (overlap match: >= 50 % of the longer span;
speaker "lenient" = overlapping span).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from annotator.core.evaluation import evaluate, iter_jsonl  # noqa: E402
from eval_pfsa import DEFAULT_GOLD, DEV_STANDOFF_IDS, HELDOUT_IDS  # noqa: E402

SAMPLE_GOLD = ROOT / "sample_corpus" / "gold.jsonl"
STANDOFF_DIRS = [ROOT / "benchmarks" / "pfsa"] + [Path(p) for p in os.environ.get("ANNOTATOR_PFSA_STANDOFF", "").split(os.pathsep) if p]
ENTITY_LABELS = ("PERSON", "ORG", "LOC", "DATE")
DEV_CURVE_SIZES = (0, 5, 10, 15)  # articles trained on, of a fold of 15 (--learning-curve-dev)


# --------------------------------------------------------------------------- corpora


def _join_function(folder: Path):
    """``join`` of the stand-off script: standoff.py beside the stand-off files, else the first
    one in STANDOFF_DIRS."""
    scripts = [d / "standoff.py" for d in [folder] + STANDOFF_DIRS if (d / "standoff.py").is_file()]
    if not scripts:
        raise SystemExit(f"{folder}: stand-off files but no standoff.py to join them to the texts")
    script = scripts[0]
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location(f"standoff_{abs(hash(str(folder)))}", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved  # the script puts its own checkout first; keep this one's package
    return module.join


def standoff_records(pfsa_path: Path) -> list[dict]:
    """All complete stand-off articles found in STANDOFF_DIRS, joined to their PFSA texts by the
    folder's standoff.py (which checks each text's sha256); one record per id."""
    seen: dict[str, dict] = {}
    for folder in STANDOFF_DIRS:
        files = sorted(folder.glob("*standoff*.jsonl")) if folder.is_dir() else []
        join = _join_function(folder) if files else None
        for path in files:
            for rec in join(path, pfsa_path):
                seen.setdefault(rec["id"], rec)
    return list(seen.values())


def split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(development, held-out) by HELDOUT_IDS."""
    return [r for r in records if r["id"] not in HELDOUT_IDS], [r for r in records if r["id"] in HELDOUT_IDS]


# --------------------------------------------------------------------------- measures


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _prf(m: dict) -> str:
    return f"{m['precision']:.3f} {m['recall']:.3f} {m['f1']:.3f} ({m['gold']})"


def quote_rows(res: dict, kinds=("direct", "indirect")) -> list[tuple[str, str]]:
    """(measure, value) rows of the quote, speaker and cue figures of an evaluate() result."""
    q = res["quotes"]
    rows = []
    for kind in kinds:
        by = q["by_kind"].get(kind)
        rows.append((f"{kind} quotes P R F1 (gold), overlap", _prf(by["overlap"]) if by else "-"))
        rec = q["recall_by_kind"].get(kind)
        rows.append((f"{kind}-quote recall, overlap", _fmt(rec["overlap"]) if rec else "-"))
    rows += [
        (f"speaker exact   (over matched quotes)", _fmt(res["speaker"]["exact_span"])),
        (f"speaker lenient (overlapping span)", _fmt(res["speaker"]["overlapping_span"])),
        ("cue exact", _fmt(res["cue"]["exact_span"])),
    ]
    return rows


def entity_rows(res: dict) -> list[tuple[str, str]]:
    e = res["entities"]["exact"]
    rows = [("entities P R F1 (gold), exact", _prf(e["all"]))]
    for lab in ENTITY_LABELS:
        m = e["per_label"].get(lab)
        rows.append((f"  {lab}", _prf(m) if m else "-"))
    return rows


def print_block(title: str, dev: list[tuple[str, str]] | None, held: list[tuple[str, str]] | None,
                heads: tuple[str, str]) -> None:
    names = [n for n, _ in (dev or held or [])]
    d, h = dict(dev or []), dict(held or [])
    print(f"\n{title}")
    print(f"  {'':40} {heads[0]:>26} {heads[1]:>26}")
    for n in names:
        print(f"  {n:40} {d.get(n, '-'):>26} {h.get(n, '-'):>26}")


# --------------------------------------------------------------------------- main


def run(nlp, records: list[dict]) -> dict:
    from annotator.nlp.pipeline import predict

    return evaluate(records, predict(({"id": r["id"], "text": r["text"], "meta": {}} for r in records), nlp))


def print_ner_rows(model_dir: str | None, dev_only: bool) -> None:
    """The rows of quality_ner.ner_rows(): development split next to the held-out split."""
    try:
        from quality_ner import ner_rows
    except ImportError:
        print("\nNER corpora: benchmarks/quality_ner.py is missing; the NER corpora rows are not shown")
        return
    rows = ner_rows(model_dir, parts=("dev",) if dev_only else ("dev", "heldout"))
    print("\nNER corpora (benchmarks/quality_ner.py): P R F1 (gold); split name in brackets")
    print(f"  {'corpus / system / label':52} {'dev':>34} {'held-out':>34}")
    cells: dict[tuple, dict[str, str]] = {}
    for r in rows:
        key = (r["corpus"], r.get("system", ""), r["label"])
        cell = f"{r['p']:.3f} {r['r']:.3f} {r['f1']:.3f} ({r['n_gold']}) [{r['split']}]"
        cells.setdefault(key, {})[r.get("part", r["split"])] = cell
    for (corpus, system, label), by in cells.items():
        name = " / ".join(x for x in (corpus, system, label) if x)
        print(f"  {name:52} {by.get('dev', '-'):>34} {by.get('heldout', '-'):>34}")


def _base_corpora() -> str | None:
    """shared/data (the NER corpora: nergrit/, ner-extra/) in the nearest directory above the
    repository that has it: `annotator train` mixes their harmonised training sentences in."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data"
        if (candidate / "nergrit" / "train.iob").is_file() or (candidate / "ner-extra").is_dir():
            return str(candidate)
    return None


def _in_curve_order(dev: list[dict]) -> list[dict]:
    order = {rid: i for i, rid in enumerate(DEV_STANDOFF_IDS)}
    return sorted(dev, key=lambda r: order.get(r["id"], len(order)))


def train_on(records: list[dict], tmp: str, model_dir: str | None, extra_iob: str | None, seed: int = 0,
             **options) -> str:
    """`annotator train` (train_from_gold) on `records` as done gold articles; the trained folder."""
    from annotator.core.importer import import_records
    from annotator.core.store import Store
    from annotator.nlp.tokenizer import token_offsets
    from annotator.nlp.train import train_from_gold

    store = Store(Path(tmp) / "gold.db", tokenizer=token_offsets)
    try:
        summary = import_records(store, [dict(r, answer="accept") for r in records], layer="@gold")
        if summary.problems:
            raise SystemExit(f"importing the development articles: {summary.problems[:3]}")
        train_from_gold(store, Path(tmp) / "model", base_model=model_dir, seed=seed, extra_iob=extra_iob,
                        log_line=None, **options)
    finally:
        store.close()
    return str(Path(tmp) / "model")


def curve_figures(res: dict) -> dict:
    """The learning-curve columns of an evaluate() result."""
    e = res["entities"]["exact"]
    ind = res["quotes"]["recall_by_kind"].get("indirect")
    return {"p": e["all"]["precision"], "r": e["all"]["recall"], "f1": e["all"]["f1"], "gold": e["all"]["gold"],
            **{lab: e["per_label"][lab]["f1"] if lab in e["per_label"] else None for lab in ENTITY_LABELS},
            "indirect_r": ind and ind["overlap"], "speaker": res["speaker"]["exact_span"]}


CURVE_HEAD = (f"{'entities P R F1, exact':>26} {'PERSON F1':>10} {'ORG F1':>7} {'LOC F1':>7} {'DATE F1':>8}"
              f" {'indirect R':>11} {'speaker exact':>14}")


def curve_cells(f: dict) -> str:
    prf = f"{_fmt(f['p'])} {_fmt(f['r'])} {_fmt(f['f1'])} ({f['gold']})"
    return (f"{prf:>26} {_fmt(f['PERSON']):>10} {_fmt(f['ORG']):>7} {_fmt(f['LOC']):>7} {_fmt(f['DATE']):>8}"
            f" {_fmt(f['indirect_r']):>11} {_fmt(f['speaker']):>14}")


def learning_curve(dev: list[dict], held: list[dict], sizes: tuple[int, ...], model_dir: str | None,
                   extra_iob: str | None) -> None:
    """Held-out figures after training on the first n development articles, for n in sizes."""
    from annotator.nlp.pipeline import build_pipeline

    dev = _in_curve_order(dev)
    print(f"\nLearning curve: held-out stand-off articles ({len(held)}) after `annotator train` on n development "
          f"articles (+ {extra_iob or 'no'} base sentences)")
    print(f"  {'n':>3} {CURVE_HEAD}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            model = train_on(dev[:n], tmp, model_dir, extra_iob) if n else model_dir
            res = run(build_pipeline(model), held)
        print(f"  {n:>3} {curve_cells(curve_figures(res))}")


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def forgetting_figures(model: str | None) -> dict[str, float]:
    """Entity F1 (ALL labels, the suggestion pipeline's entities) on each NER corpus's dev split."""
    from annotator.nlp.corpora import CORPUS_LABELS, CORPUS_NAMES, load_splits, score
    from annotator.nlp.pipeline import build_pipeline

    nlp = build_pipeline(model, {"entities": True})
    with nlp.select_pipes(enable=[p for p in nlp.pipe_names if p not in ("quote_finder", "stance", "annotator_trained_quotes")]):
        return {f"{CORPUS_NAMES[s.corpus]} {s.name}": score(nlp, s.sentences, CORPUS_LABELS[s.corpus])["ALL"]["f1"]
                for s in load_splits() if s.split == "dev"}


def learning_curve_dev(dev: list[dict], sizes: tuple[int, ...], seeds: tuple[int, ...], model_dir: str | None,
                       extra_iob: str | None, forgetting: bool = True, **options) -> dict:
    """The learning curve on development data only: the development stand-off articles (curve
    order) in two halves; train on the first n of one half (`seeds`: training seeds), score the
    other half, and swap. With `forgetting`, each model trained on the most articles is also
    scored on the NER corpora's dev splits (what fine-tuning costs elsewhere). `options` go to
    train_from_gold. Prints every run and the mean (min..max) per n; returns
    {"runs": [{"n", "fold", "seed", **curve_figures}], "forgetting": {n or "0": {split: F1}}}."""
    from annotator.nlp.pipeline import build_pipeline

    dev = _in_curve_order(dev)
    half = len(dev) // 2
    folds = [(dev[:half], dev[half:]), (dev[half:], dev[:half])]
    print(f"\nLearning curve on development data: {len(dev)} stand-off articles in 2 folds of {half}; train on n "
          f"articles of one fold (+ {extra_iob or 'no'} base sentences), score the other; seeds {list(seeds)}"
          + (f"; options {options}" if options else ""))
    print(f"  {'n':>3} {'fold':>4} {'seed':>4} {CURVE_HEAD}")
    runs, forgot = [], {}
    if forgetting:
        forgot[0] = forgetting_figures(model_dir)
    for n in sizes:
        for k, (train, test) in enumerate(folds):
            for seed in (seeds if n else seeds[:1]):
                with tempfile.TemporaryDirectory() as tmp:
                    model = train_on(train[:n], tmp, model_dir, extra_iob, seed, **options) if n else model_dir
                    row = {"n": n, "fold": k, "seed": seed, **curve_figures(run(build_pipeline(model), test))}
                    if forgetting and n == max(sizes) and n:
                        for split_name, f1 in forgetting_figures(model).items():
                            forgot.setdefault(n, {}).setdefault(split_name, []).append(f1)
                runs.append(row)
                print(f"  {n:>3} {k:>4} {seed:>4} {curve_cells(row)}", flush=True)
    print(f"\n  mean over folds and seeds (entity F1 min..max)")
    for n in sizes:
        rows = [r for r in runs if r["n"] == n]
        mean = {key: _mean([r[key] for r in rows]) for key in rows[0] if key not in ("n", "fold", "seed")}
        mean["gold"] = rows[0]["gold"] if len({r["gold"] for r in rows}) == 1 else "both"
        spread = f"{min(r['f1'] for r in rows):.3f}..{max(r['f1'] for r in rows):.3f}"
        print(f"  {n:>3} {'':>9} {curve_cells(mean)} {spread:>13}")
    if forgot:
        print("\n  NER corpora dev splits, entity F1 (ALL) of the suggestion pipeline: base model vs after n articles "
              "(mean over folds and seeds)")
        for split_name, base in forgot[0].items():
            after = "  ".join(f"n={n} {_fmt(_mean(v[split_name]))}" for n, v in forgot.items() if n)
            print(f"  {split_name:32} n=0 {base:.3f}  {after}")
    return {"runs": runs, "forgetting": forgot}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev-only", action="store_true", help="development figures only (use this while developing)")
    ap.add_argument("--model-dir", default=None, help="entity model or trained model directory (default: bundled)")
    ap.add_argument("--no-ner-corpora", action="store_true", help="leave out the NER corpora rows (slow)")
    ap.add_argument("--learning-curve", action="store_true", help="also train on 0, 5 and 10 development articles "
                    "and score the held-out articles (slow)")
    ap.add_argument("--learning-curve-dev", action="store_true", help="the learning curve on development data "
                    "only (2 folds of the development stand-off articles, n = 0, 5, 10, 15; see learning_curve_dev)")
    ap.add_argument("--no-names", action="store_true", help="--learning-curve-dev: train without the name memory")
    ap.add_argument("--seeds", type=int, default=3, help="training seeds per fold of --learning-curve-dev (default 3)")
    ap.add_argument("--extra-iob", default=_base_corpora(), help="base sentences mixed into training: an IOB file "
                    "or a folder of NER corpora (default: the harmonised corpora of ../shared/data when found)")
    args = ap.parse_args(argv)

    from annotator.nlp.pipeline import build_pipeline

    nlp = build_pipeline(args.model_dir)
    held_head = "held-out" if not args.dev_only else "(held-out not shown)"
    pfsa_path = Path(DEFAULT_GOLD)
    if pfsa_path.exists():
        pfsa = list(iter_jsonl(str(pfsa_path)))
        dev, held = split(pfsa)
        rd = run(nlp, dev)
        rh = None if args.dev_only else run(nlp, held)
        print_block("PFSA-ID dev, direct quotes of public figures (PFSA gold)", quote_rows(rd, ("direct",)),
                    rh and quote_rows(rh, ("direct",)), (f"dev ({len(dev)})", f"{held_head} ({len(held)})"))
        standoff = standoff_records(pfsa_path)
        sdev, sheld = split(standoff)
        if standoff:
            rd = run(nlp, sdev) if sdev else None
            rh = run(nlp, sheld) if sheld and not args.dev_only else None
            rows = lambda r: r and entity_rows(r) + quote_rows(r)  # noqa: E731
            print_block("PFSA articles annotated completely (stand-off)", rows(rd), rows(rh),
                        (f"dev ({len(sdev)})", f"{held_head} ({len(sheld)})"))
            if args.learning_curve_dev and sdev:
                learning_curve_dev(sdev, DEV_CURVE_SIZES, tuple(range(args.seeds)), args.model_dir, args.extra_iob,
                                   **({"names": False} if args.no_names else {}))
            if args.learning_curve and sdev and sheld and not args.dev_only:
                learning_curve(sdev, sheld, (0, 5, 10), args.model_dir, args.extra_iob)
        else:
            print(f"\nPFSA stand-off annotations: none found in {', '.join(map(str, STANDOFF_DIRS))}")
    else:
        print(f"\n{pfsa_path}: not found; the PFSA rows are not shown")
    if SAMPLE_GOLD.exists():
        rs = run(nlp, list(iter_jsonl(str(SAMPLE_GOLD))))
        print_block("sample_corpus gold (tuned on: development only)", entity_rows(rs) + quote_rows(rs), None,
                    ("dev (5)", "held-out: none"))
    if not args.no_ner_corpora:
        print_ner_rows(args.model_dir, args.dev_only)
    print("\nP R F1 (n gold); quotes match by overlap (>= 50 % of the longer span); speaker/cue over matched quotes.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

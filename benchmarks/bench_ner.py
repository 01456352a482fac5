"""Load time and throughput of the entity pipeline vs bare tokenisation.

    .venv/bin/python benchmarks/bench_ner.py [--docs 1000] [--model-dir DIR] [--batch-size 64]

Texts: sample_corpus/*.txt if present, else /work/shared/seed_articles/*.txt, repeated to --docs.
Prints figures only; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEED_DIR = Path("/work/shared/seed_articles")


def load_texts(n_docs: int) -> list[str]:
    files = sorted((ROOT / "sample_corpus").glob("*.txt")) or sorted(SEED_DIR.glob("*.txt"))
    if not files:
        raise SystemExit("no .txt articles in sample_corpus/ or " + str(SEED_DIR))
    texts = [f.read_text(encoding="utf-8") for f in files]
    return list(islice(cycle(texts), n_docs))


def rate(label: str, fn, texts: list[str]) -> float:
    started = time.perf_counter()
    n_ents = fn(texts)
    seconds = time.perf_counter() - started
    chars = sum(map(len, texts))
    extra = f", {n_ents} entities" if n_ents is not None else ""
    print(f"{label:<34} {len(texts) / seconds:8.1f} docs/s  {chars / seconds / 1000:8.1f} kchars/s{extra}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import spacy  # noqa: F401

    from annotator.nlp.entities import load_entity_pipeline
    from annotator.nlp.tokenizer import blank_nlp

    t1 = time.perf_counter()
    blank = blank_nlp()
    t2 = time.perf_counter()
    nlp = load_entity_pipeline(args.model_dir)
    t3 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rules = load_entity_pipeline("/nonexistent-model-dir")
    t4 = time.perf_counter()
    print(f"import spacy + annotator.nlp.entities  {t1 - t0:6.2f} s")
    print(f"project tokenizer (blank_nlp, once)    {t2 - t1:6.2f} s")
    print(f"load_entity_pipeline (model + rules)   {t3 - t2:6.2f} s   pipes: {nlp.pipe_names}")
    print(f"load_entity_pipeline, rules only       {t4 - t3:6.2f} s")
    print(f"cold total (tokenizer + pipeline)      {t3 - t1:6.2f} s")

    texts = load_texts(args.docs)
    print(f"\n{len(texts)} docs, {sum(map(len, texts)) / len(texts):.0f} chars/doc, batch size {args.batch_size}")
    nlp(texts[0])  # warm caches
    rules(texts[0])

    def tokenize(ts):
        for _ in blank.tokenizer.pipe(ts, batch_size=args.batch_size):
            pass

    def run(pipeline):
        def go(ts):
            return sum(len(d.ents) for d in pipeline.pipe(ts, batch_size=args.batch_size))
        return go

    base = rate('spacy.blank("id") tokenisation', tokenize, texts)
    rule_s = rate("entity rules only", run(rules), texts)
    full = rate("entity pipeline (model + rules)", run(nlp), texts)
    print(f"\nslowdown vs tokenisation: rules x{rule_s / base:.1f}, full x{full / base:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

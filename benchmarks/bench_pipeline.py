"""Speed of the full suggestion pipeline against bare tokenisation.

    python benchmarks/bench_pipeline.py [--docs 1000] [--model-dir DIR] [--batch-size 32]

Texts: sample_corpus/*.txt if present, else /work/shared/seed_articles/*.txt, repeated to
--docs articles. Prints the pipeline load time, documents/second of spacy.blank("id")
tokenisation and of build_pipeline() (all components), and their ratio. Budget: the
pipeline within 15x of tokenisation (issue 13) and loaded in under 2 s.
Then articles/second of annotator.nlp.parallel.pipeline_records (what `predict` and `suggest` run)
on 1, 2 and all worker processes, and on a local Ray cluster of 2 CPUs if Ray is installed: wall
time from the start, worker start-up and model loading included.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.nlp.parallel import cpu_count  # noqa: E402


def sample_texts() -> list[str]:
    files = sorted(glob.glob(str(ROOT / "sample_corpus" / "*.txt"))) or sorted(glob.glob("/work/shared/seed_articles/*.txt"))
    if not files:
        raise SystemExit("no sample texts (sample_corpus/*.txt or /work/shared/seed_articles/*.txt)")
    return [Path(f).read_text(encoding="utf-8") for f in files]


def rate(nlp, texts: list[str], batch_size: int) -> float:
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return len(texts) / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--no-entities", action="store_true", help="quote finder and stance only")
    ap.add_argument("--workers", default="1,2,all", help="worker counts to measure (comma separated; all = every core)")
    args = ap.parse_args(argv)

    base = sample_texts()
    texts = (base * (args.docs // len(base) + 1))[: args.docs]

    import spacy

    t0 = time.perf_counter()
    from annotator.nlp.pipeline import build_pipeline  # import cost counts as loading

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp = build_pipeline(args.model_dir, {"entities": not args.no_entities})
    load = time.perf_counter() - t0

    blank = spacy.blank("id")
    for _ in blank.pipe(texts[:20]):  # warm-up
        pass
    for _ in nlp.pipe(texts[:20]):
        pass
    tok = rate(blank, texts, args.batch_size)
    full = rate(nlp, texts, args.batch_size)
    ratio = tok / full
    print(f"articles: {len(texts)} ({len(base)} distinct, {sum(map(len, base)) / len(base):.0f} chars on average)")
    print(f"pipeline components: {', '.join(nlp.pipe_names)}")
    print(f"pipeline load time:               {load:6.2f} s   (budget < 2 s)   {'ok' if load < 2 else 'OVER'}")
    print(f'spacy.blank("id") tokenisation:   {tok:8.1f} docs/s')
    print(f"full pipeline:                    {full:8.1f} docs/s")
    print(f"slowdown vs tokenisation:         {ratio:6.2f} x   (budget <= 15x)   {'ok' if ratio <= 15 else 'OVER'}")
    print("\nper component (ms/doc, and in units of bare tokenisation):")
    for name, ms in component_times(nlp, texts[: min(len(texts), 300)], args.batch_size):
        print(f"  {name:20} {ms:7.2f} ms   {ms / (1000 / tok):5.2f} x")
    print("\nall cores (pipeline_records; start-up and model loading included):")
    config = {"entities": not args.no_entities}
    for workers in args.workers.split(","):
        n = cpu_count() if workers == "all" else int(workers)
        print(f"  {n} worker process{'es' if n > 1 else '':2}           {parallel_rate(texts, config, workers=n):8.1f} docs/s")
    try:
        import ray
    except ImportError:
        print("  Ray: not installed (pip install 'annotator[cluster]')")
    else:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            print(f"  Ray, local cluster of 2 CPUs      {parallel_rate(texts, config, ray='auto'):8.1f} docs/s")
        finally:
            ray.shutdown()
    return 0


def parallel_rate(texts: list[str], config: dict, **how) -> float:
    from annotator.nlp.parallel import pipeline_records

    t0 = time.perf_counter()
    count = sum(1 for _ in pipeline_records(((t, n) for n, t in enumerate(texts)), config=config, **how))
    return count / (time.perf_counter() - t0)


def component_times(nlp, texts: list[str], batch_size: int) -> list[tuple[str, float]]:
    """Milliseconds per document of the tokenizer and of each pipeline component."""
    t0 = time.perf_counter()
    docs = [nlp.make_doc(t) for t in texts]
    out = [("(tokenizer)", (time.perf_counter() - t0) * 1000 / len(texts))]
    for name, proc in nlp.pipeline:
        t0 = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        out.append((name, (time.perf_counter() - t0) * 1000 / len(texts)))
    return out


if __name__ == "__main__":
    raise SystemExit(main())

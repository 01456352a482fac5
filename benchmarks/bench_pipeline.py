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
import resource
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
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
    print("\nall cores (pipeline_records, what predict runs; start-up and model loading included). 'first' is the"
          "\nseconds to the first result (start-up), 'steady' the rate after it; CPU is ms per article in this process"
          "\nand in the workers (worker start-up included). The machine may be shared: compare the ratios of one run.")
    config = {"entities": not args.no_entities}
    rates = {}
    for workers in args.workers.split(","):
        n = cpu_count() if workers == "all" else int(workers)
        rates[n] = parallel_rate(texts, config, workers=n)
        print(f"  {n} worker process{'es' if n > 1 else '':2}     {rates[n]}")
    if 1 in rates and len(rates) > 1:
        for n, measured in rates.items():
            if n > 1:
                print(f"  {n} workers / 1: {measured.rate / rates[1].rate:.2f}x overall, "
                      f"{measured.steady / rates[1].steady:.2f}x after start-up")
    print("\nsuggest through the store (one writer, a transaction per group of articles):")
    for workers in args.workers.split(","):
        n = cpu_count() if workers == "all" else int(workers)
        print(f"  {n} worker process{'es' if n > 1 else '':2}     {suggest_rate(texts, n)}")
    try:
        import ray
    except ImportError:
        print("  Ray: not installed (pip install 'annotator[cluster]')")
    else:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            print(f"  Ray, local cluster of 2 CPUs     {parallel_rate(texts, config, ray='auto')}"
                  " (the Ray workers' CPU is not counted)")
        finally:
            ray.shutdown()
    return 0


@dataclass
class Rate:
    """Articles per second of one run, with its start-up and the CPU it took."""

    rate: float
    first: float  # seconds to the first result
    steady: float  # articles per second after the first batch of results
    main_ms: float  # CPU ms per article in this process
    workers_ms: float  # CPU ms per article in the worker processes

    def __str__(self) -> str:
        return (f"{self.rate:7.1f} docs/s   first {self.first:4.1f} s   steady {self.steady:7.1f} docs/s   "
                f"CPU {self.main_ms:5.1f} + {self.workers_ms:5.1f} ms/doc")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(run) -> Rate:
    """Time `run(note)`, which calls note() after each article."""
    t0, cpu0, children0 = time.perf_counter(), time.process_time(), _children_cpu()
    times = []
    run(lambda *_: times.append(time.perf_counter()))
    wall, n = time.perf_counter() - t0, len(times)
    first = times[0] - t0 if times else wall
    burst = sum(1 for t in times if t - times[0] < 0.05)  # results come a batch at a time: the first batch's
    steady = (n - burst) / (times[-1] - times[0]) if n > burst else 0.0
    return Rate(n / wall, first, steady, (time.process_time() - cpu0) * 1000 / max(n, 1),
                (_children_cpu() - children0) * 1000 / max(n, 1))


def parallel_rate(texts: list[str], config: dict, **how) -> Rate:
    from annotator.nlp.parallel import pipeline_records

    def run(note):
        for _ in pipeline_records(((t, n) for n, t in enumerate(texts)), config=config, **how):
            note()

    return measured(run)


def suggest_rate(texts: list[str], workers: int) -> Rate:
    """suggest_articles over a new database holding `texts` (what `annotator suggest` runs)."""
    from annotator.core.store import Store
    from annotator.nlp.suggest import suggest_articles
    from annotator.nlp.tokenizer import packed_token_offsets

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "suggest.db", tokenizer=packed_token_offsets)
        store.add_articles([dict(id=f"a{n}", text=f"{text}\n\n({n})") for n, text in enumerate(texts)])
        try:
            return measured(lambda note: suggest_articles(store, workers=workers, progress=note))
        finally:
            store.close()


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

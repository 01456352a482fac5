"""Import N generated news articles (JSONL, ~1,800 characters each) into a new database: articles/s,
peak memory (RSS) and CPU time per article (of the importing process and of its tokenizer workers:
the figure a busy machine changes least) of the import, next to a raw sqlite-utils insert_all of the
same rows (no tokens, no full-text index, no edit log: the floor we build on), measured in the same
run, each in its own process.

usage: python benchmarks/bench_import.py [N ...]   (default: 10000 100000)"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("pasukan Korea Utara dikerahkan ke Rusia menurut laporan intelijen Amerika Serikat pada Rabu "
         "juru bicara mengatakan bahwa pemerintah sangat prihatin dengan perkembangan terbaru di Kursk").split()
CASES = {
    "sqlite-utils insert_all (raw rows)": "raw",
    "annotator import, 1 process": "import",
    "annotator import, tokenizer on 2 processes": "import2",
}


def make_articles(n: int, seed: int = 0):
    rng = random.Random(seed)
    for i in range(n):
        sentences = []
        for _ in range(18):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
            sentences.append(" ".join(words).capitalize() + ".")
        sentences.insert(3, f"“{' '.join(rng.choice(WORDS) for _ in range(10))},” kata Juru Bicara {i}.")
        yield {"id": f"gen-{i:06d}", "text": "\n".join(sentences), "meta": {"title": f"Artikel {i}", "source": "bench"}}


def write_jsonl(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for record in make_articles(n):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_case(case: str, source: str, db: str) -> None:
    """In a child process: one import, timed; prints the seconds."""
    if case == "raw":
        import sqlite_utils

        def rows():
            with open(source, encoding="utf-8") as fh:
                for line in fh:
                    r = json.loads(line)
                    yield {"id": r["id"], "title": r["meta"]["title"], "text": r["text"], "source": r["meta"]["source"],
                           "meta": "{}"}

        started, cpu = time.perf_counter(), time.process_time()
        sqlite_utils.Database(db)["articles"].insert_all(rows(), pk="id", batch_size=200)
        print(time.perf_counter() - started, time.process_time() - cpu, 0.0, peak_rss_mb())
        return
    from annotator.core.formats.readers import read_paths
    from annotator.core.importer import import_records
    from annotator.core.store import Store
    from annotator.nlp.parallel import TokenizerPool
    from annotator.nlp.tokenizer import packed_token_offsets

    packed_token_offsets("warm up the tokenizer")
    store = Store(db, tokenizer=packed_token_offsets)
    pool = TokenizerPool(2) if case == "import2" else None
    if pool:  # started and warm (the ~1 s of starting them is not counted)
        pool(["warm up the workers"] * TokenizerPool.SMALL)
    workers_cpu = _workers_cpu(pool)
    started, cpu = time.perf_counter(), time.process_time()
    summary = import_records(store, read_paths([source]), tokenize_many=pool)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    workers_cpu = _workers_cpu(pool) - workers_cpu
    if pool:
        pool.__exit__()
    assert not summary.problems, summary.line()
    print(elapsed, cpu, workers_cpu, peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak memory (VmHWM) in MB. Not getrusage: a child's ru_maxrss also counts the
    parent's pages it held between fork and exec."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def _workers_cpu(pool) -> float:
    """CPU seconds of the tokenizer pool's live worker processes so far (Linux /proc)."""
    total = 0.0
    for process in (pool._pool._pool if pool is not None and pool._pool is not None else []):
        with open(f"/proc/{process.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(case: str, source: Path, db: Path) -> list[float]:
    """[seconds, CPU seconds of the importing process, of its tokenizer workers, peak RSS in MB of the
    importing process]."""
    out = subprocess.run([sys.executable, __file__, "--case", case, str(source), str(db)], stdout=subprocess.PIPE,
                         text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True).stdout
    return [float(x) for x in out.strip().splitlines()[-1].split()]


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "articles.jsonl"
            write_jsonl(source, n)
            print(f"{n:,} articles, {source.stat().st_size / 1e6:.0f} MB of JSONL")
            for label, case in CASES.items():
                db = Path(tmp) / f"{case}.db"
                seconds, cpu, workers_cpu, rss = measure(case, source, db)
                size = sum(p.stat().st_size for p in Path(tmp).glob(f"{case}.db*"))
                print(f"  {label:<44} {n / seconds:>8,.0f} articles/s  peak RSS {rss:>5.0f} MB  "
                      f"database {size / 1e6:,.0f} MB  CPU/article {cpu / n * 1e6:4.0f} µs"
                      + (f" + {workers_cpu / n * 1e6:.0f} µs in the workers" if workers_cpu else ""))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        run_case(*sys.argv[2:5])
    else:
        main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])

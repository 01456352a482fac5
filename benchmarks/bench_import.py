"""Import N generated articles (JSONL, ~2 KB each) into a new database; prints articles/second.

usage: python benchmarks/bench_import.py [N]   (default 10000)"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.core.formats.readers import read_paths  # noqa: E402
from annotator.core.importer import import_records  # noqa: E402
from annotator.core.store import Store  # noqa: E402
from annotator.nlp.tokenizer import token_offsets  # noqa: E402

WORDS = ("pasukan Korea Utara dikerahkan ke Rusia menurut laporan intelijen Amerika Serikat pada Rabu "
         "juru bicara mengatakan bahwa pemerintah sangat prihatin dengan perkembangan terbaru di Kursk").split()


def make_articles(n: int, seed: int = 0):
    rng = random.Random(seed)
    for i in range(n):
        sentences = []
        for _ in range(18):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
            sentences.append(" ".join(words).capitalize() + ".")
        sentences.insert(3, f"“{' '.join(rng.choice(WORDS) for _ in range(10))},” kata Juru Bicara {i}.")
        yield {"id": f"gen-{i:06d}", "text": "\n".join(sentences), "meta": {"title": f"Artikel {i}", "source": "bench"}}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        with open(source, "w", encoding="utf-8") as fh:
            for record in make_articles(n):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        size = source.stat().st_size
        token_offsets("warm up the tokenizer")
        store = Store(Path(tmp) / "bench.db", tokenizer=token_offsets)
        started = time.perf_counter()
        summary = import_records(store, read_paths([source]))
        elapsed = time.perf_counter() - started
        assert summary.imported == n, summary.line()
        db_size = (Path(tmp) / "bench.db").stat().st_size
        print(f"import: {n} articles ({size / 1e6:.1f} MB JSONL) in {elapsed:.2f} s = {n / elapsed:,.0f} articles/s; "
              f"database {db_size / 1e6:.1f} MB")
        started = time.perf_counter()
        summary = import_records(store, read_paths([source]))
        elapsed = time.perf_counter() - started
        print(f"re-import (all duplicates): {summary.duplicates} in {elapsed:.2f} s = {n / elapsed:,.0f} articles/s")


if __name__ == "__main__":
    main()

"""A big corpus: import N generated news articles with `annotator import`, then time what the window
asks of the database (browse, filter, full-text search, open an article). Not part of `make test`.

usage: python benchmarks/bench_scale.py [N ...]   (default: 100000 300000 1000000; a 1M database
takes ~5 GB of disk and a few minutes)

Prints for each N: import time and articles/s, peak RSS of the importing process (its tokenizer
worker processes not counted: each is ~60 MB whatever N), database size, and the median of 3 runs
of each query the article list makes (budget 300 ms). BENCH_KEEP=DIR keeps the databases (see main)."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_import import peak_rss_mb, write_jsonl  # noqa: E402

from annotator.core.store import Store  # noqa: E402

BUDGET_MS = 300


def timed(query) -> tuple[float, object]:
    """Median milliseconds of 3 runs, and the result."""
    times, result = [], None
    for _ in range(3):
        started = time.perf_counter()
        result = query()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def import_corpus(source: Path, db: Path) -> tuple[float, float]:
    """(seconds, peak RSS MB) of `annotator import` in its own process."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--import", str(source), str(db)], stdout=subprocess.PIPE,
                         text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True).stdout
    return time.perf_counter() - started, float(out.strip().splitlines()[-1])


def run_import(source: str, db: str) -> None:
    """In a child process: `annotator import SOURCE --db DB`, then its peak RSS in MB."""
    from annotator.cli import main as cli

    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        status = cli(["import", source, "--db", db])
    if status:
        raise SystemExit(status)
    print(peak_rss_mb())


def queries(store: Store, n: int) -> dict:
    """What the article list asks of the store (annotator.gui.browser): an exact count of the whole
    corpus, filtered lists counted up to COUNT_STEP + 1 rows ("10,000+"), pages in order after the
    page before (keyset), a jump by OFFSET from the nearer end (read on the list's background thread).
    A filtered list is counted up to COUNT_STEP rows, so a jump in it goes at most that deep until
    scrolling to its end counts further."""
    from annotator.gui.browser import COUNT_STEP, PAGE  # the window's figures (imported here: not in the
    # import's tokenizer processes, which load this file again)

    who, capped = "alice", COUNT_STEP + 1
    middle = store.list_articles(who, n // 2, PAGE)[-1]["seq"]
    first_common = store.list_articles(who, 0, PAGE, search="pasukan")[-1]["seq"]
    return {
        "count all articles": lambda: store.count_articles(who),
        "first page": lambda: store.list_articles(who, 0, PAGE),
        "next page, in the middle (keyset)": lambda: store.list_articles(who, 0, PAGE, after=middle),
        "jump to the middle (OFFSET, background)": lambda: store.list_articles(who, n // 2 - PAGE, PAGE),
        "jump to the last page (from the end)": lambda: store.list_articles(who, 0, PAGE, from_end=True),
        "filter done: count": lambda: store.count_articles(who, status="done", at_most=capped),
        "filter done: first page": lambda: store.list_articles(who, 0, PAGE, status="done"),
        "filter new: count": lambda: store.count_articles(who, status="new", at_most=capped),
        "filter new: first page": lambda: store.list_articles(who, 0, PAGE, status="new"),
        "filter new: jump to the deepest row counted": lambda: store.list_articles(who, COUNT_STEP - PAGE, PAGE,
                                                                                   status="new"),
        "filter no stance: count": lambda: store.count_articles(who, no_stance=True, at_most=capped),
        "filter no stance: first page": lambda: store.list_articles(who, 0, PAGE, no_stance=True),
        "filter pending suggestions: count": lambda: store.count_articles(who, pending=True, at_most=capped),
        "filter pending suggestions: first page": lambda: store.list_articles(who, 0, PAGE, pending=True),
        "search rare word: count": lambda: store.count_articles(who, search=f"Bicara {n // 3}", at_most=capped),
        "search rare word: first page": lambda: store.list_articles(who, 0, PAGE, search=f"Bicara {n // 3}"),
        "search common word: count": lambda: store.count_articles(who, search="pasukan", at_most=capped),
        "search common word: first page": lambda: store.list_articles(who, 0, PAGE, search="pasukan"),
        "search common word: next page (keyset)": lambda: store.list_articles(who, 0, PAGE, search="pasukan",
                                                                              after=first_common),
        "search common word: jump to the deepest row counted": lambda: store.list_articles(
            who, COUNT_STEP - PAGE, PAGE, search="pasukan"),
        "open an article (text, tokens, layer)": lambda: (store.get_article(f"gen-{n // 2:06d}"),
                                                          store.get_layer(f"gen-{n // 2:06d}", who)),
    }


def uncapped(store: Store, n: int) -> dict:
    """Counts the window no longer makes (for comparison): whole counts of big filtered lists."""
    return {"search common word: whole count (not asked by the window)":
            lambda: store.count_articles("alice", search="pasukan"),
            "filter new: whole count (not asked by the window)":
            lambda: store.count_articles("alice", status="new"),
            "search common word: jump to the middle (only after scrolling 50 times to the end)":
            lambda: store.list_articles("alice", n // 2, 200, search="pasukan")}


STANCED, OPEN = 30_000, 50


def stanced(store: Store, n: int) -> dict:
    """A project whose quotes are mostly labelled: STANCED quotes with a stance spread over the corpus and
    OPEN quotes without one in its last articles (added once; measured after the queries above, which they
    would change). The no-stance filter starts from the open quotes (the partial index of schema 7); for
    comparison, the same filter walking the articles in order (what it did with 20,000+ quotes before)."""
    if not store.db.execute("SELECT 1 FROM quotes LIMIT 1").fetchone():
        step = max(1, n // STANCED)
        with store.transaction():
            for i in [*range(0, n, step)][:STANCED] + [*range(n - OPEN, n)]:
                aid = f"gen-{i:06d}"
                tokens = store.tokens(aid)
                store.add_quote(aid, "@model", tokens[0][0], tokens[2][1], source="model", status="suggested",
                                stance=None if i >= n - OPEN else "SUPPORT")

    def walking(query):
        def run():
            few, store._few_quotes = store._few_quotes, lambda: False
            try:
                return query()
            finally:
                store._few_quotes = few
        return run

    from annotator.gui.browser import COUNT_STEP, PAGE

    count = lambda: store.count_articles("alice", no_stance=True, at_most=COUNT_STEP + 1)  # noqa: E731
    page = lambda: store.list_articles("alice", 0, PAGE, no_stance=True)  # noqa: E731
    return {f"no stance, {STANCED:,} stanced + {OPEN} open quotes: count": count,
            "  the same, walking the articles (before schema 7)": walking(count),
            f"no stance, {STANCED:,} stanced + {OPEN} open quotes: first page": page,
            "  the same, walking the articles (before schema 7) ": walking(page)}


def main(sizes: list[int]) -> None:
    """BENCH_KEEP=DIR keeps each database as DIR/big-N.db, and measures the queries again on it next time."""
    keep = os.environ.get("BENCH_KEEP")
    for n in sizes:
        with tempfile.TemporaryDirectory(dir=keep) as tmp:
            source, db = Path(tmp) / "articles.jsonl", Path(keep or tmp) / f"big-{n}.db"
            if not db.exists():
                write_jsonl(source, n)
                seconds, rss = import_corpus(source, db)
                source.unlink()
                size = sum(p.stat().st_size for p in db.parent.glob(f"{db.name}*"))
                print(f"{n:,} articles: import {seconds:.0f} s = {n / seconds:,.0f} articles/s, peak RSS {rss:.0f} MB, "
                      f"database {size / 1e9:.2f} GB")
                with Store(db) as store, store.transaction():  # 1% of the articles done by alice
                    for i in range(0, n, 100):
                        store.set_status(f"gen-{i:06d}", "alice", "done")
            with Store(db) as store:
                print(f"{n:,} articles: queries")
                for label, query in queries(store, n).items():
                    ms, _ = timed(query)
                    print(f"  {label:<44} {ms:8.1f} ms  {'ok' if ms < BUDGET_MS else 'OVER'}")
                for label, query in [*uncapped(store, n).items(), *stanced(store, n).items()]:
                    ms, count = timed(query)
                    print(f"  {label:<44} {ms:8.1f} ms  ({count if isinstance(count, int) else len(count):,} "
                          f"{'articles' if isinstance(count, int) else 'rows'})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--import"]:
        run_import(*sys.argv[2:4])
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000, 300_000, 1_000_000])

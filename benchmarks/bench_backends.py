"""The same work on an SQLite file and on a PostgreSQL server, side by side in one run: import 10,000
articles, then browse 100,000 (list pages, filters, full-text search) and open an article.

    .venv/bin/python benchmarks/bench_backends.py [--import-articles 10000] [--browse-articles 100000]
                                                   [--url postgresql://...]

Without --url it starts a private PostgreSQL 16 server (pip package pgserver) in a temporary folder;
--url names an empty database on a server of yours. Each import is `annotator import` in its own
process (tokenizer workers included). The browsing corpus is imported into the SQLite file, then
moved to the server with `annotator copy` (timed too); alice has 1% of the articles done and 1% carry
model suggestions. Each query's figure is the median of 3 runs (bench_scale.queries). Prints
figures only; never part of the tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_import import write_jsonl  # noqa: E402
from bench_scale import queries, timed  # noqa: E402

from annotator.core.model import MODEL_LAYER, Entity  # noqa: E402
from annotator.core.store import Store  # noqa: E402


def annotator(*args: str) -> float:
    """Seconds that `annotator ARGS` takes in its own process."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "annotator", *args], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def prepare_browsing(db: str, n: int) -> None:
    """alice has every 100th article done; every 100th (another one) has a pending model suggestion."""
    with Store(db) as store, store.transaction():
        for i in range(0, n, 100):
            store.set_status(f"gen-{i:06d}", "alice", "done")
        for i in range(50, n, 100):
            article_id = f"gen-{i:06d}"
            start, end = store.tokens(article_id)[0]
            store.replace_suggestions(article_id, [Entity(None, article_id, MODEL_LAYER, start, end, "ORG",
                                                          source="model")], [])


def size_of(db: str) -> str:
    with Store(db, read_only=True) as store:
        if store.server:
            return f"{store.db.execute('SELECT pg_database_size(current_database())').fetchone()[0] / 1e9:.2f} GB"
    return f"{sum(p.stat().st_size for p in Path(db).parent.glob(Path(db).name + '*')) / 1e9:.2f} GB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-articles", type=int, default=10_000)
    parser.add_argument("--browse-articles", type=int, default=100_000)
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a private pgserver)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        server = None
        base = args.url
        if base is None:
            import pgserver

            server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
            base = server.get_uri()
        from annotator.core.backends import postgres

        def server_db(name: str) -> str:
            url = postgres.with_database(base, name) if args.url is None else (
                base if name == "browse" else postgres.with_database(base, f"{postgres.database_name(base)}_{name}"))
            postgres.create_database(url)
            return url

        try:
            n = args.import_articles
            source = tmp / "import.jsonl"
            write_jsonl(source, n)
            print(f"import {n:,} articles (`annotator import`, tokenizer workers included)")
            for label, db in (("SQLite", str(tmp / "import.db")), ("PostgreSQL", server_db("import"))):
                seconds = annotator("import", str(source), "--db", db)
                print(f"  {label:<11} {seconds:6.1f} s = {n / seconds:7,.0f} articles/s   database {size_of(db)}")
            source.unlink()

            n = args.browse_articles
            source, sqlite_db, pg_db = tmp / "browse.jsonl", str(tmp / "browse.db"), server_db("browse")
            write_jsonl(source, n)
            seconds = annotator("import", str(source), "--db", sqlite_db)
            source.unlink()
            prepare_browsing(sqlite_db, n)
            print(f"\nbrowse {n:,} articles: imported into SQLite in {seconds:.0f} s ({size_of(sqlite_db)}); "
                  f"`annotator copy` to PostgreSQL {annotator('copy', sqlite_db, pg_db):.0f} s ({size_of(pg_db)})")
            with Store(sqlite_db) as on_file, Store(pg_db) as on_server:
                print(f"  {'median of 3 runs, ms':<42} {'SQLite':>9} {'PostgreSQL':>11}")
                file_queries, server_queries = queries(on_file, n), queries(on_server, n)
                for label, query in file_queries.items():
                    (file_ms, file_result), (server_ms, server_result) = timed(query), timed(server_queries[label])
                    same = "" if _same(file_result, server_result) else "   (results differ!)"
                    print(f"  {label:<42} {file_ms:9.1f} {server_ms:11.1f}{same}")
        finally:
            if server is not None:
                server.cleanup()


def _same(a, b) -> bool:
    """Whether both backends answered alike (rows compared without the columns only one of them has)."""
    if isinstance(a, list) and isinstance(b, list):
        return [r.get("id") if isinstance(r, dict) else r for r in a] == [r.get("id") if isinstance(r, dict) else r
                                                                           for r in b]
    if isinstance(a, tuple):
        return a[0] == b[0] and a[1] == b[1]
    return a == b


if __name__ == "__main__":
    main()

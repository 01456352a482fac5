"""The long chaos run (tests/chaos runs a short one): writers SIGKILLed at random points, four
writers on one article, imports of a folder of malformed files (killed at random moments), an editor's
wait during a long import, and dense articles. Each database is then checked: integrity, every
acknowledged edit present, the edit log replaying to the tables. Prints the figures.

usage: python benchmarks/chaos.py [--kills 100] [--seconds 30] [--copies 100] [--records 20000]"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.core.importer import import_records  # noqa: E402
from annotator.core.store import Store  # noqa: E402
from annotator.nlp.tokenizer import token_offsets  # noqa: E402
from tests.chaos import harness  # noqa: E402

#: An editor in another window: a small edit every 20 ms for as long as the import runs.
EDITOR = textwrap.dedent("""
    import sys, time
    from annotator.core.store import Store, LockedError
    store = Store(sys.argv[1], timeout=30)
    stop = sys.argv[2]
    import os
    n = 0
    while not os.path.exists(stop):
        n += 1
        began = time.monotonic()
        store.set_comment("a0", "editor", f"catatan {n}")
        print(f"{time.monotonic() - began:.4f}", flush=True)
        time.sleep(0.02)
""")


def _latency(values: list[float]) -> str:
    if not values:
        return "no edits"
    ordered = sorted(values)
    return (f"median {statistics.median(ordered) * 1000:.1f} ms, 99th percentile "
            f"{ordered[int(len(ordered) * 0.99) - 1] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms")


def run_kills(folder: Path, kills: int) -> None:
    path = folder / "kill.db"
    harness.new_database(path)
    began = time.perf_counter()
    report = harness.kill_writers(path, kills, seed=7)
    figures = harness.check_database(path, report.acknowledged)
    print(f"kill -9 during edits: {report.kills} kills in {time.perf_counter() - began:.0f} s, "
          f"{len(report.acknowledged)} acknowledged edits, all present; integrity ok; edit log "
          f"({figures['edit_log_rows']} rows) replays to the tables ({figures['entities']} entities, "
          f"{figures['quotes']} quotes)")


def run_writers(folder: Path, seconds: float) -> None:
    path = folder / "four.db"
    harness.new_database(path)
    report = harness.concurrent_writers(path, 4, seconds, seed=3)
    figures = harness.check_database(path, report.acknowledged)
    refused = ", ".join(f"{k} {v}" for k, v in sorted(report.refused.items())) or "none"
    print(f"4 writers on one article for {seconds:.0f} s: {len(report.acknowledged)} acknowledged edits "
          f"({len(report.acknowledged) / seconds:.0f}/s), all present; refused: {refused}; "
          f"edit latency {_latency(report.latencies)}; integrity ok; edit log ({figures['edit_log_rows']} rows) "
          "replays to the tables with every `before` true")


def run_malformed(folder: Path, copies: int, kills: int = 5) -> None:
    source, path = folder / "malformed", folder / "import.db"
    good = harness.malformed_folder(source, folder / "outside", copies)
    files = sum(1 for _ in source.iterdir())
    rng = random.Random(11)
    stored_after_kills = []
    for _ in range(kills):  # imports killed at random moments, each leaving a consistent database
        harness.killed_import(path, source, after=rng.uniform(0.5, 2.5))
        stored_after_kills.append(harness.article_log_consistent(path) if path.exists() else 0)
    began = time.perf_counter()
    result = harness.import_folder(path, source)
    elapsed = time.perf_counter() - began
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    count = harness.article_log_consistent(path)
    assert count >= good
    problems = result.stderr.count(": error: "), result.stderr.count(": warning: ")
    print(f"malformed folder: {files} files; {kills} imports killed at random moments left consistent databases "
          f"of {stored_after_kills} articles; the full import then took {elapsed:.1f} s: {count} articles stored "
          f"(>= {good} good ones), {problems[0]} errors and {problems[1]} warnings reported as file:line, "
          f"exit status {result.returncode}, no traceback")


def run_editor_during_import(folder: Path, records: int) -> None:
    path, data, stop = folder / "busy.db", folder / "many.jsonl", folder / "stop"
    with Store(path) as store:
        store.add_article("a0", "Artikel yang terbuka di jendela lain.")
    sentence = "Pasukan Korea Utara dikerahkan ke Rusia menurut laporan intelijen pada Rabu. "
    with open(data, "w", encoding="utf-8") as fh:
        for n in range(records):
            fh.write(json.dumps({"id": f"r{n}", "text": f"Berita {n}. " + sentence * 25}) + "\n")
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(path), str(stop)], stdout=subprocess.PIPE,
                              text=True, env=harness._env())
    began = time.perf_counter()
    result = harness.import_folder(path, data)
    elapsed = time.perf_counter() - began
    stop.touch()
    waits = [float(x) for x in editor.communicate(timeout=60)[0].split()]
    assert result.returncode == 0, result.stderr[-2000:]
    print(f"editor during an import of {records} articles ({elapsed:.0f} s, {records / elapsed:.0f}/s): "
          f"{len(waits)} edits, wait {_latency(waits)}")


def run_dense(folder: Path) -> None:
    for n in (5_000, 50_000):
        words = " ".join(f"Nama{i}" for i in range(n))
        spans, pos = [], 0
        for i in range(n):
            spans.append({"start": pos, "end": pos + len(f"Nama{i}"), "label": "PERSON"})
            pos += len(f"Nama{i}") + 1
        with Store(folder / f"dense{n}.db", tokenizer=token_offsets) as store:
            began = time.perf_counter()
            summary = import_records(store, [{"id": "dense", "text": words, "spans": spans}])
            assert summary.annotated == 1, summary.problems
            print(f"dense article: {n} entities imported in {time.perf_counter() - began:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run_kills(folder, args.kills)
        run_writers(folder, args.seconds)
        run_malformed(folder, args.copies)
        run_editor_during_import(folder, args.records)
        run_dense(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())

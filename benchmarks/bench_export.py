"""Export speed per format, on a database of generated articles with entities and quotes.

    .venv/bin/python benchmarks/bench_export.py [--articles 10000] [--keep DIR] [--formats jsonl,brat] [--nergrit PATH]

Builds the database through the import API in a temporary folder (or --keep DIR, where it is kept
and reused), then exports the gold layer in every format, each in its own process, and prints
articles/second and the peak memory (RSS) of that process. With --nergrit it also
times reading (and importing) a CoNLL/IOB file. Prints figures only; never part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.project.export import FORMATS, export_layer  # noqa: E402
from annotator.core.importer import import_records  # noqa: E402
from annotator.core.store import Store  # noqa: E402
from bench_import import peak_rss_mb  # noqa: E402

PEOPLE = ["Joko Widodo", "Prabowo Subianto", "Retno Marsudi", "Sugiono", "Kim Jong Un", "Vladimir Putin",
          "Volodymyr Zelensky", "Antony Blinken", "Yoon Suk Yeol", "Sergey Lavrov"]
ORGS = ["PBB", "NATO", "Kemlu", "DPR", "ASEAN", "Pentagon", "Kremlin", "Badan Intelijen Nasional"]
PLACES = ["Jakarta", "Moskow", "Seoul", "Pyongyang", "Kyiv", "Kursk", "Washington", "Beijing"]
CUES = ["kata", "ujar", "ungkap", "tutur"]
STANCES = ["SUPPORT", "OPPOSE", "NEUTRAL"]


def generated_record(i: int, rng: random.Random) -> dict:
    """An article of ~6 paragraphs with ~8 entities, 2 direct and 1 indirect quote."""
    parts: list[str] = []
    spans: list[dict] = []
    quotes: list[dict] = []
    pos = 0

    def add(text: str, label: str | None = None) -> dict:
        nonlocal pos
        span = {"start": pos, "end": pos + len(text), "label": label}
        parts.append(text)
        pos += len(text)
        if label:
            spans.append(dict(span))
        return span

    add(f"Laporan nomor {i} dari ")
    add(rng.choice(PLACES), "LOC")
    add(": pejabat ")
    add(rng.choice(ORGS), "ORG")
    add(" membahas pengerahan pasukan Korea Utara ke Rusia.\n\n")
    for _ in range(2):
        add("\u201c")
        content = add(f"Kami {rng.choice(['menolak', 'mendukung', 'mencermati'])} langkah itu dan akan "
                      f"berkoordinasi dengan mitra kami, {rng.randint(1, 99)} negara")
        add(",\u201d ")
        cue = add(rng.choice(CUES))
        add(" ")
        speaker = add(rng.choice(PEOPLE), "PERSON")
        add(" di ")
        add(rng.choice(PLACES), "LOC")
        add(".\n\n")
        quotes.append({**content, "label": None, "kind": "direct", "speaker": speaker, "cue": cue,
                       "stance": rng.choice(STANCES)})
    cue = add("Menurut")
    add(" ")
    speaker = add(rng.choice(ORGS), "ORG")
    add(", ")
    content = add(f"situasi di perbatasan memburuk sejak pekan lalu dan {rng.randint(100, 9999)} "
                  "tentara telah dikirim")
    add(".\n\nBerita ini diperbarui pada hari yang sama.")
    quotes.append({**content, "label": None, "kind": "indirect", "speaker": speaker, "cue": cue, "stance": None})
    stance = rng.choice(STANCES)
    return {"id": f"gen-{i:05d}", "text": "".join(parts), "meta": {"title": f"Laporan {i}", "source": "bench"},
            "spans": spans, "quotes": quotes,
            "cats": {f"stance:{s}": float(s == stance) for s in STANCES}, "answer": "accept"}


def build(db: Path, n: int) -> Store:
    from annotator.nlp.tokenizer import token_offsets

    store = Store(db, tokenizer=token_offsets)
    rng = random.Random(0)
    started = time.perf_counter()
    summary = import_records(store, (generated_record(i, rng) for i in range(n)))
    seconds = time.perf_counter() - started
    if summary.problems:
        raise SystemExit(f"generated data did not import: {summary.problems[:3]}")
    print(f"{'import (store API)':<22} {n / seconds:9.0f} articles/s  ({seconds:.1f} s, {n} articles)")
    return store


RUNS = [(fmt, {}) for fmt in FORMATS] + [("spacy", {"split": 0.8}), ("conll", {"quotes_column": True})]


def run_name(fmt: str, options: dict) -> str:
    return f"{fmt}{'-' + '-'.join(options) if options else ''}"


def bench_exports(db: Path, folder: Path, n: int, names: list[str] | None = None) -> None:
    """Each export (of `names`, default all) in its own process: articles/s and that process's peak memory (RSS)."""
    for fmt, options in RUNS:
        name = run_name(fmt, options)
        if names and name not in names:
            continue
        out = folder / name if fmt == "brat" or options.get("split") else folder / f"{name}.{fmt}"
        if out.is_dir():  # --keep: the export of a run before
            shutil.rmtree(out)
        elif out.exists():
            out.unlink()
        result = json.loads(subprocess.run(
            [sys.executable, __file__, "--one", json.dumps([str(db), str(out), fmt, options])], stdout=subprocess.PIPE,
            text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True).stdout)
        print(f"{'export ' + name:<22} {result['articles'] / result['seconds']:9.0f} articles/s  ({result['seconds']:.1f} s, "
              f"{result['entities']} entities, {result['quotes']} quotes, {result['size'] / 1e6:.1f} MB)  "
              f"peak RSS {result['rss']:5.0f} MB")
        assert result["articles"] == n


def size(path: Path) -> int:
    """Bytes of a file, or of every file under a folder (brat's per-article files are not in summary.files)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def export_one(db: str, out: str, fmt: str, options: dict) -> None:
    """In a child process: one export; prints its figures as JSON."""
    with Store(db) as store:
        started = time.perf_counter()
        summary = export_layer(store, out, fmt=fmt, gold=True, **options)
        seconds = time.perf_counter() - started
    rss = peak_rss_mb()  # before the files are sized: listing 200,000 brat files takes memory too
    print(json.dumps({"articles": summary.articles, "entities": summary.entities, "quotes": summary.quotes,
                      "seconds": seconds, "size": size(Path(out)), "rss": rss}))


def bench_conll_read(path: Path, folder: Path) -> None:
    from annotator.core.formats.conll import read_conll
    from annotator.nlp.tokenizer import token_offsets

    for mode in ("blank", "none"):
        started = time.perf_counter()
        items = list(read_conll(path, doc_boundary=mode))
        seconds = time.perf_counter() - started
        docs = sum(isinstance(x, dict) for x in items)
        print(f"{'read ' + path.name + ' ' + mode:<22} {docs / seconds:9.0f} articles/s  ({seconds:.2f} s, {docs} docs)")
        with Store(folder / f"nergrit-{mode}.db", tokenizer=token_offsets) as store:
            started = time.perf_counter()
            summary = import_records(store, read_conll(path, doc_boundary=mode))
            seconds = time.perf_counter() - started
            print(f"{'  + import':<22} {docs / seconds:9.0f} articles/s  ({seconds:.2f} s; {summary.line()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="folder for the database and exports (kept)")
    parser.add_argument("--nergrit", type=Path, help="also time reading this CoNLL/IOB file")
    parser.add_argument("--formats", help="only these exports, comma-separated: "
                                          + ", ".join(run_name(fmt, options) for fmt, options in RUNS))
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_export_"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        db = folder / "bench.db"
        if not db.exists():  # --keep: built once
            build(db, args.articles).close()
        bench_exports(db, folder, args.articles, args.formats.split(",") if args.formats else None)
        if args.nergrit:
            bench_conll_read(args.nergrit, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        export_one(*json.loads(sys.argv[2]))
    else:
        main()

"""Figures of the annotation window. Never part of the test pass/fail.

    .venv/bin/python benchmarks/bench_gui.py [--quick]

Prints:
  startup      process start → first paint of the window on the sample database (a child process;
               spaCy is not imported; the offscreen Qt platform unless DISPLAY is set)
  first open   the first opening of a 100,000-word article by an annotator (her layer is seeded with the
               model's 8,000 entity and 1,200 quote suggestions): open → painted, then reopening
  open 5k      an article of 5,000 words with 400 entities and 60 quotes: open → fully painted
  open 100k    100,000 words (8,000 entities, 1,200 quotes): open → painted, and page-by-page scrolling
  edit         label a selection (store write + view refresh + repaint), on both articles
  browser 100k a database of 100,000 articles: window construction → first paint, scrolling the
               article list to the end, a full-text search, and the process's peak RSS (child process)

The big databases are made in a temporary folder. Articles and annotations of the two long
articles go through the Store API; the 100,000-article database is written with bulk SQL into
the Store's own schema (Store() creates it; rows are inserted with executemany in one transaction,
the FTS index is filled by the schema's triggers, and a layer row plus suggestions are added for a
third of the articles so the counts in the list are real)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("pasukan Korea Utara Rusia Ukraina mengatakan bahwa pemerintah yang dan di ke dari untuk dengan "
         "perang pengerahan Menteri Luar Negeri Presiden Kremlin Seoul Pyongyang Washington laporan "
         "intelijen kata ujar menurut juru bicara militer tentara perbatasan Kursk wilayah konflik").split()
NAMES = ["Antony Blinken", "Kim Jong Un", "Vladimir Putin", "Stephane Dujarric", "Yoon Suk Yeol"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def long_text(n_words: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    paragraphs, words = [], []
    for i in range(n_words):
        words.append(rng.choice(WORDS))
        if len(words) >= 70:
            paragraphs.append(" ".join(words) + ".")
            words = []
    if words:
        paragraphs.append(" ".join(words) + ".")
    return "\n".join(paragraphs)


def fill_article(store, article_id: str, n_words: int, n_entities: int, n_quotes: int, annotator: str | None,
                 seed: int = 0) -> None:
    """An article with suggestions; `annotator` (if any) has half the entities in her layer, the
    model the other half; with None every entity is a suggestion and nobody has opened it yet."""
    from annotator.core.model import MODEL_LAYER, Entity, Quote, SpanRef

    text = long_text(n_words, seed=n_words + seed)
    store.add_article(article_id, text, title=f"{n_words:,} words", source="bench", date="2024-11-01")
    tokens = store.tokens(article_id)
    rng = random.Random(7)
    step = max(2, len(tokens) // (n_entities + 1))
    entities = []
    for k in range(n_entities):
        i = k * step + rng.randrange(0, max(1, step - 2))
        length = 1 + (k % 3 == 0)
        if i + length - 1 < len(tokens):
            entities.append((tokens[i][0], tokens[i + length - 1][1]))
    labels = store.config.label_names
    model = [Entity(None, article_id, MODEL_LAYER, s, e, labels[k % len(labels)], source="model",
                    status="suggested", score=0.8) for k, (s, e) in enumerate(entities)
             if annotator is None or k % 2 == 0]
    quotes = []
    qstep = len(tokens) // (n_quotes + 1)
    stances = store.config.stance_names
    for k in range(n_quotes):
        i = k * qstep + 5
        j = min(i + 12, len(tokens) - 1)
        speaker = SpanRef(*entities[min(len(entities) - 1, (k * len(entities)) // n_quotes)], "PERSON")
        cue = SpanRef(tokens[j + 1][0], tokens[j + 1][1]) if j + 1 < len(tokens) else None
        quotes.append(Quote(None, article_id, MODEL_LAYER, tokens[i][0], tokens[j][1], "direct", speaker, cue,
                            stances[k % len(stances)], source="rule", status="suggested", score=0.7))
    with store.transaction():
        store.replace_suggestions(article_id, model, quotes, model="bench")
        if annotator is None:
            return
        store.open_layer(article_id, annotator)
        for k, (s, e) in enumerate(entities):
            if k % 2 == 1:
                store.add_entity(article_id, annotator, s, e, labels[k % len(labels)])


def bench_articles(tmp: Path, quick: bool) -> dict:
    os.environ["ANNOTATOR_SETTINGS"] = str(tmp / "settings.ini")
    import annotator.gui  # noqa: F401
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from annotator.core.store import Store
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow

    db = str(tmp / "long.db")
    t = time.perf_counter()
    with Store(db) as store:
        fill_article(store, "w5k", 5_000, 400, 60, "bench")
        fill_article(store, "w100k", 20_000 if quick else 100_000, 1_600 if quick else 8_000,
                     240 if quick else 1_200, "bench")
    print(f"  (made the long-article database in {time.perf_counter() - t:.1f} s)")
    app = application()
    window = MainWindow(db, "bench")
    window.resize(1280, 800)
    window.show()
    for _ in range(5):
        app.processEvents()
    view = window.view
    results = {}

    cpu_of: dict[int, float] = {}

    def open_and_paint(article_id: str) -> float:
        t0, c0 = time.perf_counter(), time.process_time()
        window.open_article(article_id)
        view.viewport().repaint()
        window.panel.list.viewport().repaint()
        wall = time.perf_counter() - t0
        cpu_of[id(wall)] = time.process_time() - c0
        return wall

    for article_id, name in (("w5k", "open 5k"), ("w100k", "open 100k")):
        first = open_and_paint(article_id)
        times, cpus = [], []
        for _ in range(5):
            open_and_paint("w5k" if article_id == "w100k" else "w100k")
            wall = open_and_paint(article_id)
            times.append(wall)
            cpus.append(cpu_of[id(wall)])
        results[name] = (first, statistics.median(times), max(times))
        state = window.controller.state
        print(f"{name:12s} {len(state.text.split()):,} words, {len(state.shown_entities):,} entities, "
              f"{len(state.shown_quotes):,} quotes: first open {ms(first)}, median {ms(statistics.median(times))} "
              f"(CPU {ms(statistics.median(cpus))}), max {ms(max(times))}")
        # scrolling a page at a time (events run between pages, as while a user reads, so the
        # text's background layout goes on), each page repainted with its highlights
        bar = view.verticalScrollBar()
        steps = []
        builds = view.highlight_builds
        while len(steps) < 300:
            app.processEvents()
            if bar.value() >= bar.maximum():
                break
            t0 = time.perf_counter()
            bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
            QCoreApplication.sendPostedEvents()
            view._follow_viewport()
            view.viewport().repaint()
            steps.append(time.perf_counter() - t0)
        through = view.visible_range()[1] * 100 // max(1, len(state.text))
        print(f"{'':12s} scrolling {len(steps)} pages ({through}% of the text): median {ms(statistics.median(steps))}, "
              f"max {ms(max(steps))} per page (highlights rebuilt {view.highlight_builds - builds} times)")
        bar.setValue(0)
        # edits: select two tokens, press the label key, repaint; then undo
        edits, undos, edit_cpu = [], [], []
        tokens = state.tokens
        taken = {(e.start, e.end) for e in state.entities.values()}
        free = [i for i in range(0, min(len(tokens) - 1, 3000), 7)
                if not state.entities_in(tokens[i][0], tokens[i + 1][1])]
        for i in free[:15]:
            a, b = tokens[i][0], tokens[i + 1][1]
            if (a, b) in taken:
                continue
            view.set_selection(a, b)
            view.reveal(a, b)
            view.viewport().repaint()
            t0, c0 = time.perf_counter(), time.process_time()
            window.actions["label:LOC"].trigger()
            view.viewport().repaint()
            edits.append(time.perf_counter() - t0)
            edit_cpu.append(time.process_time() - c0)
            t0 = time.perf_counter()
            window.undo()
            view.viewport().repaint()
            undos.append(time.perf_counter() - t0)
        assert window.save_label.text() == "✓ saved"
        print(f"{'edit':12s} on {name[5:]}: label a selection, stored and redrawn: median "
              f"{ms(statistics.median(edits))} (CPU {ms(statistics.median(edit_cpu))}), max {ms(max(edits))}; "
              f"undo median {ms(statistics.median(undos))}")
        results[f"edit {name}"] = (statistics.median(edits), max(edits))
    window.close()
    return results


def bench_first_open(tmp: Path, quick: bool) -> dict:
    """First opening of a long article: the annotator's layer is seeded from the suggestions."""
    os.environ["ANNOTATOR_SETTINGS"] = str(tmp / "settings-first.ini")
    import annotator.gui  # noqa: F401
    from annotator.core.store import Store
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow

    db = str(tmp / "first.db")
    n_words, n_entities, n_quotes = (20_000, 1_600, 240) if quick else (100_000, 8_000, 1_200)
    with Store(db) as store:
        store.add_article("short", "Artikel pendek.", title="short")
        for k in range(3):
            fill_article(store, f"long{k}", n_words, n_entities, n_quotes, None, seed=k + 1)
    app = application()
    window = MainWindow(db, "first", article_id="short")
    window.resize(1280, 800)
    window.show()
    for _ in range(5):
        app.processEvents()
    firsts, again = [], []
    for k in range(3):
        for times in (firsts, again):
            window.open_article("short")
            t0 = time.perf_counter()
            window.open_article(f"long{k}")
            window.view.viewport().repaint()
            times.append(time.perf_counter() - t0)
    state = window.controller.state
    print(f"{'first open':12s} {n_words:,} words, {len(state.shown_entities):,} entity and {len(state.shown_quotes):,} "
          f"quote suggestions seeded into the layer: first open median {ms(statistics.median(firsts))} "
          f"(max {ms(max(firsts))}); reopening median {ms(statistics.median(again))} (3 articles)")
    window.close()
    return {"first": firsts, "again": again}


STARTUP_CHILD = textwrap.dedent("""
    import sys, time
    import annotator.gui
    from annotator.gui.app import application, build_window
    app = application()
    window = build_window(sys.argv[1], "bench", None)
    window.resize(1280, 800)
    def painted():
        print(json.dumps({"painted": time.time(), "cpu": time.process_time(), "spacy": "spacy" in sys.modules}),
              flush=True)
        app.quit()
    import json
    window.firstPainted.connect(painted)
    window.show()
    app.exec()
""")

BROWSER_CHILD = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import annotator.gui
    from PySide6.QtCore import QCoreApplication
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow
    app = application()
    t1, c1 = time.perf_counter(), time.process_time()
    window = MainWindow(sys.argv[1], "bench")
    window.resize(1280, 800)
    window.show()
    out = {}
    def painted():
        out["open"] = time.perf_counter() - t1
        out["open_cpu"] = time.process_time() - c1
        out["start"] = t1 - t0
        out["rows"] = window.browser.model.rowCount()
        table = window.browser.table
        bar = table.verticalScrollBar()
        steps = []
        for k in range(60):
            t = time.perf_counter()
            bar.setValue(bar.maximum() * k // 59)
            table.viewport().repaint()
            steps.append(time.perf_counter() - t)
        out["scroll_max"] = max(steps)
        out["scroll_median"] = sorted(steps)[len(steps) // 2]
        t = time.perf_counter()
        window.browser.search.setText("Blinken")
        window.browser.apply_filters()
        table.viewport().repaint()
        out["search"] = time.perf_counter() - t
        out["search_rows"] = window.browser.model.rowCount()
        t = time.perf_counter()
        while window.browser.model.pages_fetched < 3 and time.perf_counter() - t < 5:
            app.processEvents()
        out["pages"] = window.browser.model.pages_fetched
        status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
        out["rss_mb"] = int(status["VmRSS"].split()[0]) / 1024
        out["hwm_mb"] = int(status["VmHWM"].split()[0]) / 1024
        print(json.dumps(out), flush=True)
        app.quit()
    window.firstPainted.connect(painted)
    app.exec()
""")


def child_env(tmp: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["ANNOTATOR_SETTINGS"] = str(tmp / "child-settings.ini")
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def sample_db(tmp: Path) -> str:
    """The sample corpus (or the seed articles) with its gold as suggestions, tokenized by spaCy."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshot import build_sample_database

    return build_sample_database(tmp / "sample.db")


def bench_startup(tmp: Path, runs: int = 5) -> list[float]:
    db = sample_db(tmp)
    times, cpus = [], []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", STARTUP_CHILD, db], capture_output=True, text=True,
                             env=child_env(tmp), timeout=60)
        line = [x for x in out.stdout.splitlines() if x.startswith("{")]
        if not line:
            raise RuntimeError(out.stderr[-2000:])
        data = json.loads(line[-1])
        times.append(data["painted"] - t0)
        cpus.append(data["cpu"])
        assert not data["spacy"], "spaCy must not be imported at start-up"
    print(f"{'startup':12s} process start → first paint on the sample database: median "
          f"{ms(statistics.median(times))} (CPU {ms(statistics.median(cpus))}), min {ms(min(times))}, "
          f"max {ms(max(times))} ({runs} runs; spaCy not imported)")
    return times


def make_big_db(path: Path, n: int) -> None:
    """100,000 articles with bulk SQL into the Store's schema (see the module docstring)."""
    from annotator.core.offsets import pack_tokens, simple_tokens
    from annotator.core.store import Store, text_hash

    rng = random.Random(3)
    store = Store(str(path))
    now = "2024-11-01T00:00:00.000Z"
    labels = store.config.label_names
    with store.transaction():
        rows, layers, entities = [], [], []
        for i in range(n):
            words = [rng.choice(WORDS) for _ in range(rng.randint(80, 160))]
            words.insert(rng.randrange(len(words)), rng.choice(NAMES))
            text = f"Berita {i}: " + " ".join(words) + "."
            article_id = f"b{i:06d}"
            tokens = simple_tokens(text)
            rows.append((i + 1, article_id, f"Berita {i}: {' '.join(words[:8])}", text, "bench.id",
                         f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "{}", text_hash(text), pack_tokens(tokens), now))
            if i % 3 == 0:
                layers.append((article_id, "bench", ("new", "in_progress", "done")[i % 3 if i % 9 else 2], now))
                for k in range(0, min(len(tokens), 40), 8):
                    s, e = tokens[k]
                    entities.append((article_id, "bench", s, e, labels[k % len(labels)], "model", "suggested", now, now))
            if len(rows) >= 5000:
                store.db.conn.executemany(
                    "INSERT INTO articles(seq, id, title, text, source, date, meta, text_hash, tokens, created) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
                rows.clear()
        if rows:
            store.db.conn.executemany(
                "INSERT INTO articles(seq, id, title, text, source, date, meta, text_hash, tokens, created) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        store.db.conn.execute("INSERT OR IGNORE INTO annotators(name, created) VALUES ('bench', ?)", [now])
        store.db.conn.executemany("INSERT INTO layers(article_id, annotator, status, updated) VALUES (?,?,?,?)", layers)
        store.db.conn.executemany(
            'INSERT INTO entities(article_id, annotator, start, "end", label, source, status, created, updated) '
            "VALUES (?,?,?,?,?,?,?,?,?)", entities)
    store.close()


def bench_browser(tmp: Path, n: int) -> dict:
    path = tmp / "big.db"
    t = time.perf_counter()
    make_big_db(path, n)
    print(f"  (made the {n:,}-article database, {path.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - t:.1f} s)")
    out = subprocess.run([sys.executable, "-c", BROWSER_CHILD, str(path)], capture_output=True, text=True,
                         env=child_env(tmp), timeout=300)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if not line:
        raise RuntimeError(out.stderr[-2000:])
    data = json.loads(line[-1])
    print(f"{'browser':12s} {data['rows']:,} articles: window → first paint {ms(data['open'])} "
          f"(CPU {ms(data['open_cpu'])}; + {ms(data['start'])} to import Qt and the app); list scrolled end to "
          f"end in 60 jumps: median {ms(data['scroll_median'])}, max {ms(data['scroll_max'])}; "
          f"search {ms(data['search'])} ({data['search_rows']:,} hits); {data['pages']} pages of 200 fetched "
          f"(deep pages in a background thread, placeholders meanwhile)")
    print(f"{'memory':12s} RSS {data['rss_mb']:.0f} MB, peak {data['hwm_mb']:.0f} MB")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller inputs (20,000 words, 20,000 articles)")
    parser.add_argument("--only", choices=("startup", "first", "articles", "browser"), help="run one part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        tmp = Path(tmp)
        print("annotation window benchmarks" + (" (quick)" if args.quick else ""))
        if args.only in (None, "startup"):
            bench_startup(tmp, runs=3 if args.quick else 5)
        if args.only in (None, "first", "articles") and not os.environ.get("DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        if args.only in (None, "first"):
            bench_first_open(tmp, args.quick)
        if args.only in (None, "articles"):
            bench_articles(tmp, args.quick)
        if args.only in (None, "browser"):
            bench_browser(tmp, 20_000 if args.quick else 100_000)


if __name__ == "__main__":
    main()

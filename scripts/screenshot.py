"""Make docs/screenshot.png: the annotation window on a sample article, mid-work.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png] [--theme light|dark] [--scale 2]

A temporary database is built from sample_corpus/ (gold.jsonl imported as suggestions, so the
window shows suggestions next to accepted work); without it, from /work/shared/seed_articles.
The annotator has accepted the first part of the article, given stances, and selected a quote.
Runs without a display (Qt offscreen platform, a 1280×800 screen; --scale 2 for a 4K-like one)."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_corpus"
SEED = Path("/work/shared/seed_articles")
ANNOTATOR = "sari"


def _records() -> list[dict]:
    gold = SAMPLE / "gold.jsonl"
    if gold.exists():
        return [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = []
    for path in sorted(SEED.glob("*.txt")):
        records.append({"id": path.stem, "text": path.read_text(encoding="utf-8").replace("\r\n", "\n")})
    return records


def build_sample_database(path: str | os.PathLike) -> str:
    """A database of the sample articles, their gold annotations stored as suggestions."""
    from annotator.core.importer import import_records
    from annotator.core.store import Store

    records = _records()
    rng = random.Random(5)
    for record in records:
        for span in record.get("spans", []):
            span.update(source="model", status="suggested", score=round(rng.uniform(0.55, 0.99), 2))
        for quote in record.get("quotes", []):
            quote.update(source="rule", status="suggested", score=round(rng.uniform(0.5, 0.95), 2))
        record.pop("answer", None)
        record.pop("_annotator_id", None)
    tokenizer = None
    if any("tokens" not in r for r in records):
        from annotator.nlp.tokenizer import token_offsets  # only when the records bring no tokens

        tokenizer = token_offsets
    store = Store(str(path), tokenizer=tokenizer) if tokenizer else Store(str(path))
    try:
        summary = import_records(store, records, as_suggestions=True)
        if summary.errors:
            raise SystemExit("sample import failed: " + "; ".join(str(p) for p in summary.errors[:5]))
    finally:
        store.close()
    return str(path)


def _work_in_progress(db: str) -> str:
    """The annotator's state in the picture: two articles done, one started, the open one half-way:
    its first part accepted (one span corrected by hand, stances given), the rest still suggested."""
    from annotator.core.store import Store

    with Store(db) as store:
        ids = store.article_ids()
        article_id = _showcase(store, ids)
        others = [i for i in ids if i != article_id]
        for other in others[:2]:
            store.open_layer(other, ANNOTATOR)
            store.accept_all(other, ANNOTATOR)
            store.set_status(other, ANNOTATOR, "done")
        for other in others[2:3]:
            store.open_layer(other, ANNOTATOR)
            store.set_status(other, ANNOTATOR, "in_progress")
        layer = store.open_layer(article_id, ANNOTATOR)
        first = _featured_quote(layer.quotes)
        cut = (first.end if first else 0) + 650
        for e in layer.entities:
            if e.end < cut:
                store.update_entity(e.id, status="accepted")
        for q in layer.quotes:
            if q.end < cut:
                store.update_quote(q.id, status="accepted")
        e = next((x for x in layer.entities if x.end < cut and x.label == "LOC"), None)
        if e is not None:  # one correction by hand: a human span
            store.delete_entity(e.id)
            store.add_entity(article_id, ANNOTATOR, e.start, e.end, e.label)
        store.set_article_stance(article_id, ANNOTATOR, "OPPOSE")
    return article_id


def _featured_quote(quotes):
    """The quote the picture selects: one with a speaker and a cue, a clear stance if there is one."""
    full = [q for q in quotes if q.speaker and q.cue]
    return next((q for q in full if q.stance not in (None, "NEUTRAL")), full[0] if full else None)


def _showcase(store, ids: list[str]) -> str:
    """The article whose quotes show the most different stances (then the most quotes)."""
    def score(article_id):
        layer = store.get_layer(article_id, "@model")
        return len({q.stance for q in layer.quotes}), len(layer.quotes)
    return max(ids, key=score)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (2 ≈ a 4K screen)")
    parser.add_argument("--size", default="1280x800", help="window size in logical pixels")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    tmp = Path(tempfile.mkdtemp(prefix="annotator-shot-"))
    screens = tmp / "screens.json"
    screens.write_text(json.dumps({"screens": [{"name": "shot", "x": 0, "y": 0, "width": int(width * args.scale),
                                                "height": int(height * args.scale), "logicalDpi": 96,
                                                "logicalBaseDpi": 96}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screens}"
    if args.scale != 1:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)  # what a high-DPI screen does
    os.environ["ANNOTATOR_SETTINGS"] = str(tmp / "settings.ini")
    sys.path.insert(0, str(ROOT))

    import annotator.gui  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings

    db = build_sample_database(tmp / "sample.db")
    article_id = _work_in_progress(db)
    app = application()
    settings = Settings()
    settings.theme = args.theme
    window = MainWindow(db, ANNOTATOR, settings, article_id=article_id)
    window.resize(width, height)
    window.show()
    for _ in range(10):
        app.processEvents()
    controller = window.controller
    state = controller.state
    # select a quote with a speaker and a cue: it is boxed, with its speaker and cue
    quote = _featured_quote(state.shown_quotes)
    if quote is not None:
        controller.set_current(quote, move_caret=True)
        top = min(quote.start, quote.speaker.start)
        block = window.view.document().findBlock(window.view.tmap.to_qt(top))
        bar = window.view.verticalScrollBar()
        bar.setValue(max(0, int(window.view.document().documentLayout().blockBoundingRect(block).top()) - 40))
    window.view.setFocus()
    for _ in range(10):
        app.processEvents()
    pixmap = window.grab()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pixmap.save(args.out)
    print(f"wrote {args.out} ({pixmap.width()}×{pixmap.height()} px, article {article_id})")
    window.close()
    QApplication.processEvents()


if __name__ == "__main__":
    main()

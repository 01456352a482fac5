"""A realistic database to try the quality pages on: the sample gold as annotator `alice`,
perturbed copies as `bob` (all articles) and `carol` (three), model suggestions that both
accepted or rejected, done dates spread over a week, and part of the gold reviewed. No Qt.

    python -m annotator.gui.quality --demo /tmp/demo.db dashboard
    python -m annotator.project.demo postgresql://user@host/demo   (the same on a server)
"""

from __future__ import annotations

import copy
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from annotator.core.formats.readers import read_paths
from annotator.core.backends import is_server_url
from annotator.core.importer import import_records
from annotator.core.model import MODEL_LAYER, Entity, Quote, SpanRef
from annotator.core.store import Store

SAMPLE_GOLD = Path(__file__).resolve().parents[2] / "sample_corpus" / "gold.jsonl"
MODEL_NAME = "id_news_pipeline-0.3"
DEMO_KEY = "quality_demo"  # meta key marking a database made here
SWAP = {"PERSON": "ORG", "ORG": "LOC", "LOC": "ORG", "DATE": "DATE"}
STANCE_SWAP = {"NEUTRAL": "OPPOSE", "OPPOSE": "NEUTRAL", "SUPPORT": "NEUTRAL"}


def _token_after(tokens, offset: int) -> int | None:
    starts = [s for s, _ in tokens if s > offset]
    return min(starts) if starts else None


def _token_before(tokens, offset: int) -> int | None:
    ends = [e for _, e in tokens if e < offset]
    return max(ends) if ends else None


def perturb(record: dict, tokens, rng: random.Random, rate: float = 1.0) -> dict:
    """Another annotator's plausible version of a record: a few entities missed, relabelled or
    cut by a token, a few extra ones; quotes missed, trimmed, other stance or speaker."""
    r = copy.deepcopy(record)
    spans = []
    for span in r["spans"]:
        x = rng.random() / rate
        if x < 0.06:
            continue
        if x < 0.12:
            span["label"] = SWAP[span["label"]]
        elif x < 0.17:
            cut = _token_after(tokens, span["start"])
            if cut is not None and cut < span["end"]:
                span["start"] = cut
        spans.append(span)
    taken = [(s["start"], s["end"]) for s in spans]
    text = r["text"]
    for s, e in tokens:  # a few capitalised words nobody else marked
        if (text[s].isupper() and e - s > 3 and rng.random() < 0.015 * rate
                and not any(a < e and s < b for a, b in taken)):
            spans.append({"start": s, "end": e, "label": rng.choice(["ORG", "PERSON"]), "source": "human",
                          "status": "accepted"})
            taken.append((s, e))
    r["spans"] = sorted(spans, key=lambda x: x["start"])
    quotes = []
    for quote in r["quotes"]:
        x = rng.random() / rate
        if x < 0.08:
            continue
        if x < 0.25 and quote.get("stance"):
            quote["stance"] = STANCE_SWAP[quote["stance"]]
        elif x < 0.35:
            end = quote["end"]
            for _ in range(2):
                end = _token_before(tokens, end) or end
            if end - quote["start"] >= 0.6 * (quote["end"] - quote["start"]):
                quote["end"] = end
        elif x < 0.40:
            quote["speaker"] = None
        quotes.append(quote)
    r["quotes"] = quotes
    r.pop("relations", None)
    r.pop("tokens", None)
    return r


def _model_suggestions(store: Store, record: dict, article_id: str, rng: random.Random):
    """What a decent model would suggest: most gold entities, some mislabelled, a few wrong."""
    entities, quotes = [], []
    for span in record["spans"]:
        x = rng.random()
        if x < 0.12:
            continue
        label = SWAP[span["label"]] if x < 0.2 else span["label"]
        source = "rule" if span["label"] == "DATE" else "model"
        entities.append(Entity(None, article_id, MODEL_LAYER, span["start"], span["end"], label, source, "suggested",
                               round(rng.uniform(0.55, 0.99), 2), MODEL_NAME))
    for q in record["quotes"]:
        if rng.random() < 0.15:
            continue
        s = q["speaker"]
        speaker = SpanRef(s["start"], s["end"], s.get("label")) if s else None
        cue = SpanRef(q["cue"]["start"], q["cue"]["end"]) if q.get("cue") else None
        stance = q["stance"] if rng.random() < 0.7 else STANCE_SWAP.get(q["stance"] or "NEUTRAL")
        quotes.append(Quote(None, article_id, MODEL_LAYER, q["start"], q["end"], q.get("kind", "direct"), speaker, cue,
                            stance, "rule", "suggested", None, MODEL_NAME))
    return entities, quotes


def _mark_model_found(record: dict, suggestions: tuple[list[Entity], list[Quote]]) -> dict:
    """Spans and quotes the model suggested identically become accepted suggestions in the record."""
    found = {(e.start, e.end, e.label): e for e in suggestions[0]}
    for span in record["spans"]:
        e = found.get((span["start"], span["end"], span["label"]))
        if e is not None:
            span.update(source=e.source, status="accepted", score=e.score, model=MODEL_NAME)
    quotes = {(q.start, q.end): q for q in suggestions[1]}
    for quote in record["quotes"]:
        q = quotes.get((quote["start"], quote["end"]))
        if q is not None and q.stance == quote.get("stance"):
            quote.update(source=q.source, status="accepted", model=MODEL_NAME)
    return record


def is_demo(path: str | Path) -> bool:
    try:
        with Store(path, read_only=True) as store:
            return store.get_meta(DEMO_KEY) == "1"
    except Exception:
        return False


def build_demo_db(path: str | Path, *, seed: int = 7, tokenizer=None) -> Store:
    """Create the demo database at `path` (a file, or an empty database on a server) and return it
    open. An existing file is replaced only when it is an earlier demo database (FileExistsError
    otherwise: never a real project)."""
    if tokenizer is None:
        from annotator.nlp.tokenizer import token_offsets as tokenizer
    if is_server_url(path):
        store = Store(path, tokenizer=tokenizer)
        if store.article_count():
            store.close()
            raise FileExistsError(f"{store.label}: holds articles already; give a new, empty database")
    else:
        path = Path(path)
        if path.exists() and not is_demo(path):
            raise FileExistsError(f"{path}: exists and is not a demo database; choose another path")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        store = Store(path, tokenizer=tokenizer)
    store.set_meta(DEMO_KEY, "1")
    rng = random.Random(seed)
    gold = [r for r in read_paths([SAMPLE_GOLD]) if isinstance(r, dict)]
    suggestions = {r["id"]: _model_suggestions(store, r, r["id"], rng) for r in gold}
    # alice = the gold itself; importing it first puts every gold boundary into the tokens
    alice_records = [_mark_model_found(copy.deepcopy(r), suggestions[r["id"]]) for r in gold]
    import_records(store, alice_records, layer="alice")
    for name, records, rate in (("bob", gold, 1.0), ("carol", gold[1:4], 1.6)):
        perturbed = [_mark_model_found(perturb(r, store.tokens(r["id"]), rng, rate), suggestions[r["id"]])
                     for r in records]
        import_records(store, perturbed, layer=name)
    for record in gold:
        store.replace_suggestions(record["id"], *suggestions[record["id"]], model=MODEL_NAME)
    # the annotators reject what the model suggested and they did not take
    for name in ("alice", "bob", "carol"):
        for article_id in store.article_ids():
            layer = store.get_layer(article_id, name)
            for e in layer.entities:
                if e.is_pending:
                    store.delete_or_reject_entity(e.id, actor=name)
            for q in layer.quotes:
                if q.is_pending:
                    store.delete_or_reject_quote(q.id, actor=name)
            if store.has_layer(article_id, name):
                stances = [q.stance for q in store.get_layer(article_id, name).quotes if q.status == "accepted"]
                stance = max(("OPPOSE", "NEUTRAL"), key=stances.count)  # the article's prevailing stance
                if rng.random() < 0.25:
                    stance = STANCE_SWAP[stance]
                store.set_article_stance(article_id, name, stance, actor=name)
                store.set_status(article_id, name, "done", actor=name)
    _spread_dates(store, rng)
    _review_some(store)
    return store


def _spread_dates(store: Store, rng: random.Random) -> None:
    """Done dates over the last week, as if the work had taken days."""
    today = datetime.now(timezone.utc).replace(hour=10, minute=0, second=0, microsecond=0)
    rows = store.db.execute("SELECT id, layer FROM edit_log WHERE action = 'set' AND "
                            f"{store.json_text('after', 'status')} = 'done' ORDER BY id").fetchall()
    offsets = {"alice": [6, 5, 5, 3, 2], "bob": [6, 4, 3, 1, 0], "carol": [2, 1, 0]}
    seen: dict[str, int] = {}
    times = {}
    for row_id, layer in rows:
        days = offsets.get(layer, [0])
        k = seen.get(layer, 0)
        seen[layer] = k + 1
        when = today - timedelta(days=days[min(k, len(days) - 1)], minutes=rng.randint(0, 400))
        times[row_id] = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    store.redate_log(times)


def _review_some(store: Store) -> None:
    """A reviewer accepted the agreed rows of two articles and marked one done."""
    from annotator.core.review import build_rows, undecided_rows
    from annotator.project import gold

    for n, article_id in enumerate(store.article_ids()[:2]):
        rows, _ = build_rows(store, article_id)
        gold.accept_agreed(store, article_id, rows, "lead")
        if n == 0:
            for row in undecided_rows(store, article_id):
                (gold.accept if row.majority() else gold.remove)(store, article_id, row, "lead")
            if not gold.done_problems(store, article_id):
                gold.mark_done(store, article_id, "lead")


if __name__ == "__main__":  # pragma: no cover
    import sys

    s = build_demo_db(sys.argv[1] if len(sys.argv) > 1 else "/tmp/annotator-demo.db")
    print(json.dumps({"articles": s.article_count(), "annotators": s.annotators(True)}))

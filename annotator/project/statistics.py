"""Project statistics, read from the store with a few aggregate queries: `annotator stats` and the
window's dashboard.

- database_figures: what `annotator stats` prints (every layer, entities per label and status,
  quotes per status);
- layer_progress: per annotator and the gold, how many articles are done / in progress, of all;
- done per day: when each layer that is done now was first marked done (edit log; the
  layer's `updated` time when the log has no such row, e.g. an old database);
- label counts: accepted entities per label and annotator (the decisions, as agreement counts);
- speaker stances: the stance of quotes per speaker (a person's mentions grouped: project.speakers);
- suggestion outcomes: per model/rule source, how many of its suggestions the annotators
  accepted, rejected or left pending, and how many entities they added by hand."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from annotator.core.model import GOLD_LAYER, MODEL_LAYER
from annotator.core.store import Store
from annotator.project.speakers import group_speakers

ALL = "*"  # every annotator layer


def people(store: Store) -> list[str]:
    """Annotator layers (not the model, the gold or conflict layers kept by a merge)."""
    return [name for name in store.annotators() if "@" not in name]


DONE, IN_PROGRESS, DIRECT = "status = 'done'", "status = 'in_progress'", "kind = 'direct'"


def _count_if(condition: str) -> str:
    """SQL counting the rows of a group where `condition` holds (on every backend)."""
    return f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def status_counts(store: Store) -> dict[str, dict[str, int]]:
    """{layer: {"done": n, "in_progress": n}} for every layer that some article has."""
    return {name: {"done": done, "in_progress": in_progress}
            for name, done, in_progress in store.db.execute(
                f"SELECT annotator, {_count_if(DONE)}, {_count_if(IN_PROGRESS)} "
                "FROM layers GROUP BY annotator")}


def layer_progress(store: Store) -> dict[str, dict[str, int]]:
    """{layer: {"done": n, "in_progress": n, "total": articles}} for annotators and the gold."""
    total = store.article_count()
    counts = status_counts(store)
    names = [*people(store), *([GOLD_LAYER] if GOLD_LAYER in counts else [])]
    return {name: {**counts.get(name, {"done": 0, "in_progress": 0}), "total": total} for name in names}


def database_figures(store: Store) -> dict:
    """Figures of a database: articles, done per layer, spans per label and status, quotes."""
    labels: dict = {}
    for annotator, label, status, n in store.db.execute(
            "SELECT annotator, label, status, count(*) FROM entities GROUP BY annotator, label, status"):
        labels.setdefault(annotator, {}).setdefault(label, {})[status] = n
    quotes: dict = {}
    for annotator, status, n, with_speaker, with_stance, direct in store.db.execute(
            f"SELECT annotator, status, count(*), {_count_if('speaker_start IS NOT NULL')}, "
            f"{_count_if('stance IS NOT NULL')}, {_count_if(DIRECT)} FROM quotes GROUP BY annotator, status"):
        quotes.setdefault(annotator, {})[status] = {
            "quotes": n, "direct": direct, "indirect": n - direct, "with_speaker": with_speaker,
            "without_speaker": n - with_speaker, "with_stance": with_stance, "without_stance": n - with_stance}
    return {"database": store.label, "articles": store.article_count(), "layers": status_counts(store),
            "entities": labels, "quotes": quotes}


def done_per_day(store: Store) -> dict[str, list[tuple[date, int]]]:
    """{layer: [(day, articles first marked done that day), …]} in day order."""
    rows = store.db.execute(
        f"""SELECT l.annotator, substr(COALESCE(
               (SELECT min(e.ts) FROM edit_log e WHERE e.article_id = l.article_id AND e.layer = l.annotator
                AND e.action = 'set' AND e.target = 'layer' AND {store.json_text('e.after', 'status')} = 'done'),
               l.updated), 1, 10) AS day
           FROM layers l WHERE l.status = 'done' AND l.annotator != ?""", [MODEL_LAYER]).fetchall()
    per: dict[str, Counter] = defaultdict(Counter)
    keep = set(people(store)) | {GOLD_LAYER}
    for name, day in rows:
        if name in keep and day:
            per[name][date.fromisoformat(day)] += 1
    order = sorted(per, key=lambda name: (name.startswith("@"), name))  # people first, then the gold
    return {name: sorted(per[name].items()) for name in order}


def cumulative(points: list[tuple[date, int]]) -> list[tuple[date, int]]:
    total, out = 0, []
    for day, n in points:
        total += n
        out.append((day, total))
    return out


def label_counts(store: Store) -> dict[str, dict[str, int]]:
    """{layer: {label: accepted entities}} for annotators and the gold (labels in config order)."""
    out = {}
    for name in [*people(store), GOLD_LAYER]:
        counts = dict(store.db.execute(
            "SELECT label, count(*) FROM entities WHERE annotator = ? AND status = 'accepted' GROUP BY label",
            [name]).fetchall())
        if name == GOLD_LAYER and not counts:
            continue
        labels = [*store.config.label_names, *sorted(set(counts) - set(store.config.label_names))]
        out[name] = {label: counts.get(label, 0) for label in labels}
    return out


def speaker_stances(store: Store, layer: str = ALL, top: int = 10) -> list[tuple[str, dict[str, int]]]:
    """The `top` most quoted speakers with their quotes per stance (None: no stance given), most
    quoted first. layer: one layer, or ALL annotator layers (each annotator's quote counts).
    A speaker's mentions count as one (project.speakers: "Guterres" joins "Antonio Guterres")."""
    names = people(store) if layer == ALL else [layer]
    if not names:
        return []
    marks = ",".join("?" * len(names))
    quoted = f"q.annotator IN ({marks}) AND q.status = 'accepted' AND q.speaker_start IS NOT NULL"
    rows = store.db.execute(
        f"""SELECT q.article_id, substr(a.text, q.speaker_start + 1, q.speaker_end - q.speaker_start), q.stance
            FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {quoted}""", names).fetchall()
    person_names: dict[str, list[str]] = defaultdict(list)
    if "PERSON" in store.config.label_names:
        for article_id, text in store.db.execute(
                f"""SELECT DISTINCT e.article_id, substr(a.text, e.start + 1, e."end" - e.start)
                    FROM entities e JOIN articles a ON a.id = e.article_id
                    WHERE e.annotator IN ({marks}) AND e.label = 'PERSON' AND e.status = 'accepted'
                      AND e.article_id IN (SELECT q.article_id FROM quotes q WHERE {quoted})""",
                [*names, *names]).fetchall():
            person_names[article_id].append(text)
    speaker_of = group_speakers([(article_id, text) for article_id, text, _ in rows], person_names)
    by_speaker: dict[str, Counter] = defaultdict(Counter)
    for article_id, text, stance in rows:
        by_speaker[speaker_of[(article_id, text)]][stance] += 1
    ranked = sorted(by_speaker.items(), key=lambda kv: (-sum(kv[1].values()), kv[0].casefold()))[:top]
    return [(name, dict(counts)) for name, counts in ranked]


def suggestion_outcomes(store: Store) -> list[dict]:
    """One row per (what, source, model): suggestions in annotator layers by their fate.
    acceptance = accepted / (accepted + rejected): how often people agreed with the suggester."""
    names = people(store)
    if not names:
        return []
    marks = ",".join("?" * len(names))
    out = []
    for what, table in (("entities", "entities"), ("quotes", "quotes")):
        rows = store.db.execute(
            f"""SELECT source, COALESCE(model, ''), status, count(*) FROM {table}
                WHERE annotator IN ({marks}) GROUP BY source, COALESCE(model, ''), status""", names).fetchall()
        groups: dict[tuple, Counter] = defaultdict(Counter)
        human = 0
        for source, model, status, n in rows:
            if source == "human":
                human += n if status == "accepted" else 0
                continue
            groups[(source, model)][status] += n
        for (source, model), c in sorted(groups.items()):
            decided = c["accepted"] + c["rejected"]
            out.append({"what": what, "source": source, "model": model or "—", "accepted": c["accepted"],
                        "rejected": c["rejected"], "pending": c["suggested"],
                        "acceptance": c["accepted"] / decided if decided else None})
        out.append({"what": what, "source": "human", "model": "added by hand", "accepted": human, "rejected": 0,
                    "pending": 0, "acceptance": None})
    return out

"""The rows of the gold review: every distinct entity, quote and the article stance across the
layers of one article, with each layer's version; which rows the reviewer has decided; and the
rule that reopens a done gold when new versions arrive. Pure Python (no Qt).

A row is a group of items that the agreement measures would pair up: entities that overlap
(any label), quotes whose intersection covers half of the longer one (`agreement.quotes_overlap`).
A layer's *version* of a row is the tuple of its items in the group (usually one, none when
the layer lacks it). Annotator layers count with their accepted items (their decisions), the
model layer with its suggestions, the gold layer with everything not rejected.

Decided rows: a row is decided when the gold holds an accepted version of it, or the reviewer
removed it from the gold (the removed items stay in `@gold` with status `rejected`, so the
decision is stored), or nobody proposes it (no annotator has a version, and the model has none
either unless annotators exist, i.e. they all rejected its suggestion). The article-stance row
is not part of this rule. Gold can only be marked done when every row is decided."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotator.core.agreement import entities_overlap, quotes_overlap
from annotator.core.model import GOLD_LAYER, MODEL_LAYER, Entity, Layer, Quote
from annotator.core.store import Store

# row states
AGREE = "agree"  # every annotator has the same version
PARTIAL = "partial"  # those who have it agree, some do not have it
CONFLICT = "conflict"  # annotators give different versions
MODEL_ONLY = "model"  # only the model suggests it
GOLD_ONLY = "gold"  # only the gold layer has it
EMPTY = "empty"  # nobody has it (the article stance when no layer set one)


def item_key(item) -> tuple:
    """What must be equal for two layers to give the same version of an item."""
    if isinstance(item, Entity):
        return ("entity", item.start, item.end, item.label)
    if isinstance(item, Quote):
        ref = lambda r: (r.start, r.end) if r else None  # noqa: E731
        return ("quote", item.start, item.end, item.kind, ref(item.speaker), ref(item.cue), item.stance)
    return ("stance", item)


def version_key(version: tuple | None) -> tuple | None:
    return None if not version else tuple(sorted(item_key(x) for x in version))


@dataclass
class Row:
    kind: str  # "article", "entity" or "quote"
    start: int
    end: int
    versions: dict[str, tuple]  # layer -> its items in this row (empty: the layer lacks it)
    gold: tuple = ()  # the gold layer's items (for the article row: (stance,) or ())
    annotators: list[str] = field(default_factory=list)  # the human layers shown
    removed: tuple = ()  # gold items the reviewer removed (status rejected): the row is decided as absent

    def key(self, layer: str) -> tuple | None:
        return version_key(self.versions.get(layer))

    @property
    def gold_key(self) -> tuple | None:
        return version_key(self.gold)

    def majority(self) -> str | None:
        """The layer whose version most annotators gave (ties: the first column); the model's
        when no annotator has one; None when nobody has a version."""
        counts = Counter(self.key(name) for name in self.annotators if self.key(name) is not None)
        if counts:
            best = max(counts.values())
            for name in self.annotators:
                if self.key(name) is not None and counts[self.key(name)] == best:
                    return name
        if self.versions.get(MODEL_LAYER):
            return MODEL_LAYER
        return None

    @property
    def state(self) -> str:
        keys = [self.key(name) for name in self.annotators]
        present = {k for k in keys if k is not None}
        if not present:
            if self.versions.get(MODEL_LAYER):
                return MODEL_ONLY
            return GOLD_ONLY if self.gold else EMPTY
        if len(present) > 1:
            return CONFLICT
        return AGREE if all(k is not None for k in keys) else PARTIAL

    @property
    def decision_key(self) -> tuple | None:
        """The gold's decision: its accepted version (None: absent, or not decided)."""
        return version_key(tuple(x for x in self.gold if x.status == "accepted"))

    @property
    def decided(self) -> bool:
        """The reviewer decided the row (see the module doc); the article row always counts as decided."""
        if self.kind == "article" or self.removed or any(x.status == "accepted" for x in self.gold):
            return True
        if any(self.versions.get(name) for name in self.annotators):
            return False
        return not (self.versions.get(MODEL_LAYER) and not self.annotators) and not self.gold

    @property
    def in_gold(self) -> bool:
        """The gold holds the majority version."""
        name = self.majority()
        return name is not None and self.gold_key == self.key(name)


def human_layers(store: Store, article_id: str) -> list[str]:
    """Layers of people that hold decisions on the article: annotators first, then conflict
    layers kept by a merge (name@db); layers only opened (nothing decided) are left out."""
    names = []
    for name in store.layers_of(article_id):
        if name.startswith("@"):
            continue
        layer = store.get_layer(article_id, name)
        if layer.status == "done" or layer.stance is not None or any(
                x.status == "accepted" for x in (*layer.entities, *layer.quotes)):
            names.append(name)
    return sorted(names, key=lambda n: ("@" in n, n))


def _visible(layer: Layer, name: str) -> tuple[list[Entity], list[Quote]]:
    """A layer's items that form its versions: decisions (accepted) of people; suggestions of the
    model and everything of the gold, as long as not rejected."""
    if name in (MODEL_LAYER, GOLD_LAYER):
        keep = lambda x: x.status != "rejected"  # noqa: E731
    else:
        keep = lambda x: x.status == "accepted"  # noqa: E731
    return [e for e in layer.entities if keep(e)], [q for q in layer.quotes if keep(q)]


def _group(items: list[tuple[str, object]], linked) -> list[list[tuple[str, object]]]:
    """Connected groups of (layer, item) where linked(a, b) joins two items."""
    items = sorted(items, key=lambda x: (x[1].start, x[1].end))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[j][1].start >= items[i][1].end:
                break  # sorted by start: nothing further overlaps item i
            if linked(items[i][1], items[j][1]):
                parent[find(j)] = find(i)
    groups: dict[int, list] = {}
    for i, item in enumerate(items):
        groups.setdefault(find(i), []).append(item)
    return list(groups.values())


def build_rows(store: Store, article_id: str, layers: list[str] | None = None) -> tuple[list[Row], list[str]]:
    """(rows in text order, the version columns: human layers then `@model` if it has suggestions)."""
    humans = human_layers(store, article_id) if layers is None else [n for n in layers if n != MODEL_LAYER]
    loaded = {name: store.get_layer(article_id, name) for name in humans}
    model = store.get_layer(article_id, MODEL_LAYER)
    columns = list(humans)
    if any(x.status != "rejected" for x in (*model.entities, *model.quotes)):
        loaded[MODEL_LAYER] = model
        columns.append(MODEL_LAYER)
    gold = store.get_layer(article_id, GOLD_LAYER)
    sources = {**loaded, GOLD_LAYER: gold}
    removed = [("", x) for x in (*gold.entities, *gold.quotes) if x.status == "rejected"]

    rows = [Row("article", -1, -1, {name: (layer.stance,) if layer.stance else () for name, layer in loaded.items()},
                (gold.stance,) if gold.stance else (), humans)]
    entities, quotes = [], []
    for name, layer in sources.items():
        e, q = _visible(layer, name)
        entities += [(name, x) for x in e]
        quotes += [(name, x) for x in q]
    entities += [item for item in removed if isinstance(item[1], Entity)]
    quotes += [item for item in removed if isinstance(item[1], Quote)]
    same_entity = lambda a, b: entities_overlap((a.start, a.end), (b.start, b.end))  # noqa: E731
    groups = [("entity", g) for g in _group(entities, same_entity)]
    groups += [("quote", g) for g in _group(quotes, lambda a, b: quotes_overlap((a.start, a.end), (b.start, b.end)))]
    for kind, members in groups:
        if all(n == "" for n, _ in members):
            continue  # only a removal the reviewer made earlier: nothing left to show
        versions = {name: tuple(x for n, x in members if n == name) for name in columns}
        row = Row(kind, min(x.start for _, x in members), max(x.end for _, x in members), versions,
                  tuple(x for n, x in members if n == GOLD_LAYER), humans,
                  tuple(x for n, x in members if n == ""))
        rows.append(row)
    rows[1:] = sorted(rows[1:], key=lambda r: (r.start, r.kind != "quote", r.end))
    return rows, columns


def reference(row: Row) -> tuple:
    """The version a row is shown by: the majority's, else the gold's."""
    name = row.majority()
    return row.versions[name] if name else row.gold


def undecided_rows(store: Store, article_id: str) -> list[Row]:
    """The rows of the article the reviewer has not decided yet."""
    return [row for row in build_rows(store, article_id)[0] if not row.decided]


REOPENED = "gold reopened"  # how the comment of a reopened gold layer starts


def reopen_gold(store: Store, article_id: str, layers: list[str], reason: str, actor: str) -> int:
    """When the gold of the article is done and one of `layers` (versions just brought by a merge or
    an import) gives another version than the gold on some row, put the gold back in progress,
    flagged, with the reason in its comment. Returns how many rows differ (0: nothing changed)."""
    gold = store.get_layer(article_id, GOLD_LAYER)
    if gold.status != "done":
        return 0
    rows, columns = build_rows(store, article_id)
    new = [name for name in layers if name in columns and not name.startswith("@")]
    differ = [row for row in rows if any(
        (row.key(name) != row.decision_key) if row.kind != "article"
        else (row.key(name) is not None and row.key(name) != version_key(row.gold)) for name in new)]
    if not differ:
        return 0
    note = (f"{REOPENED}: {reason} brought {len(differ)} row{'s' if len(differ) != 1 else ''} that differ from the "
            f"gold ({', '.join(new)})")
    with store.transaction():
        store.set_status(article_id, GOLD_LAYER, "in_progress", actor=actor)
        store.set_comment(article_id, GOLD_LAYER, f"{gold.comment}\n{note}".strip(), True, actor=actor)
    return len(differ)

"""Merge the database of an annotator who worked on another machine into this one.

Rules
- Articles are matched by the hash of their text. An article this database lacks is added
  with the other database's tokens (under its id; `id~hash` if the id is taken here by a
  different text).
- Every layer of the other database (annotators, `@model`, `@gold`) is copied with its
  entities, quotes, status, answer, article stance, comment and flag.
- Human work is never overwritten. When this database already has the same layer for the
  article:
    * same content: nothing to do (so merging the same file twice changes nothing);
    * different content: this database's layer stays as it is and the other one is kept
      beside it as a *conflict layer* `NAME@OTHER` (OTHER = the other file's name without
      extension; `NAME@OTHER.2`, … when that name is taken by yet another version). The
      summary lists each conflict; a reviewer resolves it into `@gold`.
  A layer that holds no human work (opened, never touched: status `new`, only pending
  suggestions, no stance, comment or flag) is not work to keep: an untouched layer of the
  other database is skipped, and an untouched layer here is replaced by the other's worked
  one (its removed rows are written to the edit log).
- The other database is checked whole before anything is written: integrity, schema version
  (a newer one is refused), every column this version reads. The merge is one transaction: any
  fault in its middle rolls all of it back (MergeError). Within it, an article whose layers
  cannot all be stored (e.g. spans not on this database's token boundaries) is left out whole
  and reported as a problem.
- A layer whose content this database already holds for the article, under its name or as a
  conflict layer of the same annotator, is not added again (merging back and forth adds no copies).
- The edit log receives, for every layer merged, the other database's history of that layer
  (original time and actor, so progress charts stay true) and one `merge` row.
- A done gold article (`@gold`) that receives versions differing from its gold goes back in
  progress, flagged, with the reason in its comment (core.review.reopen_gold); the summary
  lists it.
- The project configurations must be compatible: labels, stance labels or quote kinds that
  the other database uses but this one does not know stop the merge before anything is
  written (MergeError). Fewer labels there, or a different target, are warnings.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from annotator.core.config import ProjectConfig
from annotator.core.model import Layer
from annotator.core.review import reopen_gold
from annotator.core.store import SCHEMA_VERSION, Store, StoreError, connect_read_only, text_hash

ACTOR = "@merge"


class MergeError(StoreError):
    """The databases cannot be merged; nothing was written."""


@dataclass(frozen=True)
class Conflict:
    article_id: str
    layer: str  # the layer both databases hold with different content
    kept_as: str  # where the other database's version was stored


@dataclass
class MergeSummary:
    source: str
    articles: int = 0  # articles in the other database
    articles_added: int = 0
    layers_added: int = 0
    layers_unchanged: int = 0
    layers_replaced: int = 0  # untouched layers here replaced by worked ones
    layers_skipped: int = 0  # untouched layers of the other database
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gold_reopened: list[str] = field(default_factory=list)  # done gold articles put back in progress

    @property
    def changed(self) -> bool:
        return bool(self.articles_added or self.layers_added or self.layers_replaced or self.conflicts)

    def line(self) -> str:
        text = (f"merged {self.articles} articles from {self.source}: {self.articles_added} new, "
                f"{self.layers_added} layers added, {self.layers_unchanged} unchanged, "
                f"{self.layers_replaced} untouched replaced, {self.layers_skipped} untouched skipped, "
                f"{len(self.conflicts)} conflicts kept, {len(self.problems)} problems")
        if self.conflicts:
            shown = ", ".join(f"{c.article_id}: {c.layer} -> {c.kept_as}" for c in self.conflicts[:5])
            text += f" ({shown}{', …' if len(self.conflicts) > 5 else ''})"
        if self.gold_reopened:
            text += (f"\n  the gold of {len(self.gold_reopened)} done article(s) was reopened (new versions differ): "
                     + ", ".join(self.gold_reopened[:10]) + (", …" if len(self.gold_reopened) > 10 else ""))
        for message in self.warnings + self.problems:
            text += f"\n  {message}"
        return text


# ---- configuration ----------------------------------------------------------------------------
def config_differences(mine: ProjectConfig, theirs: ProjectConfig) -> tuple[list[str], list[str]]:
    """(errors, warnings) of merging data made under `theirs` into a database with `mine`."""
    errors, warnings = [], []
    for what, here, there in (("entity labels", mine.label_names, theirs.label_names),
                              ("stance labels", mine.stance_names, theirs.stance_names),
                              ("quote kinds", list(mine.quote_kinds), list(theirs.quote_kinds))):
        unknown = [x for x in there if x not in here]
        if unknown:
            errors.append(f"{what} differ: the other database has {', '.join(unknown)} which this one does not "
                          f"know (here: {', '.join(here)}; there: {', '.join(there)})")
        missing = [x for x in here if x not in there]
        if missing and not unknown:
            warnings.append(f"the other database does not use the {what} {', '.join(missing)}")
    if mine.target != theirs.target:
        warnings.append(f"stance target differs: here {mine.target!r}, there {theirs.target!r}")
    return errors, warnings


# ---- layer content ----------------------------------------------------------------------------
def _ref(ref) -> list | None:
    return [ref.start, ref.end, ref.label] if ref else None


def layer_content(layer: Layer) -> tuple:
    """What a layer holds, without row ids and timestamps: equal content = the same work."""
    entities = sorted(json.dumps([e.start, e.end, e.label, e.source, e.status, e.score, e.model])
                      for e in layer.entities)
    quotes = sorted(json.dumps([q.start, q.end, q.kind, _ref(q.speaker), _ref(q.cue), q.stance, q.source,
                                q.status, q.score, q.model]) for q in layer.quotes)
    return (tuple(entities), tuple(quotes), layer.status, layer.stance, layer.answer, layer.comment,
            bool(layer.flagged))


def is_untouched(layer: Layer) -> bool:
    """Opened but never worked on: nothing in it is a human decision."""
    return (layer.status == "new" and layer.stance is None and not layer.answer and not layer.comment
            and not layer.flagged and all(x.is_pending for x in (*layer.entities, *layer.quotes)))


def _suffix(path: Path) -> str:
    """The other file's name as a layer-name suffix: `bob` for /data/bob.db."""
    return re.sub(r"[^\w.-]+", "_", path.stem).strip("._") or "other"


# ---- writing ----------------------------------------------------------------------------------
def _copy_layer(store: Store, article_id: str, name: str, layer: Layer) -> None:
    """Write `layer` as layer `name` of `article_id` (which has no such layer yet) via the Store API."""
    for item in (*layer.entities, *layer.quotes):
        store.add_item(item.with_changes(id=None, article_id=article_id, annotator=name), actor=ACTOR)
    current = store.get_layer(article_id, name)
    if not store.has_layer(article_id, name) or current.status != layer.status:
        current = store.set_status(article_id, name, layer.status, actor=ACTOR)
    if current.answer != layer.answer:
        store.set_answer(article_id, name, layer.answer, actor=ACTOR)
    if layer.stance is not None:
        store.set_article_stance(article_id, name, layer.stance, actor=ACTOR)
    if layer.comment or layer.flagged:
        store.set_comment(article_id, name, layer.comment, layer.flagged, actor=ACTOR)


def _copy_history(store: Store, other: Store, other_article: str, article_id: str, other_layer: str,
                  name: str) -> int:
    rows = other.db.execute(
        "SELECT ts, actor, action, target, before, after FROM edit_log WHERE article_id = ? AND layer = ? "
        "ORDER BY id", [other_article, other_layer]).fetchall()
    return store.copy_history(article_id, name, rows)


def _target_article(store: Store, other: Store, other_id: str, summary: MergeSummary) -> str:
    """This database's id of the other database's article, adding the article if needed."""
    article = other.get_article(other_id)
    digest = article.text_hash or text_hash(article.text)
    found = store.find_by_hash(digest)
    if found:
        return found
    new_id = article.id
    if store.db.execute("SELECT 1 FROM articles WHERE id = ?", [new_id]).fetchone():
        new_id = f"{article.id}~{digest[:8]}"
        summary.warnings.append(f"article {article.id}: the id is taken here by another text; added as {new_id}")
    store.add_article(new_id, article.text, title=article.title, source=article.source, date=article.date,
                      url=article.url, meta=article.meta, tokens=list(article.tokens), actor=ACTOR)
    summary.articles_added += 1
    return new_id


def _owner(name: str) -> str:
    """Whose work a layer holds: `alice` for alice, alice@bob and alice@bob.2; `@gold` for @gold@bob."""
    return "@" + name[1:].split("@")[0] if name.startswith("@") else name.split("@")[0]


def _held_here(store: Store, article_id: str, name: str, content: tuple) -> bool:
    """Whether a layer of the same owner here (its own or a conflict layer) holds this content."""
    return any(_owner(mine) == _owner(name) and layer_content(store.get_layer(article_id, mine)) == content
               for mine in store.layers_of(article_id) if mine != name)


def _merge_layer(store: Store, other: Store, other_id: str, article_id: str, name: str, suffix: str,
                 source: str, summary: MergeSummary) -> str | None:
    """Bring one layer over; returns the layer it was stored as (None: nothing was written)."""
    layer = other.get_layer(other_id, name)
    if is_untouched(layer):
        summary.layers_skipped += 1  # nothing of a person's work to bring over
        return None
    content = layer_content(layer)
    if _held_here(store, article_id, name, content):
        summary.layers_unchanged += 1  # a merge back of work this database already keeps
        return None
    dest = name
    if not store.has_layer(article_id, name):
        summary.layers_added += 1
    else:
        mine = store.get_layer(article_id, name)
        if layer_content(mine) == content:
            summary.layers_unchanged += 1
            return None
        if is_untouched(mine):
            store.delete_layer(article_id, name, actor=ACTOR, action="replace_untouched")
            summary.layers_replaced += 1
        else:
            dest = _conflict_layer(store, article_id, name, suffix, content)
            if dest is None:
                summary.layers_unchanged += 1  # this conflict was kept by an earlier merge
                return None
            summary.conflicts.append(Conflict(article_id, name, dest))
    _copy_history(store, other, other_id, article_id, name, dest)
    _copy_layer(store, article_id, dest, layer)
    store.log_event(ACTOR, article_id, dest, "merge", "layer",
                    after={"from": source, "article": other_id, "layer": name, "as": dest,
                           "entities": len(layer.entities), "quotes": len(layer.quotes), "status": layer.status})
    return dest


def _conflict_layer(store: Store, article_id: str, name: str, suffix: str, content: tuple) -> str | None:
    """A free name NAME@SUFFIX[.n] for the other version, or None if it is already kept under one."""
    n = 1
    while True:
        candidate = f"{name}@{suffix}" + (f".{n}" if n > 1 else "")
        if not store.has_layer(article_id, candidate):
            return candidate
        if layer_content(store.get_layer(article_id, candidate)) == content:
            return None
        n += 1


def _merge_articles(store: Store, other: Store, other_ids: list[str], path: Path, suffix: str,
                    summary: MergeSummary, progress, cancelled) -> None:
    """Merge each article in a savepoint of the merge's transaction."""
    for done, other_id in enumerate(other_ids, 1):
        if cancelled and cancelled():
            summary.problems.append(f"{path}: cancelled after {done - 1} of {len(other_ids)} articles")
            break
        before = (summary.articles_added, summary.layers_added, summary.layers_unchanged,
                  summary.layers_replaced, summary.layers_skipped, len(summary.conflicts), len(summary.warnings))
        try:
            with store.transaction():
                article_id = _target_article(store, other, other_id, summary)
                brought = [_merge_layer(store, other, other_id, article_id, name, suffix, str(path), summary)
                           for name in other.layers_of(other_id)]
                if reopen_gold(store, article_id, [b for b in brought if b], f"the merge of {path.name}", ACTOR):
                    summary.gold_reopened.append(article_id)
        except StoreError as exc:
            if not store.db.conn.in_transaction:
                raise  # SQLite rolled back the whole merge (disk full …)
            # the article's savepoint was rolled back: undo its counts too
            (summary.articles_added, summary.layers_added, summary.layers_unchanged, summary.layers_replaced,
             summary.layers_skipped) = before[:5]
            del summary.conflicts[before[5]:]
            del summary.warnings[before[6]:]
            summary.problems.append(f"{path}: article {other_id} not merged: {exc}")
        if progress:
            progress(done, len(other_ids))


def _check_source(store: Store, path: Path) -> None:
    """Refuse a database that cannot be merged whole: damaged, newer, or lacking a column read here."""
    try:
        conn = connect_read_only(path)
    except (sqlite3.Error, StoreError) as exc:
        raise MergeError(f"{path}: cannot be opened ({exc})") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise MergeError(f"{path}: not an annotator database")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise MergeError(f"{path}: not an annotator database")
        if int(row[0]) > SCHEMA_VERSION:
            raise MergeError(f"{path}: made by a newer annotator (schema {row[0]} > {SCHEMA_VERSION}); "
                             "update annotator here first")
        for table in ("articles", "annotators", "layers", "entities", "quotes", "edit_log"):
            needed = [c for c in Store.COPIED_TABLES[table] if c != "version"]  # row versions are this database's own
            present = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            missing = [c for c in needed if c not in present]
            if missing:
                raise MergeError(f"{path}: table {table} lacks the column(s) {', '.join(missing)}; "
                                 "it is not a complete annotator database")
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise MergeError(f"{path}: the database is damaged ({'; '.join(problems)}); nothing merged. "
                             "Ask for a fresh copy, or repair it with `sqlite3 FILE .recover`")
    except sqlite3.DatabaseError as exc:
        raise MergeError(f"{path}: the database is damaged or not a database ({exc}); nothing merged") from None
    finally:
        conn.close()


def merge_databases(
    store: Store,
    other_path: str | os.PathLike,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MergeSummary:
    """Merge the database at `other_path` into `store` (rules in the module doc).

    Raises MergeError when the file is not a database, is this database, or its configuration
    is incompatible; otherwise problems of single articles are collected in the summary."""
    path = Path(other_path)
    summary = MergeSummary(source=str(path))
    if not path.is_file():
        raise MergeError(f"{path}: no such database file")
    if store.path != ":memory:" and Path(store.path).exists() and path.resolve() == Path(store.path).resolve():
        raise MergeError(f"{path}: cannot merge a database into itself")
    if not store.writable:
        raise MergeError(f"{store.path}: the database is read-only; nothing merged")
    _check_source(store, path)
    try:
        other = Store(path, read_only=True)
    except (StoreError, sqlite3.Error) as exc:
        raise MergeError(f"{path}: cannot be read as an annotator database ({exc})") from None
    try:
        errors, warnings = config_differences(store.config, other.config)
        if errors:
            raise MergeError(f"{path}: cannot merge, the project configurations differ:\n  " + "\n  ".join(errors))
        summary.warnings += [f"{path}: {w}" for w in warnings]
        suffix = _suffix(path)
        other_ids = other.article_ids()
        summary.articles = len(other_ids)
        try:
            with store.transaction():
                _merge_articles(store, other, other_ids, path, suffix, summary, progress, cancelled)
        except (sqlite3.Error, KeyError, TypeError, ValueError, StoreError) as exc:
            raise MergeError(f"{path}: the merge failed, nothing was merged: {exc}") from None
    finally:
        other.close()
    return summary

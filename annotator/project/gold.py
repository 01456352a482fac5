"""Writing the reviewer's decisions into the gold layer `@gold`. No Qt here.

Each function is one action of the review and one transaction of the store (all Store API
calls inside nest as savepoints); the reviewer's name is the actor of the edit-log rows.
Removing a row from the gold keeps its items there as `rejected`, so the decision is stored
(core.review: decided rows). The gold of an article is only marked done when every row is
decided and its quotes are consistent (speakers and cues resolve to spans of the gold).

`decide` runs any of these as one review decision and returns a GoldEdit (the gold layer before
and after it, and the store's ChangeSet); `undo` and `redo` write the layer back through the
store, so a review decision can be taken back like an annotation edit.

Every decision writes onto the versions of the gold items the reviewer read (Row.gold, Row.removed)
and undo or redo onto the gold as the session last wrote it: when another session (the same reviewer
in a second window, or another reviewer) changed them since, the store refuses it with
StaleEditError and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from annotator.core.agreement import entities_overlap, quotes_overlap
from annotator.core.model import GOLD_LAYER, Entity, Layer, Quote
from annotator.core.records import quote_problems
from annotator.core.review import AGREE, Row, reference, undecided_rows, version_key
from annotator.core.store import ChangeSet, StaleEditError, Store, StoreError
from annotator.project.changes import run_recording


class GoldError(StoreError):
    """The action does not apply to the row (nothing was written)."""


def _delete(store: Store, item, actor: str) -> None:
    """Delete a gold item as read (StaleEditError when another session changed or deleted it since)."""
    if isinstance(item, Entity):
        store.delete_or_reject_entity(item.id, actor=actor, version=item.version)
    else:
        store.delete_or_reject_quote(item.id, actor=actor, version=item.version)


def _add(store: Store, article_id: str, item, actor: str, status: str = "accepted") -> None:
    if isinstance(item, (Entity, Quote)):
        store.add_item(item.with_changes(id=None, article_id=article_id, annotator=GOLD_LAYER, status=status),
                       actor=actor)


def _stale_row(store: Store, article_id: str, row: Row, what: str, item_id: int | None,
               current: int | None) -> None:
    """Raise the StaleEditError for a row whose gold another session changed since it was read."""
    last = next((r for r in store.edit_log(article_id, limit=200) if r["layer"] == GOLD_LAYER and (
        r["target"] == ("layer" if row.kind == "article" else row.kind)) and r["target_id"] == item_id), None)
    who = f" by {last['actor']} at {last['ts']}" if last else ""
    raise StaleEditError(f"{article_id}: {what} of the gold was changed{who} since you read it; your decision was "
                         "not stored: reload the article to see theirs", target="layer" if row.kind == "article"
                         else row.kind, target_id=item_id, seen=None, current=current,
                         actor=last["actor"] if last else None, ts=last["ts"] if last else None)


def _check_row(store: Store, article_id: str, row: Row) -> None:
    """StaleEditError when the gold of the row is no longer what the reviewer read: another session
    set the gold article stance, or put an item into the row (its changes and deletions of the items
    read are refused by their versions)."""
    layer = store.get_layer(article_id, GOLD_LAYER)
    if row.kind == "article":
        if layer.stance != (row.gold[0] if row.gold else None):
            _stale_row(store, article_id, row, "the article stance", None, layer.version)
        return
    known = {x.id for x in (*row.gold, *row.removed)}
    members = [(x.start, x.end) for version in (*row.versions.values(), row.gold, row.removed) for x in version]
    items, linked = (layer.entities, entities_overlap) if row.kind == "entity" else (layer.quotes, quotes_overlap)
    for item in items:
        if item.id not in known and any(linked((item.start, item.end), span) for span in members):
            _stale_row(store, article_id, row, f"{row.kind} #{item.id} (in the row you decided)", item.id,
                       item.version)


def _write_version(store: Store, article_id: str, row: Row, version: tuple, actor: str) -> bool:
    """Make `version` the gold of the row; an empty version records the removal (rejected items).
    StaleEditError (see _check_row) when another session changed the gold of the row since."""
    _check_row(store, article_id, row)
    if row.kind == "article":
        if version_key(version) == row.gold_key:
            return False
        store.set_article_stance(article_id, GOLD_LAYER, version[0] if version else None, actor=actor)
        return True
    if version_key(version) == row.gold_key and all(x.status == "accepted" for x in row.gold) and (
            version or row.removed):
        return False
    for item in (*row.gold, *row.removed):
        _delete(store, item, actor)
    for item in version:
        _add(store, article_id, item, actor)
    if not version:  # keep what was removed as rejected: the row stays decided
        for item in (row.gold or reference(row)):
            _add(store, article_id, item, actor, status="rejected")
    return True


def _update_gold(store: Store, row: Row, kind: str, field: str, value, actor: str) -> bool:
    """Set `field` of the row's gold items, which must be of `kind` (entity or quote)."""
    if row.kind != kind or not row.gold:
        a_kind = "an entity" if kind == "entity" else "a quote"
        raise GoldError(f"the {field} is set on {a_kind} in gold: accept a version of the {kind} first")
    update = store.update_entity if kind == "entity" else store.update_quote
    with store.transaction():
        for item in row.gold:
            if getattr(item, field) != value:
                update(item.id, actor=actor, version=item.version, **{field: value})
    return True


def take_version(store: Store, article_id: str, row: Row, layer: str, actor: str) -> bool:
    """Make the gold of the row the version of `layer` (nothing, if the layer lacks the row).
    Returns whether anything changed."""
    with store.transaction():
        return _write_version(store, article_id, row, row.versions.get(layer, ()), actor)


def accept(store: Store, article_id: str, row: Row, actor: str) -> bool:
    """Take the majority version of the row (row.majority)."""
    name = row.majority()
    if name is None:
        raise GoldError("no annotator or model has a version of this row")
    return take_version(store, article_id, row, name, actor)


def accept_agreed(store: Store, article_id: str, rows: list[Row], actor: str) -> int:
    """Take every row on which all annotators agree, in one transaction; returns how many changed."""
    changed = 0
    with store.transaction():
        for row in rows:
            if row.state == AGREE:
                changed += _write_version(store, article_id, row, row.versions[row.majority()], actor)
    return changed


def remove(store: Store, article_id: str, row: Row, actor: str) -> bool:
    """Remove the row's items (or the article stance) from the gold; the removal is kept as a
    decision (the items stay in the gold as rejected)."""
    if row.removed and not row.gold or (row.kind == "article" and not row.gold):
        return False
    with store.transaction():
        return _write_version(store, article_id, row, (), actor)


def set_stance(store: Store, article_id: str, row: Row, stance: str | None, actor: str) -> bool:
    """Set the stance of the row's gold quotes, or the gold article stance for the article row."""
    if row.kind == "article":
        with store.transaction():
            return _write_version(store, article_id, row, (stance,) if stance else (), actor)
    return _update_gold(store, row, "quote", "stance", stance, actor)


def set_label(store: Store, article_id: str, row: Row, label: str, actor: str) -> bool:
    """Relabel the row's gold entities."""
    return _update_gold(store, row, "entity", "label", label, actor)


def done_problems(store: Store, article_id: str) -> list[str]:
    """Why the gold of the article cannot be marked done yet (empty: it can)."""
    problems = []
    undecided = undecided_rows(store, article_id)
    if undecided:
        n = len(undecided)
        problems.append(f"{n} row{'s are' if n != 1 else ' is'} not decided yet (N goes to the next one): take a "
                        "version into the gold or remove it (D)")
    layer = store.get_layer(article_id, GOLD_LAYER)
    problems += quote_problems(store.get_article(article_id).text, layer, accepted_only=False)
    return problems


def mark_done(store: Store, article_id: str, actor: str) -> None:
    """Mark the gold of the article done; GoldError (naming how many rows are undecided and every
    inconsistent quote) when it is not complete."""
    problems = done_problems(store, article_id)
    if problems:
        raise GoldError(f"{article_id}: the gold cannot be marked done: " + "; ".join(problems))
    store.set_status(article_id, GOLD_LAYER, "done", actor=actor)


def toggle_done(store: Store, article_id: str, actor: str) -> str:
    """Mark the gold of the article done (or back in progress); returns the new status."""
    if store.get_layer(article_id, GOLD_LAYER).status == "done":
        store.set_status(article_id, GOLD_LAYER, "in_progress", actor=actor)
        return "in_progress"
    mark_done(store, article_id, actor)
    return "done"


# ---- decisions as undoable edits -----------------------------------------------------------------
@dataclass(frozen=True)
class GoldEdit:
    """One stored review decision: the article's gold layer before and after it, what it changed,
    and what the action returned (changed or not, a count, the new status)."""

    article_id: str
    before: Layer
    had_layer: bool
    after: Layer
    changes: ChangeSet
    result: object = None


def decide(store: Store, article_id: str, action: Callable[[], object]) -> GoldEdit:
    """Run one review action (a function of this module, bound to its arguments) as a decision: the
    gold before, the action and the gold after are read and written in one transaction."""
    def run():
        with store.transaction():
            had_layer = store.has_layer(article_id, GOLD_LAYER)
            before = store.get_layer(article_id, GOLD_LAYER)
            result = action()
            return had_layer, before, result, store.get_layer(article_id, GOLD_LAYER)

    (had_layer, before, result, after), changes = run_recording(store, run)
    return GoldEdit(article_id, before, had_layer, after, changes, result)


def undo(store: Store, edit: GoldEdit, actor: str, expected: Layer | None = None) -> tuple[Layer, ChangeSet]:
    """Put the gold layer back as it was before the decision. `expected`: the gold as this session
    last wrote it (default: right after the decision); StaleEditError when another session changed
    it since. Returns the gold as stored now and what changed."""
    return run_recording(store, lambda: store.write_layer(edit.before, exists=edit.had_layer, actor=actor,
                                                          expected=edit.after if expected is None else expected))


def redo(store: Store, edit: GoldEdit, actor: str, expected: Layer) -> tuple[Layer, ChangeSet]:
    """Write the decision's gold layer again (after undo, which returned `expected`); see undo."""
    return run_recording(store, lambda: store.write_layer(edit.after, actor=actor, expected=expected))

"""Writing the reviewer's decisions into the gold layer `@gold`. No Qt here.

Each function is one action of the review and one transaction of the store (all Store API
calls inside nest as savepoints); the reviewer's name is the actor of the edit-log rows."""

from __future__ import annotations

from annotator.core.model import GOLD_LAYER, Entity, Quote
from annotator.core.store import Store, StoreError
from annotator.gui.quality.rows import AGREE, Row, version_key


class GoldError(StoreError):
    """The action does not apply to the row (nothing was written)."""


def _delete(store: Store, item, actor: str) -> None:
    if isinstance(item, Entity):
        store.delete_entity(item.id, actor=actor)
    else:
        store.delete_quote(item.id, actor=actor)


def _add(store: Store, article_id: str, item, actor: str) -> None:
    if isinstance(item, Entity):
        store.add_entity(article_id, GOLD_LAYER, item.start, item.end, item.label, source=item.source,
                         status="accepted", score=item.score, model=item.model, actor=actor)
    elif isinstance(item, Quote):
        store.add_quote(article_id, GOLD_LAYER, item.start, item.end, kind=item.kind, speaker=item.speaker,
                        cue=item.cue, stance=item.stance, source=item.source, status="accepted", score=item.score,
                        model=item.model, actor=actor)


def _write_version(store: Store, article_id: str, row: Row, version: tuple, actor: str) -> bool:
    if version_key(version) == row.gold_key:
        return False
    if row.kind == "article":
        store.set_article_stance(article_id, GOLD_LAYER, version[0] if version else None, actor=actor)
        return True
    for item in row.gold:
        _delete(store, item, actor)
    for item in version:
        _add(store, article_id, item, actor)
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
                update(item.id, actor=actor, **{field: value})
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
    """Remove the row's items (or the article stance) from the gold."""
    if not row.gold:
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


def toggle_done(store: Store, article_id: str, actor: str) -> str:
    """Mark the gold of the article done (or back in progress); returns the new status."""
    status = "in_progress" if store.get_layer(article_id, GOLD_LAYER).status == "done" else "done"
    store.set_status(article_id, GOLD_LAYER, status, actor=actor)
    return status

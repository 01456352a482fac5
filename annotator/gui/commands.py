"""Undoable edits. Each command writes through the store API, and so does its undo.

`Editor` runs a command first (the store write), and only once it is stored pushes it on the
QUndoStack, so the history holds only edits that were saved. A locked database keeps the
edit waiting and retries it; nothing is shown as done before it is stored.

Each command edits the versions of the rows it read (the store's row versions): when another
session of the same annotator changed one of them since, the store refuses the edit as stale
and the window shows what is stored now instead of overwriting it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.model import Entity, Quote
from annotator.core.store import LockedError, ServerUnreachableError, StaleEditError, Store, StoreError
from annotator.gui.state import Touched
from annotator.project import gold

_ENTITY_FIELDS = ("label", "start", "end", "status", "source", "score")
_QUOTE_FIELDS = ("start", "end", "kind", "speaker", "cue", "stance", "status", "source", "score")


def _kind(item: Entity | Quote) -> str:
    return "entity" if isinstance(item, Entity) else "quote"


class StoreCommand(QUndoCommand):
    """An edit of one article's layer: `apply` writes it, `revert` writes its inverse."""

    def __init__(self, text: str, article_id: str):
        super().__init__(text)
        self.article_id = article_id
        self.skip_next = False
        self.store: Store | None = None  # set by the Editor
        #: the version of each row, by (kind, id), that this command read; once run, the Editor's record of
        #: the versions the window read or wrote last (share_versions): it writes only onto those. Review
        #: decisions keep the gold Layer of an article they last wrote, by ("gold", article_id).
        self.seen: dict[tuple[str, object], object] = {}

    def share_versions(self, versions: dict) -> None:
        """Take the Editor's record of versions, adding what this command read (the newest read)."""
        versions.update(self.seen)
        self.seen = versions

    def _saw(self, what: str, key, version: int | None) -> None:
        self.seen[(what, key)] = version

    def _update(self, store: Store, what: str, item_id: int, **changes) -> Entity | Quote:
        """Update an entity or quote (`what`), onto the version last seen."""
        update = store.update_entity if what == "entity" else store.update_quote
        item = update(item_id, version=self.seen.get((what, item_id)), **changes)
        self._saw(what, item_id, item.version)
        return item

    def _delete(self, store: Store, what: str, item_id: int) -> None:
        delete = store.delete_or_reject_entity if what == "entity" else store.delete_or_reject_quote
        self._saw(what, item_id, delete(item_id, version=self.seen.get((what, item_id))).version)

    def _restore(self, store: Store, item: Entity | Quote) -> None:
        """Store a deleted item again (undo of a deletion); the store gives it a version after its last."""
        self._saw("entity" if isinstance(item, Entity) else "quote", item.id, store.add_item(item).version)

    def apply(self, store: Store) -> Touched:
        raise NotImplementedError

    def revert(self, store: Store) -> Touched:
        raise NotImplementedError

    # QUndoStack calls these. The Editor writes first (so a locked or refused write never
    # moves the history) and sets `skip_next`; a direct stack.undo()/redo() still writes.
    def redo(self) -> None:
        if self.skip_next:
            self.skip_next = False
        elif self.store is not None:
            self._direct(self.apply)

    def undo(self) -> None:
        if self.skip_next:
            self.skip_next = False
        elif self.store is not None:
            self._direct(self.revert)

    def _direct(self, step) -> None:
        try:
            step(self.store)
        except StoreError as exc:  # cannot raise through Qt; the Editor path reports errors
            print(f"annotator: {self.text()}: {exc}", file=sys.stderr)


class Macro(StoreCommand):
    """Several edits stored in one transaction (all or nothing) and undone as one."""

    def __init__(self, text: str, article_id: str, children: list[StoreCommand]):
        super().__init__(text, article_id)
        self.children = children
        for child in children:  # what the children read (a row edited by two children: what was read first)
            for key, version in child.seen.items():
                self.seen.setdefault(key, version)

    def share_versions(self, versions: dict) -> None:
        super().share_versions(versions)
        for child in self.children:
            child.seen = versions

    def apply(self, store: Store) -> Touched:
        touched = Touched(self.article_id)
        with store.transaction():
            for child in self.children:
                touched.merge(child.apply(store))
        return touched

    def revert(self, store: Store) -> Touched:
        touched = Touched(self.article_id)
        with store.transaction():
            for child in reversed(self.children):
                touched.merge(child.revert(store))
        return touched


# ---- entities -------------------------------------------------------------------------------
class AddEntity(StoreCommand):
    def __init__(self, article_id: str, annotator: str, start: int, end: int, label: str, text: str = ""):
        super().__init__(text or f"Add {label}", article_id)
        self.annotator, self.start, self.end, self.label = annotator, start, end, label
        self.entity_id: int | None = None

    def apply(self, store: Store) -> Touched:
        entity = store.add_entity(self.article_id, self.annotator, self.start, self.end, self.label,
                                  id=self.entity_id)
        self.entity_id = entity.id
        self._saw("entity", entity.id, entity.version)
        return Touched(self.article_id, entities={entity.id})

    def revert(self, store: Store) -> Touched:
        self._delete(store, "entity", self.entity_id)
        return Touched(self.article_id, entities={self.entity_id})


class DeleteEntity(StoreCommand):
    """Delete an entity; a pending suggestion is rejected instead (it stays stored)."""

    def __init__(self, entity: Entity, text: str = ""):
        pending = entity.is_machine_suggestion
        super().__init__(text or (f"Reject {entity.label}" if pending else f"Delete {entity.label}"), entity.article_id)
        self.entity = entity
        self._saw("entity", entity.id, entity.version)

    def apply(self, store: Store) -> Touched:
        self._delete(store, "entity", self.entity.id)
        return Touched(self.article_id, entities={self.entity.id})

    def revert(self, store: Store) -> Touched:
        e = self.entity
        if e.is_machine_suggestion:
            self._update(store, "entity", e.id, status="suggested")
        else:
            self._restore(store, e)
        return Touched(self.article_id, entities={e.id})


class UpdateEntity(StoreCommand):
    def __init__(self, entity: Entity, text: str, **changes):
        super().__init__(text, entity.article_id)
        self.entity_id = entity.id
        self.after = changes
        self.before = {k: getattr(entity, k) for k in changes}
        assert set(changes) <= set(_ENTITY_FIELDS), changes
        self._saw("entity", entity.id, entity.version)

    def apply(self, store: Store) -> Touched:
        self._update(store, "entity", self.entity_id, **self.after)
        return Touched(self.article_id, entities={self.entity_id})

    def revert(self, store: Store) -> Touched:
        self._update(store, "entity", self.entity_id, **self.before)
        return Touched(self.article_id, entities={self.entity_id})


# ---- quotes ---------------------------------------------------------------------------------
class AddQuote(StoreCommand):
    def __init__(self, article_id: str, annotator: str, start: int, end: int, text: str = "", **fields):
        super().__init__(text or "Add quote", article_id)
        self.annotator, self.start, self.end = annotator, start, end
        self.fields = fields  # kind, speaker, cue, stance
        self.quote_id: int | None = None

    def apply(self, store: Store) -> Touched:
        quote = store.add_quote(self.article_id, self.annotator, self.start, self.end, id=self.quote_id, **self.fields)
        self.quote_id = quote.id
        self._saw("quote", quote.id, quote.version)
        return Touched(self.article_id, quotes={quote.id})

    def revert(self, store: Store) -> Touched:
        self._delete(store, "quote", self.quote_id)
        return Touched(self.article_id, quotes={self.quote_id})


class DeleteQuote(StoreCommand):
    def __init__(self, quote: Quote, text: str = ""):
        pending = quote.is_machine_suggestion
        super().__init__(text or ("Reject quote" if pending else "Delete quote"), quote.article_id)
        self.quote = quote
        self._saw("quote", quote.id, quote.version)

    def apply(self, store: Store) -> Touched:
        self._delete(store, "quote", self.quote.id)
        return Touched(self.article_id, quotes={self.quote.id})

    def revert(self, store: Store) -> Touched:
        q = self.quote
        if q.is_machine_suggestion:
            self._update(store, "quote", q.id, status="suggested")
        else:
            self._restore(store, q)
        return Touched(self.article_id, quotes={q.id})


class UpdateQuote(StoreCommand):
    def __init__(self, quote: Quote, text: str, **changes):
        super().__init__(text, quote.article_id)
        self.quote_id = quote.id
        self.after = changes
        self.before = {k: getattr(quote, k) for k in changes}
        assert set(changes) <= set(_QUOTE_FIELDS), changes
        self._saw("quote", quote.id, quote.version)

    def apply(self, store: Store) -> Touched:
        self._update(store, "quote", self.quote_id, **self.after)
        return Touched(self.article_id, quotes={self.quote_id})

    def revert(self, store: Store) -> Touched:
        self._update(store, "quote", self.quote_id, **self.before)
        return Touched(self.article_id, quotes={self.quote_id})


# ---- article level --------------------------------------------------------------------------
class SetLayer(StoreCommand):
    """Article stance, status, or comment and flag of the annotator's layer. Marking done accepts
    the layer's pending suggestions (Store.set_status); undoing it puts them back as pending."""

    def __init__(self, article_id: str, annotator: str, text: str, before: dict, after: dict,
                 version: int | None = None, pending: list[Entity | Quote] | None = None):
        """`version`: of the layer's fields as read (None: written whatever their version); `pending`:
        its pending suggestions as shown, which marking done accepts (None: whatever is pending then)."""
        super().__init__(text, article_id)
        self.annotator, self.before, self.after = annotator, before, after
        self.accepted_on_done: tuple[list[int], list[int]] = ([], [])
        self.pending = pending
        self._saw("layer", annotator, version)
        for item in pending or ():
            self._saw(_kind(item), item.id, item.version)

    def _write(self, store: Store, values: dict) -> Touched:
        key = ("layer", self.annotator)

        def wrote(layer) -> None:
            self.seen[key] = layer.version

        with store.transaction():
            if "stance" in values:
                wrote(store.set_article_stance(self.article_id, self.annotator, values["stance"],
                                               version=self.seen.get(key)))
            if "status" in values:
                shown = None
                if values["status"] == "done" and self.pending is not None:
                    shown = [x.with_changes(version=self.seen.get((_kind(x), x.id))) for x in self.pending]
                wrote(store.set_status(self.article_id, self.annotator, values["status"], version=self.seen.get(key),
                                       pending=shown))
            if "comment" in values or "flagged" in values:
                wrote(store.set_comment(self.article_id, self.annotator, values.get("comment", self._comment(store)),
                                        values.get("flagged"), version=self.seen.get(key)))
        return Touched(self.article_id, layer=True)

    def _comment(self, store: Store) -> str:
        return store.get_layer(self.article_id, self.annotator).comment

    def apply(self, store: Store) -> Touched:
        with store.transaction():
            if self.after.get("status") == "done":
                pending = store.get_layer(self.article_id, self.annotator).pending()
                self.accepted_on_done = ([x.id for x in pending if isinstance(x, Entity)],
                                         [x.id for x in pending if isinstance(x, Quote)])
            touched = self._write(store, self.after)
            if self.after.get("status") == "done":  # the versions Done wrote, for its undo
                layer = store.get_layer(self.article_id, self.annotator)
                for item in (*layer.entities, *layer.quotes):
                    if item.id in self.accepted_on_done[isinstance(item, Quote)]:
                        self._saw(_kind(item), item.id, item.version)
        return touched.merge(Touched(self.article_id, *map(set, self.accepted_on_done)))

    def revert(self, store: Store) -> Touched:
        entity_ids, quote_ids = self.accepted_on_done
        with store.transaction():
            touched = self._write(store, self.before)
            for entity_id in entity_ids:
                self._update(store, "entity", entity_id, status="suggested")
            for quote_id in quote_ids:
                self._update(store, "quote", quote_id, status="suggested")
        return touched.merge(Touched(self.article_id, set(entity_ids), set(quote_ids)))


class AcceptMany(StoreCommand):
    """Accept pending suggestions, each onto the version shown. With `everything` (they are all the
    layer's pending suggestions), the store's accept_all does it in one go."""

    def __init__(self, article_id: str, annotator: str, items: list[Entity | Quote], everything: bool,
                 text: str = "Accept all suggestions"):
        super().__init__(text, article_id)
        self.annotator, self.items, self.everything = annotator, items, everything
        for item in items:
            self._saw(_kind(item), item.id, item.version)

    def _touched(self) -> Touched:
        return Touched(self.article_id, {x.id for x in self.items if isinstance(x, Entity)},
                       {x.id for x in self.items if isinstance(x, Quote)})

    def apply(self, store: Store) -> Touched:
        with store.transaction():
            if self.everything:
                shown = [x.with_changes(version=self.seen.get((_kind(x), x.id))) for x in self.items]
                store.accept_all(self.article_id, self.annotator, pending=shown)
                accepted = {(_kind(x), x.id) for x in self.items}
                layer = store.get_layer(self.article_id, self.annotator)  # the versions written, in this transaction
                for item in (*layer.entities, *layer.quotes):
                    if (_kind(item), item.id) in accepted:
                        self._saw(_kind(item), item.id, item.version)
            else:
                for item in self.items:
                    self._update(store, _kind(item), item.id, status="accepted")
        return self._touched()

    def revert(self, store: Store) -> Touched:
        with store.transaction():
            for item in self.items:
                self._update(store, _kind(item), item.id, status="suggested")
        return self._touched()


class ReviewDecision(StoreCommand):
    """A review decision into the gold (an action of project.gold): done once, then undone and
    redone by writing the article's gold layer back (project.gold.undo / redo)."""

    def __init__(self, text: str, article_id: str, action, reviewer: str):
        super().__init__(text, article_id)
        self.action, self.reviewer = action, reviewer
        self.edit: gold.GoldEdit | None = None

    def _expected(self, layer) -> object:
        """The gold this undo or redo writes onto: `layer` as this window last stored it (the Editor's
        record, key ("gold", article)); when that is not `layer`, another session changed the gold in
        between, and `layer` as first read makes the store refuse the write as stale."""
        written = self.seen.get(("gold", self.article_id))
        return written if written == layer else layer

    def apply(self, store: Store) -> Touched | None:
        if self.edit is None:
            self.edit = gold.decide(store, self.article_id, self.action)
            if not self.edit.changes:
                return None  # nothing changed: nothing to undo
            self.seen[("gold", self.article_id)] = self.edit.after
        else:
            self.seen[("gold", self.article_id)] = gold.redo(store, self.edit, self.reviewer,
                                                            self._expected(self.edit.before))[0]
        return Touched(self.article_id, set(self.edit.changes.entities), set(self.edit.changes.quotes), layer=True)

    def revert(self, store: Store) -> Touched:
        self.seen[("gold", self.article_id)] = gold.undo(store, self.edit, self.reviewer,
                                                        self._expected(self.edit.after))[0]
        return Touched(self.article_id, set(self.edit.changes.entities), set(self.edit.changes.quotes), layer=True)


class Editor(QObject):
    """Runs commands against the store and keeps the undo history.

    Signals: `applied(Touched)` after a change is stored (do, undo or redo; a command whose `apply`
    returns None changed nothing and is not kept in the history);
    `saveState(state, message)` with state "saved", "waiting" (database locked, retrying),
    "offline" (the server cannot be reached: the edit is kept and retried until it lands), "conflict"
    (not stored: another session changed what it edits since it was read) or "failed" (not stored,
    with the reason)."""

    applied = Signal(object)
    saveState = Signal(str, str)
    RETRY_MS = 700  # each try may wait GUI_LOCK_TIMEOUT for the lock: keep the window mostly free
    OFFLINE_RETRY_MS = 2000  # each try may wait for the server to answer a new connection

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.stack = QUndoStack(self)
        self._history: list[StoreCommand] = []  # mirrors the stack, keeps the Python objects
        self._pending: tuple[str, StoreCommand] | None = None
        self.pending_reason = ""  # why the pending edit is not stored yet (the store's message)
        self.versions: dict = {}  # the row versions this window read or wrote last (StoreCommand.seen)
        self.refusal = ""  # the store's whole message about the last edit refused as stale
        self.offline = False  # the pending edit waits for the server to answer again
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(self.RETRY_MS)
        self._retry.timeout.connect(self._retry_pending)
        self.attempts = 0

    @property
    def pending(self) -> StoreCommand | None:
        return self._pending[1] if self._pending else None

    def execute(self, command: StoreCommand) -> bool:
        """Store an edit; True once stored. False when refused, or waiting for a locked database."""
        if self._busy():
            return False
        command.share_versions(self.versions)
        return self._run("do", command)

    def undo(self) -> bool:
        if self._busy() or self.stack.index() == 0:
            return False
        return self._run("undo", self._history[self.stack.index() - 1])

    def redo(self) -> bool:
        if self._busy() or self.stack.index() >= self.stack.count():
            return False
        return self._run("redo", self._history[self.stack.index()])

    def next_undo(self) -> StoreCommand | None:
        return self._history[self.stack.index() - 1] if self.stack.index() > 0 else None

    def next_redo(self) -> StoreCommand | None:
        return self._history[self.stack.index()] if self.stack.index() < self.stack.count() else None

    def discard_pending(self) -> None:
        if self._pending:
            op, command = self._pending
            self._pending = None
            self._retry.stop()
            what = {"do": command.text(), "undo": f"undo of {command.text()}", "redo": f"redo of {command.text()}"}[op]
            self.saveState.emit("failed", f"Discarded: {what} (not stored)")

    def clear(self) -> None:
        self.discard_pending()
        self.stack.clear()
        self._history.clear()

    def _busy(self) -> bool:
        if self._pending:
            why = "the server cannot be reached" if self.offline else "the database is locked"
            self.saveState.emit("offline" if self.offline else "waiting",
                                f"Still waiting to store “{self._pending[1].text()}”: {why}. This new edit was not made.")
            return True
        return False

    def _run(self, op: str, command: StoreCommand) -> bool:
        self.attempts += 1
        try:
            touched = command.revert(self.store) if op == "undo" else command.apply(self.store)
        except (LockedError, ServerUnreachableError) as exc:
            offline = self.offline = isinstance(exc, ServerUnreachableError)
            self._pending = (op, command)
            self.pending_reason = str(exc)
            self._retry.start(self.OFFLINE_RETRY_MS if offline else self.RETRY_MS)
            self.saveState.emit("offline" if offline else "waiting",
                                f"Not saved yet, kept and retried: “{command.text()}”. {exc}" if offline
                                else f"{exc} — retrying “{command.text()}”…")
            return False
        except StaleEditError as exc:
            self.refusal = str(exc)
            who = f" by {exc.actor}" if exc.actor else ""
            when = f" at {exc.ts[11:19]}" if exc.ts else ""
            self.saveState.emit("conflict", f"Not saved: another session changed this {exc.target}{who}{when} since "
                                            "it was shown here; the article now shows what is stored.")
            return False
        except StoreError as exc:
            self.saveState.emit("failed", str(exc))
            return False
        if touched is None:
            return True
        command.store = self.store
        command.skip_next = True
        if op == "do":
            index = self.stack.index()
            del self._history[index:]
            self._history.append(command)
            self.stack.push(command)
        elif op == "undo":
            self.stack.undo()
        else:
            self.stack.redo()
        command.skip_next = False
        label = {"do": "", "undo": "Undone: ", "redo": "Redone: "}[op]
        self.applied.emit(touched)
        self.saveState.emit("saved", f"{label}{command.text()}")
        return True

    def _retry_pending(self) -> None:
        if not self._pending:
            return
        op, command = self._pending
        self._pending = None
        self._run(op, command)

"""What each annotation key does: the rules of the window, turned into store commands.

Rules (also in docs/gui.md):
- A new entity may not overlap an accepted or human entity: the edit is refused with a message
  naming the other entity. Pending suggestions it overlaps are rejected (they stay stored), so
  reselecting a suggestion's text with the right bounds replaces it. Same when a span grows.
- Selecting exactly an existing entity and pressing a label key relabels it.
- Editing a suggestion accepts it; changing its label or bounds makes it a human span.
- A quote's speaker follows its entity: relabel, resize, split or merge the entity and the quote
  points at the new span; delete or reject the entity and the quote has no speaker any more.
- A new quote drops the quotation marks at its ends; it is direct when it had marks (inside or
  right around the selection), indirect otherwise (K toggles).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QVBoxLayout

from annotator.core.model import Entity, Quote, SpanRef
from annotator.core.store import Store
from annotator.gui.commands import (
    AcceptMany, AddEntity, AddQuote, DeleteEntity, DeleteQuote, Editor, Macro, SetLayer, StoreCommand,
    UpdateEntity, UpdateQuote,
)
from annotator.gui.docview import DocumentView
from annotator.gui.quote_panel import QuotePanel, clip
from annotator.gui.state import ArticleState, SpanKey, Touched


def _ref(entity: Entity) -> SpanRef:
    return SpanRef(entity.start, entity.end, entity.label)


class EntityChooser(QDialog):
    """A small list of the article's entities, filtered as you type: Enter picks, Esc cancels."""

    chosen = Signal(int)

    def __init__(self, state: ArticleState, quote: Quote, parent=None):
        super().__init__(parent, Qt.Popup)
        self.setObjectName("entityChooser")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type to filter the article's entities…")
        self.list = QListWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        seen = set()
        for e in sorted(state.shown_entities, key=lambda e: (abs(e.start - quote.start), e.start)):
            name = state.text[e.start:e.end]
            item = QListWidgetItem(f"{clip(name, 50)}  ·  {e.label}" + ("  (suggested)" if e.is_pending else ""))
            item.setData(Qt.UserRole, e.id)
            item.setData(Qt.UserRole + 1, name.casefold())
            self.list.addItem(item)
            seen.add(name)
        self.list.setCurrentRow(0)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self._pick)
        self.list.itemActivated.connect(lambda item: self._pick())
        self.filter.installEventFilter(self)
        self.resize(360, 320)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.filter and event.type() == event.Type.KeyPress and event.key() in (Qt.Key_Down, Qt.Key_Up):
            row = self.list.currentRow() + (1 if event.key() == Qt.Key_Down else -1)
            visible = [i for i in range(self.list.count()) if not self.list.item(i).isHidden()]
            if visible:
                row = min(max(row, visible[0]), visible[-1])
                while self.list.item(row).isHidden():
                    row += 1 if event.key() == Qt.Key_Down else -1
                self.list.setCurrentRow(row)
            return True
        return super().eventFilter(obj, event)

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = bool(needle) and needle not in item.data(Qt.UserRole + 1) and needle not in item.text().casefold()
            item.setHidden(hide)
            if not hide and first is None:
                first = i
        if first is not None:
            self.list.setCurrentRow(first)

    def _pick(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self.chosen.emit(item.data(Qt.UserRole))
            self.accept()


class AnnotationController(QObject):
    """Turns keys and clicks into commands for the open article, and keeps the view in step."""

    message = Signal(str)  # for the status bar
    currentChanged = Signal()
    doneRequested = Signal()  # the article was marked done: go on to the next one

    def __init__(self, store: Store, annotator: str, editor: Editor, view: DocumentView, panel: QuotePanel,
                 parent=None):
        super().__init__(parent)
        self.store, self.annotator, self.editor = store, annotator, editor
        self.view, self.panel = view, panel
        self.state: ArticleState | None = None
        self.current: SpanKey | None = None
        self.active_quote: int | None = None
        self.pick: str | None = None
        self.chooser: EntityChooser | None = None
        self.hidden_sources: set[str] = set()
        self.moves_on = True  # A / X go on to the next pending suggestion (Suggestions menu)
        self.visited: SpanKey | None = None  # the span Tab, ], Alt+↓ or a move-on last went to
        editor.applied.connect(self._applied)
        view.caretMoved.connect(self._caret_moved)
        view.clickedAt.connect(self._clicked)
        view.pickRequested.connect(self._picked)
        view.tooltip_provider = self.tooltip
        panel.list.selectionModel().currentChanged.connect(self._quote_row_changed)
        panel.list.clicked.connect(lambda index: self._quote_row_changed(index, None))
        panel.editor.speakerChosen.connect(self._speaker_from_combo)
        panel.editor.stanceChosen.connect(self._stance_from_panel)
        panel.editor.kindChosen.connect(self._kind_from_panel)
        panel.article.stanceChosen.connect(self._article_stance_from_panel)

    @property
    def config(self):
        return self.store.config

    # ---- loading ---------------------------------------------------------------------------
    def show(self, state: ArticleState | None) -> None:
        self.exit_pick()
        self.state = state
        if state is not None:
            state.set_hidden_sources(self.hidden_sources)
        self.current, self.active_quote, self.visited = None, None, None
        self.view.set_article(state)
        self.panel.list.selectionModel().blockSignals(True)
        self.panel.set_state(state, None)
        self.panel.list.selectionModel().blockSignals(False)
        self._sync()

    def set_hidden_sources(self, sources: set[str]) -> None:
        self.hidden_sources = set(sources)
        if self.state is not None:
            self.state.set_hidden_sources(self.hidden_sources)
            if self.state.item(self.current) is None:
                self.current = None
            self.panel.set_state(self.state, self.active_quote)
            self.view.refresh()

    def reload(self) -> None:
        """Re-read the layer (another window or process changed it)."""
        if self.state is None:
            return
        self.state.reload(self.store)
        if self.state.item(self.current) is None:
            self.current = None
        if self.active_quote is not None and self.state.quote(self.active_quote) is None:
            self.active_quote = None
        self.panel.set_state(self.state, self.active_quote)
        self.view.refresh()
        self._sync()

    def _applied(self, touched: Touched) -> None:
        state = self.state
        if state is None or touched.article_id != state.article.id:
            return
        state.refresh(self.store, touched)
        if not touched.layer and state.layer.status == "new":
            state.layer = self.store.get_layer(state.article.id, self.annotator)  # the store marked it in progress
        if self.current is not None and state.item(self.current) is None:
            self.current = None
        if self.active_quote is not None and state.item(SpanKey("quote", self.active_quote)) is None:
            self.active_quote = None
        self.view.refresh()
        if touched.quotes or touched.layer:
            self.panel.set_state(state, self.active_quote)
        else:  # entities only: the quote cards stay, the speaker list and status follow
            self.panel.article.set_layer(state)
            self.panel.select(self.active_quote, state)
        self._sync()

    # ---- current span ----------------------------------------------------------------------
    def current_item(self) -> Entity | Quote | None:
        return self.state.item(self.current) if self.state else None

    def current_entity(self) -> Entity | None:
        item = self.current_item()
        return item if isinstance(item, Entity) else None

    def target_quote(self) -> Quote | None:
        """The quote that S, C, K and the stance keys act on."""
        if self.state is None:
            return None
        item = self.current_item()
        if isinstance(item, Quote):
            return item
        return self.state.item(SpanKey("quote", self.active_quote)) if self.active_quote is not None else None

    def set_current(self, item: Entity | Quote | None, *, move_caret: bool = False) -> None:
        if self.state is None:
            return
        self.current = ArticleState.key_of(item) if item is not None else None
        if isinstance(item, Quote):
            self.active_quote = item.id
        if item is not None and move_caret:
            self.view.place_caret(item.start, reveal=False)
            self.view.reveal(item.start, item.end)
        self.panel.select(self.active_quote, self.state)
        self._sync()

    def _sync(self) -> None:
        self.view.current = self.current
        self.view.active_quote = self.active_quote
        self.view.viewport().update()
        self.currentChanged.emit()

    def _caret_moved(self, offset: int) -> None:
        self._point_at(offset)

    def _clicked(self, offset: int) -> None:
        self._point_at(offset)
        self.visited = self.current  # clicked on: Tab goes on from it, as from a span Tab went to

    def _point_at(self, offset: int) -> None:
        if self.state is None:
            return
        entity = self.state.entity_at(offset)
        if entity is not None:
            self.set_current(entity)
            return
        quotes = self.state.quotes_at(offset)
        if quotes and not self.pick:
            self.set_current(quotes[0])
        else:
            self.current = None
            self._sync()

    def _quote_row_changed(self, index, previous) -> None:
        if self.state is None or not index.isValid():
            return
        quote = index.data(Qt.UserRole)
        if quote is not None:
            self.current = SpanKey("quote", quote.id)
            self.active_quote = quote.id
            self.view.reveal(quote.start, quote.end)
            self.panel.editor.set_quote(self.state, self.state.quote(quote.id))
            self._sync()

    def describe(self, item: Entity | Quote | None) -> str:
        if item is None or self.state is None:
            return ""
        text = self.state.text
        if isinstance(item, Entity):
            if item.source == "human":
                origin = "yours"
            else:
                score = f" {item.score:.2f}" if item.score is not None else ""
                origin = f"{item.status} ({item.source}{score})"
            keys = "A accept · X reject · " if item.is_pending else "Del delete · "
            return f"{item.label} “{clip(text[item.start:item.end], 60)}” — {origin} · {keys}label keys relabel · Alt+Shift+←/→ extend"
        speaker = text[item.speaker.start:item.speaker.end] if item.speaker else "no speaker"
        return (f"Quote ({item.kind}, {item.status}) · speaker: {clip(speaker, 40)} · stance: {item.stance or 'not set'}"
                " — S speaker · C cue · F1–F3 stance · K kind")

    def tooltip(self, offset: int) -> str | None:
        if self.state is None:
            return None
        lines = []
        entity = self.state.entity_at(offset)
        if entity is not None:
            origin = {"human": "added by you", "model": "model", "rule": "rule"}[entity.source]
            status = {"suggested": "suggestion", "accepted": "accepted", "rejected": "rejected"}[entity.status]
            score = f" · score {entity.score:.2f}" if entity.score is not None else ""
            lines.append(f"{entity.label} — {status} · source: {origin}{score}")
            links = self.state.speaker_links(entity)
            if links:
                lines.append(f"speaker of {len(links)} quote(s)")
        for quote in self.state.quotes_at(offset):
            speaker = self.state.text[quote.speaker.start:quote.speaker.end] if quote.speaker else "—"
            score = f" · score {quote.score:.2f}" if quote.score is not None else ""
            lines.append(f"Quote ({quote.kind}) — {quote.status} · source: {quote.source}{score}\n"
                         f"  speaker: {clip(speaker, 50)} · stance: {quote.stance or '—'}")
        for quote in self.state.shown_quotes:
            if quote.cue and quote.cue.start <= offset < quote.cue.end:
                lines.append(f"Cue of the quote “{clip(self.state.text[quote.start:quote.end], 50)}”")
        return "\n".join(lines) or None

    # ---- running commands ------------------------------------------------------------------
    def _execute(self, command: StoreCommand) -> bool:
        return self.editor.execute(command)

    def _say(self, text: str) -> None:
        self.message.emit(text)

    def _needs_state(self) -> bool:
        if self.state is None:
            self._say("Open an article first (the list on the left).")
            return False
        return True

    def _overlap_plan(self, start: int, end: int, ignore: set[int] = frozenset()) -> tuple[list[Entity], Entity | None]:
        """Suggestions in the way (to reject) and the first accepted/human entity in the way."""
        in_way = [e for e in (*self.state.entities_in(start, end), *self.state.hidden_entities_in(start, end))
                  if e.id not in ignore]
        blocking = next((e for e in sorted(in_way, key=lambda e: e.start) if not e.is_pending), None)
        return [e for e in in_way if e.is_pending], blocking

    def _blocked(self, start: int, end: int, other: Entity) -> None:
        text = self.state.text
        self._say(f"Not changed: “{clip(text[start:end], 40)}” would overlap {other.label} "
                  f"“{clip(text[other.start:other.end], 40)}”. Entities never overlap: resize that one "
                  "(Alt+Shift+←/→, Alt+←/→) or delete it (Del) first.")

    def _link_updates(self, old: Entity, new_ref: SpanRef | None) -> list[StoreCommand]:
        return [UpdateQuote(q, "Update speaker", speaker=new_ref) for q in self.state.speaker_links(old)]

    def _snapped_selection(self, what: str) -> tuple[int, int] | None:
        selection = self.view.selection()
        if selection is None:
            return None
        snapped = self.state.snap(*selection)
        if snapped is None:
            self.view.place_caret(selection[0], reveal=False)
            self._say(f"The selection holds no word: no {what} made.")
        return snapped

    # ---- entities --------------------------------------------------------------------------
    def label(self, label: str) -> None:
        if not self._needs_state():
            return
        if self.view.selection() is None:
            entity = self.current_entity()
            if entity is None:
                self._say(f"Select words first (Shift+←/→ or the mouse), then press the {label} key; "
                          "or move onto an entity to relabel it.")
                return
            self._relabel(entity, label)
            return
        snapped = self._snapped_selection("entity")
        if snapped is None:
            return
        start, end = snapped
        same = self.state.entity_with_bounds(start, end)
        if same is not None:
            self._relabel(same, label)
            self.view.place_caret(start, reveal=False)
            return
        rejected, blocking = self._overlap_plan(start, end)
        if blocking is not None:
            self._blocked(start, end, blocking)
            return
        add = AddEntity(self.state.article.id, self.annotator, start, end, label)
        children = [DeleteEntity(e) for e in rejected]
        for e in rejected:
            children += self._link_updates(e, None)
        command = Macro(f"Add {label}", self.state.article.id, [*children, add]) if children else add
        if self._execute(command):
            self.view.place_caret(start, reveal=False)
            self.set_current(self.state.entity(add.entity_id))
            replaced = f" (replacing {len(rejected)} suggestion{'s' * (len(rejected) > 1)})" if rejected else ""
            self._say(f"Added {label} “{clip(self.state.text[start:end], 50)}”{replaced} — saved")

    def _relabel(self, entity: Entity, label: str) -> None:
        if entity.label == label:
            if entity.is_pending:
                self.accept()
            else:
                self.set_current(entity)
                self._say(f"Already {label}.")
            return
        update = UpdateEntity(entity, f"Relabel {entity.label} → {label}", label=label, status="accepted", source="human")
        links = self._link_updates(entity, SpanRef(entity.start, entity.end, label))
        command = Macro(update.text(), entity.article_id, [update, *links]) if links else update
        if self._execute(command):
            self.set_current(self.state.entity(entity.id))

    def accept(self) -> None:
        if self.pick:
            self.confirm_pick()
            return
        if not self._needs_state():
            return
        item = self.current_item()
        if item is None:
            self._say("Move onto a suggestion first (Tab jumps to the next one).")
            return
        if not item.is_pending:
            self._say("Already accepted.")
            return
        command = (UpdateEntity(item, f"Accept {item.label}", status="accepted") if isinstance(item, Entity)
                   else UpdateQuote(item, "Accept quote", status="accepted"))
        if self._execute(command):
            self._move_on(item, "Accepted")

    def reject(self) -> None:
        if not self._needs_state():
            return
        item = self.current_item()
        if item is None or not item.is_pending:
            self._say("X rejects a suggestion; use Del to delete your own span." if item else
                      "Move onto a suggestion first (Tab jumps to the next one).")
            return
        if self._remove(item):
            self._move_on(item, "Rejected")

    def delete(self) -> None:
        if not self._needs_state():
            return
        item = self.current_item()
        if item is None:
            self._say("Move onto a span first (click it, or Tab / ] to go to one).")
            return
        self._remove(item)

    def _move_on(self, decided: Entity | Quote, verb: str) -> None:
        """After A or X: on to the next pending suggestion (when `moves_on`), as Prodigy does."""
        if not self.moves_on or self.state is None:
            return
        pending = self.state.pending()
        following = self.state.neighbour(pending, decided, decided.start, 1) or (pending[0] if pending else None)
        if following is None:
            self._say(f"{verb} — saved. No pending suggestions left in this article: Ctrl+Enter marks it done.")
            return
        self.visit(following)
        self._say(f"{verb} — saved. Next suggestion ({len(pending)} left): {self.describe(following)}")

    def visit(self, item: Entity | Quote) -> None:
        """Make `item` current as navigation does (caret to it, scrolled into view)."""
        self.set_current(item, move_caret=True)
        self.visited = self.current

    def _remove(self, item: Entity | Quote) -> bool:
        if isinstance(item, Entity):
            remove = DeleteEntity(item)
            links = self._link_updates(item, None)
            command = Macro(remove.text(), item.article_id, [*links, remove]) if links else remove
        else:
            command = DeleteQuote(item)
        if not self._execute(command):
            return False
        self.current = None
        self._sync()
        kept = " (kept in the database as rejected)" if item.is_machine_suggestion else ""
        self._say(f"{command.text()}{kept} — Ctrl+Z undoes")
        return True

    def resize(self, action: str) -> None:
        """extend_left / extend_right / shrink_left / shrink_right by one token."""
        if not self._needs_state():
            return
        item = self.current_item()
        if item is None:
            self._say("Move onto a span first, then Alt+Shift+←/→ to extend it, Alt+←/→ to shrink it.")
            return
        span = self.state.token_span(item.start, item.end)
        if span is None:
            self._say("This span does not sit on token boundaries; it cannot be resized by tokens.")
            return
        first, last = span
        tokens = self.state.tokens
        if action == "extend_left":
            first -= 1
        elif action == "extend_right":
            last += 1
        elif action == "shrink_left":
            last -= 1
        else:
            first += 1
        if first < 0 or last >= len(tokens) or last < first:
            self._say("Cannot go further.")
            return
        start, end = tokens[first][0], tokens[last][1]
        self._set_bounds(item, start, end, "Extend" if action.startswith("extend") else "Shrink")

    def _set_bounds(self, item: Entity | Quote, start: int, end: int, verb: str) -> bool:
        if isinstance(item, Entity):
            rejected, blocking = self._overlap_plan(start, end, ignore={item.id})
            if blocking is not None:
                self._blocked(start, end, blocking)
                return False
            children: list[StoreCommand] = []
            for e in rejected:
                children += [*self._link_updates(e, None), DeleteEntity(e)]
            children.append(UpdateEntity(item, f"{verb} {item.label}", start=start, end=end, status="accepted",
                                         source="human"))
            children += self._link_updates(item, SpanRef(start, end, item.label))
            command = children[0] if len(children) == 1 else Macro(f"{verb} {item.label}", item.article_id, children)
        else:
            command = UpdateQuote(item, f"{verb} quote", start=start, end=end, status="accepted", source="human")
        if self._execute(command):
            self._sync()
            self.view.reveal(start, end)
            return True
        return False

    def split(self) -> None:
        if not self._needs_state():
            return
        item = self.current_item()
        if item is None:
            self._say("Put the caret inside a span, on the word where its second part starts.")
            return
        cut = self.state.split_point(item, self.view.caret())
        if cut is None:
            self._say("Put the caret on the word where the second part starts (inside the span, not its first word).")
            return
        left_end, right_start = cut
        if isinstance(item, Entity):
            children = [UpdateEntity(item, "Split", end=left_end, status="accepted", source="human"),
                        AddEntity(item.article_id, self.annotator, right_start, item.end, item.label),
                        *self._link_updates(item, SpanRef(item.start, left_end, item.label))]
        else:
            children = [UpdateQuote(item, "Split", end=left_end, status="accepted"),
                        AddQuote(item.article_id, self.annotator, right_start, item.end, kind=item.kind,
                                 speaker=item.speaker, cue=item.cue, stance=item.stance)]
        self._execute(Macro(f"Split {'entity' if isinstance(item, Entity) else 'quote'}", item.article_id, children))

    def merge(self) -> None:
        if not self._needs_state():
            return
        item = self.current_item()
        if item is None:
            self._say("Move onto a span first; Ctrl+Shift+M joins it with the next one.")
            return
        text = self.state.text
        if isinstance(item, Entity):
            following = next((e for e in self.state.shown_entities if e.start >= item.end and e.id != item.id), None)
            if following is None or "\n" in text[item.end:following.start]:
                self._say("No entity after this one on the same line to merge with.")
                return
            if not self._merge_confirmed(item, following):
                return
            new_ref = SpanRef(item.start, following.end, item.label)
            children = [*self._link_updates(following, new_ref), DeleteEntity(following, "Merge"),
                        UpdateEntity(item, "Merge", end=following.end, status="accepted", source="human"),
                        *self._link_updates(item, new_ref)]
        else:
            following = next((q for q in self.state.shown_quotes if q.start >= item.end and q.id != item.id), None)
            if following is None:
                self._say("No quote after this one to merge with.")
                return
            if not self._merge_confirmed(item, following):
                return
            children = [DeleteQuote(following, "Merge"),
                        UpdateQuote(item, "Merge", end=following.end, status="accepted",
                                    speaker=item.speaker or following.speaker, cue=item.cue or following.cue,
                                    stance=item.stance or following.stance)]
        if self._execute(Macro(f"Merge {'entities' if isinstance(item, Entity) else 'quotes'}", item.article_id, children)):
            self._sync()

    def _merge_confirmed(self, first: Entity | Quote, second: Entity | Quote) -> bool:
        """Adjacent spans (no token between them) merge at once; spans with words between them
        only when the annotator confirms."""
        between = self.state.tokens_between(first.end, second.start)
        if not between:
            return True
        text = self.state.text
        gap = text[between[0][0]:between[-1][1]]
        words = sum(any(ch.isalnum() for ch in text[s:e]) for s, e in between)
        count = f"{words} word{'s' * (words != 1)}" if words else f"{len(between)} punctuation mark{'s' * (len(between) != 1)}"
        kind = "entities" if isinstance(first, Entity) else "quotes"
        what = (f"{first.label} “{clip(text[first.start:first.end], 40)}” and {second.label} "
                f"“{clip(text[second.start:second.end], 40)}”" if isinstance(first, Entity) else "the two quotes")
        question = f"Merge {what}?\n\n{count} lie between them (“{clip(gap, 80)}”); the merged span takes them in."
        if self.confirm(f"Merge {kind}", question):
            return True
        self._say(f"Not merged: {count} lie between the {kind}.")
        return False

    def confirm(self, title: str, question: str) -> bool:
        """Ask a yes/no question (No is the default)."""
        box = QMessageBox(QMessageBox.Question, title, question, QMessageBox.Yes | QMessageBox.No, self.view.window())
        box.setObjectName("confirmBox")
        box.setTextFormat(Qt.PlainText)
        box.setDefaultButton(QMessageBox.No)
        return box.exec() == QMessageBox.Yes

    def accept_all(self) -> None:
        if not self._needs_state():
            return
        pending_entities = [e.id for e in self.state.entities.values() if e.is_pending]
        pending_quotes = [q.id for q in self.state.quotes.values() if q.is_pending]
        shown = self.state.pending()
        if not shown:
            self._say("No pending suggestions in this article.")
            return
        everything = len(shown) == len(pending_entities) + len(pending_quotes)
        command = AcceptMany(self.state.article.id, self.annotator, shown, everything,
                             f"Accept all {len(shown)} suggestions")
        if self._execute(command):
            self._say(f"Accepted {len(shown)} suggestions — saved")

    # ---- navigation ------------------------------------------------------------------------
    def _go(self, items, step: int, what: str, none_message: str) -> None:
        if not self._needs_state():
            return
        if not items:
            self._say(none_message)
            return
        # from the span last gone to; else from the caret, so Tab with the caret on a span's
        # first character (e.g. at the top, Ctrl+Home) goes to that span, not past it
        current = self.current_item() if self.current is not None and self.current == self.visited else None
        target = self.state.neighbour(items, current, self.view.caret(), step)
        wrapped = target is None
        if wrapped:
            target = items[0] if step > 0 else items[-1]
        self.visit(target)
        position = items.index(target) + 1 if target in items else 0
        note = " (wrapped around)" if wrapped else ""
        self._say(f"{what} {position} of {len(items)}{note}: {self.describe(target)}")

    def next_suggestion(self, step: int) -> None:
        if self.state is not None:
            self._go(self.state.pending(), step, "Suggestion",
                     "No pending suggestions in this article. Ctrl+Enter marks it done.")

    def next_span(self, step: int) -> None:
        if self.state is not None:
            self._go(self.state.spans(), step, "Span", "No spans in this article yet.")

    def next_quote(self, step: int) -> None:
        if self.state is None:
            return
        quotes = self.state.shown_quotes
        if not quotes:
            self._say("No quotes in this article yet: select the quoted words and press Q.")
            return
        current = self.target_quote()
        if current is None:
            target = quotes[0] if step > 0 else quotes[-1]
        else:
            i = next((k for k, q in enumerate(quotes) if q.id == current.id), -1)
            target = quotes[(i + step) % len(quotes)]
        self.visit(target)
        self._say(self.describe(target))

    def clear(self) -> None:
        if self.pick:
            self.exit_pick("Cancelled.")
            return
        if self.view.selection() is not None:
            self.view.place_caret(self.view.caret(), reveal=False)
        self.current = None
        self._sync()

    # ---- quotes ----------------------------------------------------------------------------
    def quote(self) -> None:
        if not self._needs_state():
            return
        if self.view.selection() is None:
            self._say("Select the quoted words first (Shift+←/→ or the mouse), then press Q.")
            return
        snapped = self._snapped_selection("quote")
        if snapped is None:
            return
        start, end, direct = self.state.strip_quote_marks(*snapped)
        same = next((q for q in self.state.shown_quotes if (q.start, q.end) == (start, end)), None)
        if same is not None:
            self.set_current(same)
            self._say("That quote is already there.")
            return
        kinds = self.config.quote_kinds
        kind = "direct" if direct and "direct" in kinds else ("indirect" if "indirect" in kinds else kinds[0])
        add = AddQuote(self.state.article.id, self.annotator, start, end, kind=kind)
        if self._execute(add):
            self.view.place_caret(start, reveal=False)
            self.set_current(self.state.quote(add.quote_id))
            self._say(f"Quote added ({kind}) — saved. Now S: speaker · C: cue · "
                      f"{'/'.join(s.key for s in self.config.stance_labels)}: stance · K: direct/indirect")

    def _quote_or_say(self) -> Quote | None:
        quote = self.target_quote() if self.state else None
        if quote is None:
            self._say("Select a quote first: click it, pick it in the quote list, or Alt+↓.")
        return quote

    def speaker_label(self) -> str:
        names = self.config.label_names
        return "PERSON" if "PERSON" in names else names[0]

    def set_speaker(self) -> None:
        self._set_link("speaker", self._speaker_from_span)

    def set_cue(self) -> None:
        self._set_link("cue", self._cue_from_span)

    def _set_link(self, kind: str, from_span) -> None:
        """S / C: link the selected quote's speaker or cue to the selected words, or start picking
        it in the text (pressing the key again while picking confirms)."""
        if not self._needs_state():
            return
        if self.pick == kind:
            self.confirm_pick()
            return
        self.exit_pick()
        quote = self._quote_or_say()
        if quote is None:
            return
        selection = self.view.selection()
        if selection is not None:
            from_span(quote, *selection)
            return
        self.enter_pick(kind)

    def enter_pick(self, kind: str) -> None:
        self.pick = kind
        self.view.set_pick_mode(kind)
        if kind == "speaker":
            self._say("Speaker: click an entity, or select new words; or move onto one and press Enter; "
                      "S again: choose from a list; Esc: cancel.")
        else:
            self._say("Cue: click the reporting word (or select words); or move onto it and press Enter; Esc: cancel.")

    def exit_pick(self, note: str | None = None) -> None:
        if self.pick:
            self.pick = None
            self.view.set_pick_mode(None)
            if note:
                self._say(note)

    def confirm_pick(self) -> None:
        """Enter (or S/C again) while picking: use the selection, or what is at the caret."""
        kind, quote = self.pick, self.target_quote()
        if quote is None:
            self.exit_pick()
            return
        selection = self.view.selection()
        caret = self.view.caret()
        if kind == "speaker":
            if selection is not None:
                self._speaker_from_span(quote, *selection)
            elif self.state.entity_at(caret) is not None:
                self._speaker_from_entity(quote, self.state.entity_at(caret))
            else:
                self.open_speaker_list()
        else:
            if selection is not None:
                self._cue_from_span(quote, *selection)
            else:
                token = self.state.token_at(caret) or self.state.token_at(caret - 1)
                if token is None:
                    self._say("No word at the caret.")
                    return
                self._cue_from_span(quote, *token)

    def _picked(self, offset: int, start: int, end: int) -> None:
        quote = self.target_quote()
        if quote is None or not self.pick:
            self.exit_pick()
            return
        if self.pick == "speaker":
            if start >= 0:
                self._speaker_from_span(quote, start, end)
            elif offset >= 0 and self.state.entity_at(offset) is not None:
                self._speaker_from_entity(quote, self.state.entity_at(offset))
            else:
                self._say("No entity there. Click an entity, or select the speaker's words to make one.")
        else:
            if start >= 0:
                self._cue_from_span(quote, start, end)
            elif offset >= 0 and self.state.token_at(offset) is not None:
                self._cue_from_span(quote, *self.state.token_at(offset))
            else:
                self._say("No word there.")

    def open_speaker_list(self) -> None:
        quote = self.target_quote()
        if quote is None or self.state is None:
            return
        if not self.state.shown_entities:
            self._say("This article has no entities yet: select the speaker's words and press S.")
            return
        # a child of the window, not of the text: the text's shortcuts (Enter = accept) must not apply in it
        self.chooser = EntityChooser(self.state, quote, self.view.window())
        self.chooser.chosen.connect(lambda entity_id, q=quote.id: self._speaker_chosen(q, entity_id))
        self.chooser.finished.connect(lambda *_: self.exit_pick())
        rect = self.view.cursorRect()
        self.chooser.move(self.view.viewport().mapToGlobal(rect.bottomLeft()))
        self.chooser.show()
        self.chooser.filter.setFocus()

    def _speaker_chosen(self, quote_id: int, entity_id: int) -> None:
        quote, entity = self.state.quote(quote_id), self.state.entity(entity_id)
        if quote is not None and entity is not None:
            self._speaker_from_entity(quote, entity)
        self.view.setFocus()

    def _speaker_from_entity(self, quote: Quote, entity: Entity) -> None:
        self.exit_pick()
        children: list[StoreCommand] = []
        if entity.is_pending:
            children.append(UpdateEntity(entity, "Accept speaker", status="accepted"))
        children.append(UpdateQuote(quote, "Set speaker", speaker=_ref(entity), status="accepted"))
        command = children[0] if len(children) == 1 else Macro("Set speaker", quote.article_id, children)
        if self._execute(command):
            self.set_current(self.state.quote(quote.id))
            self._say(f"Speaker: {self.state.text[entity.start:entity.end]} ({entity.label}) — saved")

    def _speaker_from_span(self, quote: Quote, start: int, end: int) -> None:
        snapped = self.state.snap(start, end)
        if snapped is None:
            self._say("The selection holds no word: no speaker set.")
            return
        start, end = snapped
        same = self.state.entity_with_bounds(start, end)
        if same is not None:
            self._speaker_from_entity(quote, same)
            return
        rejected, blocking = self._overlap_plan(start, end)
        if blocking is not None:
            self._blocked(start, end, blocking)
            return
        self.exit_pick()
        label = self.speaker_label()
        add = AddEntity(quote.article_id, self.annotator, start, end, label)
        children: list[StoreCommand] = []
        for e in rejected:
            children += [*self._link_updates(e, None), DeleteEntity(e)]
        children += [add, UpdateQuote(quote, "Set speaker", speaker=SpanRef(start, end, label), status="accepted")]
        if self._execute(Macro(f"Set speaker (new {label})", quote.article_id, children)):
            self.view.place_caret(start, reveal=False)
            self.set_current(self.state.quote(quote.id))
            self._say(f"Speaker: new {label} “{clip(self.state.text[start:end], 40)}” — saved "
                      "(press another label key on it to change its label)")

    def _cue_from_span(self, quote: Quote, start: int, end: int) -> None:
        snapped = self.state.snap(start, end)
        if snapped is None:
            self._say("The selection holds no word: no cue set.")
            return
        self.exit_pick()
        start, end = snapped
        if self._execute(UpdateQuote(quote, "Set cue", cue=SpanRef(start, end), status="accepted")):
            self.view.place_caret(start, reveal=False)
            self.set_current(self.state.quote(quote.id))
            self._say(f"Cue: “{clip(self.state.text[start:end], 30)}” — saved")

    def clear_speaker(self) -> None:
        quote = self._quote_or_say()
        if quote is not None and quote.speaker is not None:
            self._execute(UpdateQuote(quote, "Clear speaker", speaker=None))

    def clear_cue(self) -> None:
        quote = self._quote_or_say()
        if quote is not None and quote.cue is not None:
            self._execute(UpdateQuote(quote, "Clear cue", cue=None))

    def _speaker_from_combo(self, entity_id) -> None:
        quote = self.target_quote()
        if quote is None:
            return
        if entity_id is None:
            self.clear_speaker()
        elif entity_id >= 0 and self.state.entity(entity_id) is not None:
            self._speaker_from_entity(quote, self.state.entity(entity_id))

    def set_stance(self, name: str) -> None:
        quote = self._quote_or_say()
        if quote is None:
            return
        stance = None if quote.stance == name else name
        if self._execute(UpdateQuote(quote, f"Stance {stance or 'cleared'}", stance=stance, status="accepted")):
            self._say(f"Quote stance: {stance or 'not set'} — saved")

    def _stance_from_panel(self, name) -> None:
        quote = self.target_quote()
        if quote is not None:
            if self._execute(UpdateQuote(quote, f"Stance {name or 'cleared'}", stance=name, status="accepted")):
                self._say(f"Quote stance: {name or 'not set'} — saved")

    def toggle_kind(self) -> None:
        quote = self._quote_or_say()
        if quote is None:
            return
        kinds = list(self.config.quote_kinds)
        kind = kinds[(kinds.index(quote.kind) + 1) % len(kinds)] if quote.kind in kinds else kinds[0]
        if self._execute(UpdateQuote(quote, f"Quote {kind}", kind=kind, status="accepted")):
            self._say(f"Quote is {kind} — saved")

    def _kind_from_panel(self, kind: str) -> None:
        quote = self.target_quote()
        if quote is not None and kind != quote.kind:
            self._execute(UpdateQuote(quote, f"Quote {kind}", kind=kind, status="accepted"))

    # ---- article ---------------------------------------------------------------------------
    def _set_layer(self, text: str, **after) -> bool:
        if not self._needs_state():
            return False
        layer = self.state.layer
        before = {k: getattr(layer, k) for k in after}
        if before == after:
            return True
        pending = None  # what Done accepts: every pending suggestion held, shown or hidden
        if after.get("status") == "done":
            pending = [x for x in (*self.state.entities.values(), *self.state.quotes.values()) if x.is_pending]
        return self._execute(SetLayer(self.state.article.id, self.annotator, text, before, after, layer.version,
                                      pending))

    def set_article_stance(self, name: str | None, toggle: bool = True) -> None:
        if self.state is None:
            return
        stance = None if toggle and self.state.layer.stance == name else name
        if self._set_layer(f"Article stance {stance or 'cleared'}", stance=stance):
            self._say(f"Article stance: {stance or 'not set'} — saved")

    def _article_stance_from_panel(self, name) -> None:
        self.set_article_stance(name, toggle=False)

    def mark_done(self) -> None:
        if self.state is None:
            return
        if self.state.layer.status == "done" or self._set_layer("Mark done", status="done"):
            self.doneRequested.emit()

    def mark_in_progress(self) -> None:
        if self._set_layer("Mark in progress", status="in_progress"):
            self._say("Marked in progress — saved")

    def set_comment(self, comment: str, flagged: bool) -> None:
        if self._set_layer("Comment", comment=comment, flagged=flagged):
            self._say("Comment saved" + (" · flagged for review" if flagged else ""))

    def toggle_flag(self) -> None:
        if self.state is None:
            return
        flagged = not self.state.layer.flagged
        if self._set_layer("Flag" if flagged else "Unflag", comment=self.state.layer.comment, flagged=flagged):
            self._say("Flagged for review — saved" if flagged else "Flag removed — saved")

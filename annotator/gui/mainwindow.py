"""The annotation window: article browser (left), document (centre), quotes and stance (right)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox, QPushButton, QVBoxLayout, QWidget,
)

import annotator
from annotator.core.model import MODEL_LAYER
from annotator.core.store import LockedError, Store, StoreError
from annotator.project import suggestion_model
from annotator.gui import location
from annotator.gui.actions import MENU_ORDER, build_actions, shortcut_rows
from annotator.gui.annotate import AnnotationController
from annotator.gui.browser import ASYNC_POSITION_FROM, PAGE, BrowserPanel, statuses
from annotator.gui.commands import Editor
from annotator.gui.connections import sibling_store
from annotator.gui.docview import DocumentView
from annotator.gui.quote_panel import QuotePanel
from annotator.gui.settings import DEFAULT_FONT_SIZE, Settings
from annotator.gui.state import ArticleState
from annotator.gui.store_signals import StoreSignals
from annotator.gui.task_runner import TaskRunner
from annotator.gui.theme import apply_theme, plain_tooltip, span_styles
from annotator.gui.tools import PageWindow, TrainedDialog
from annotator.gui.window_files import IDLE_CHECKPOINT_MS, DatabaseFiles, open_windows
from annotator.gui.window_tasks import ProjectTasks
from annotator.gui.widgets import ArticleHeader, CommentDialog, LegendBar, ShortcutsDialog, show_error, show_info

GUI_LOCK_TIMEOUT = 0.25  # seconds the window waits for a locked database before retrying later
#: how often to look for changes made through other connections (background tasks, other windows,
#: other processes: SQLite's data_version); this window's own edits arrive as store events
POLL_MS = 1500
#: on a server, what other sessions announced (NOTIFY) is read this often: a team sees each other's work
#: within a second (each look is one round trip to the server)
SERVER_POLL_MS = 300
UNREACHABLE_POLL_MS = 3000  # while the database cannot be read: each look may wait for a connection
CONFIRM_PENDING = "confirmDoneWithPending"  # setting: ask before Done accepts pending suggestions
PAGE_TITLES = {"review": "Review gold", "agreement": "Agreement", "dashboard": "Dashboard"}
#: on a server, what only the project's lead may do (the server refuses it to others)
LEAD_ONLY = {"import_files": "import articles", "import_folder": "import articles", "export": "export",
             "export_gold": "export", "suggest_selected": "run the suggestion model",
             "suggest_all": "run the suggestion model", "suggestion_model": "choose the suggestion model",
             "train": "train a model"}
ROLE_TEXT = {"annotator": "an annotator", "reviewer": "a reviewer", "lead": "the lead",
             None: "not a member of this project"}



class MainWindow(ProjectTasks, DatabaseFiles, QMainWindow):
    firstPainted = Signal()

    def __init__(self, db_path: str, annotator_name: str | None, settings: Settings | None = None,
                 article_id: str | None = None):
        """`db_path`: a database file or a postgresql:// URL. On a server the annotator is the login
        (a lead may give another name); `annotator_name` is then optional."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or Settings()
        self.db_path = location.normalized(db_path)
        self.store = Store(self.db_path, timeout=GUI_LOCK_TIMEOUT)
        login, self.role = self.store.user_role()
        if login is not None and (self.role != "lead" or not annotator_name):
            annotator_name = login  # the server lets annotators and reviewers write only as themselves
        if not annotator_name:
            self.store.close()
            raise StoreError(f"{self.store.label}: no annotator name given")
        self.annotator = annotator_name
        reader_store = sibling_store(self.store, timeout=1.0)  # see connections.py: never a 2nd Store()
        self.config = self.store.config
        self.tool_windows: dict[str, PageWindow] = {}  # quality pages open, by name
        self.trained_dialog: TrainedDialog | None = None
        self.suggestion_model = suggestion_model.project_model(self.store, location.model_anchor(self.db_path))
        self.closed = False
        self.font_size = self.settings.font_size
        self.theme = self.settings.theme
        self._data_version = self._read_data_version()
        role = f", {self.role}" if self.store.server else ""
        self.setWindowTitle(f"{location.short_name(self.db_path)} — annotator ({annotator_name}{role})")

        apply_theme(QApplication.instance(), self.theme)  # before the widgets exist: no re-polish
        self.actions = build_actions(self, self.config)
        self.view = DocumentView()
        self.header = ArticleHeader()
        self.legend = LegendBar()
        central = QWidget()
        central.setObjectName("centre")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.legend)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

        self.browser = BrowserPanel(self.store, annotator_name, reader_store=reader_store)
        self.browser_dock = self._dock("Articles", "browserDock", self.browser, Qt.LeftDockWidgetArea)
        self.panel = QuotePanel(self.config)
        self.panel_dock = self._dock("Article and quotes", "quoteDock", self.panel, Qt.RightDockWidgetArea)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)

        self.editor = Editor(self.store, self)
        self.controller = AnnotationController(self.store, annotator_name, self.editor, self.view, self.panel, self)
        self.controller.set_hidden_sources(self.settings.hidden_sources())
        self.panel.editor.bind(self.actions)
        self.panel.article.bind(self.actions)

        self._build_status_bar()
        self._build_menus()
        self._connect()
        self._apply_role()
        self._browser_timer = QTimer(self)
        self._browser_timer.setSingleShot(True)
        self._browser_timer.setInterval(250)
        self._browser_timer.timeout.connect(self._refresh_edited)
        self._edited_ids: set[str] = set()
        self.store_signals = StoreSignals(self.store, self)
        self.store_signals.changed.connect(self._changes_stored)
        self._total: int | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(SERVER_POLL_MS if self.store.server else POLL_MS)
        self._poll.timeout.connect(self._check_outside_changes)
        self._poll.start()
        QApplication.instance().aboutToQuit.connect(self._shutdown)
        self._reopen_timer = QTimer(self)
        self._reopen_timer.setSingleShot(True)
        self._reopen_timer.setInterval(500)
        self._reopen_timer.timeout.connect(self._retry_open_layer)
        self._layer_pending = False
        self._idle_timer = QTimer(self)  # restarted by every stored edit: a checkpoint once idle
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(IDLE_CHECKPOINT_MS)
        self._idle_timer.timeout.connect(self.checkpoint)

        self._apply_theme(self.theme, save=False)
        self._apply_font(self.font_size, save=False)
        self._restore_layout()
        self.settings.add_recent(self.db_path)
        for problem in self.actions.problems:
            self.statusBar().showMessage(problem, 8000)

        start = article_id or self.settings.last_article(self.db_path, annotator_name)
        if start and not self._exists(start):
            start = None
        start = start or self.store.next_article(None, annotator_name, not_done=True) or \
            self.store.next_article(None, annotator_name)
        if start:
            self.open_article(start)
        else:
            self.controller.show(None)
            self.header.show_article("No articles yet", "File ▸ Import files… (Ctrl+I) adds articles to this database.")
            self._update_position()
        if start and self.settings.useful_order(self.db_path, annotator_name):
            self.set_useful_order(True)  # as the annotator left it (recomputed: done articles drop out)

    # ---- construction ----------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.tasks = TaskRunner(self, lambda: self.closed, self._refresh_browser,
                                lambda text: self.statusBar().showMessage(text, 6000))
        # the task box's parts, as the tests and dialogs look them up
        self.task_box, self.task_label = self.tasks, self.tasks.label
        self.task_progress, self.task_cancel = self.tasks.progress, self.tasks.cancel_button
        self.save_label = QLabel()
        self.save_label.setObjectName("saveState")
        self.discard_button = QPushButton("Discard edit")
        self.discard_button.setToolTip("Give up the edit that waits for the database (locked, or the server away); "
                                       "it is not stored")
        self.discard_button.clicked.connect(self.editor_discard)
        self.discard_button.hide()
        self.position_label = QLabel()
        self.position_label.setObjectName("positionLabel")
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        role = f" ({self.role})" if self.store.server else ""
        self.annotator_label = QLabel(f"Annotator: {self.annotator}{role}")
        self.annotator_label.setObjectName("annotatorLabel")
        self.annotator_label.setToolTip(
            f"You annotate your own layer, as your login; your role in the project: {ROLE_TEXT[self.role]}"
            if self.store.server else "You annotate your own layer (File ▸ Switch annotator…)")
        self.db_label = QLabel(location.short_name(self.db_path) if self.store.server else self._short_path(self.db_path))
        self.db_label.setObjectName("dbLabel")
        self.db_label.setToolTip(plain_tooltip(self.store.label))
        for label in (self.save_label, self.position_label, self.model_label, self.annotator_label,
                      self.db_label):
            label.setTextFormat(Qt.PlainText)  # names of people and files are data, never markup
        for w in (self.task_box, self.save_label, self.discard_button, self.position_label, self.model_label,
                  self.annotator_label, self.db_label):
            bar.addPermanentWidget(w)
        self._set_save_state("saved", "")

    @staticmethod
    def _short_path(path: str) -> str:
        """A file or server project as the status bar and recent menu show it (never a password)."""
        shown = location.shown_location(location.redacted(path))
        return shown if len(shown) <= 48 else "…" + shown[-47:]

    def _build_menus(self) -> None:
        a = self.actions
        menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENU_ORDER}
        file = menus["File"]
        file.addAction(a["open_db"])
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file.addSeparator()
        for name in ("import_files", "import_folder", "export", "export_gold"):
            file.addAction(a[name])
        file.addSeparator()
        file.addAction(a["backup"])
        file.addSeparator()
        file.addAction(a["switch_annotator"])
        file.addSeparator()
        file.addAction(a["quit"])
        edit = menus["Edit"]
        for name in ("undo", "redo"):
            edit.addAction(a[name])
        edit.addSeparator()
        labels = edit.addMenu("&Label selection")
        for label in self.config.labels:
            labels.addAction(a[f"label:{label.name}"])
        edit.addAction(a["delete"])
        bounds = edit.addMenu("Span &bounds")
        for name in ("extend_left", "extend_right", "shrink_left", "shrink_right"):
            bounds.addAction(a[name])
        edit.addAction(a["split"])
        edit.addAction(a["merge"])
        edit.addSeparator()
        for name in ("next_span", "previous_span", "clear"):
            edit.addAction(a[name])
        edit.addSeparator()
        edit.addAction(a["find"])
        suggestions = menus["Suggestions"]
        for name in ("accept", "reject", "accept_all"):
            suggestions.addAction(a[name])
        suggestions.addSeparator()
        suggestions.addAction(a["accept_moves_on"])
        suggestions.addSeparator()
        for name in ("next_suggestion", "previous_suggestion"):
            suggestions.addAction(a[name])
        quote = menus["Quote"]
        for name in ("quote", "set_speaker", "set_cue", "clear_speaker", "clear_cue", "toggle_kind"):
            quote.addAction(a[name])
        stance = quote.addMenu("S&tance")
        for s in self.config.stance_labels:
            stance.addAction(a[f"stance:{s.name}"])
        quote.addSeparator()
        quote.addAction(a["next_quote"])
        quote.addAction(a["previous_quote"])
        article = menus["Article"]
        article_stance = article.addMenu("Article &stance")
        for s in self.config.stance_labels:
            article_stance.addAction(a[f"article_stance:{s.name}"])
        article.addAction(a["mark_done"])
        article.addAction(a["mark_in_progress"])
        article.addSeparator()
        article.addAction(a["next_article"])
        article.addAction(a["previous_article"])
        article.addAction(a["useful_order"])
        article.addSeparator()
        article.addAction(a["comment"])
        article.addAction(a["flag"])
        view = menus["View"]
        for name in ("font_bigger", "font_smaller", "font_reset"):
            view.addAction(a[name])
        view.addSeparator()
        view.addAction(a["show_model"])
        view.addAction(a["show_rule"])
        view.addSeparator()
        view.addAction(a["theme_light"])
        view.addAction(a["theme_dark"])
        view.addSeparator()
        view.addAction(self.browser_dock.toggleViewAction())
        view.addAction(self.panel_dock.toggleViewAction())
        tools = menus["Tools"]
        for name in ("suggest_selected", "suggest_all", "suggestion_model"):
            tools.addAction(a[name])
        tools.addSeparator()
        for name in ("review", "agreement", "dashboard"):
            tools.addAction(a[name])
        tools.addSeparator()
        tools.addAction(a["train"])
        tools.addSeparator()
        tools.addAction(a["cancel_task"])
        help_ = menus["Help"]
        help_.addAction(a["shortcuts"])
        help_.addAction(a["about"])
        menus["Label"] = labels
        self.menus = menus
        # annotation keys work in the text and in the quote list, not while typing elsewhere
        for action in self.actions.scope("doc"):
            self.view.addAction(action)
            self.panel.list.addAction(action)

    def _connect(self) -> None:
        a, c = self.actions, self.controller
        handlers = {
            "open_db": self.choose_database, "import_files": self.import_files, "import_folder": self.import_folder,
            "export": self.export, "export_gold": lambda: self.export(gold=True), "backup": self.back_up,
            "switch_annotator": self.switch_annotator, "quit": self.close,
            "undo": self.undo, "redo": self.redo, "find": self.focus_search,
            "delete": c.delete, "extend_left": lambda: c.resize("extend_left"),
            "extend_right": lambda: c.resize("extend_right"), "shrink_left": lambda: c.resize("shrink_left"),
            "shrink_right": lambda: c.resize("shrink_right"), "split": c.split, "merge": c.merge,
            "next_span": lambda: c.next_span(1), "previous_span": lambda: c.next_span(-1), "clear": c.clear,
            "accept": c.accept, "reject": c.reject, "accept_all": c.accept_all,
            "accept_moves_on": lambda: self.set_accept_moves_on(a["accept_moves_on"].isChecked()),
            "next_suggestion": lambda: c.next_suggestion(1), "previous_suggestion": lambda: c.next_suggestion(-1),
            "quote": c.quote, "set_speaker": c.set_speaker, "set_cue": c.set_cue, "clear_speaker": c.clear_speaker,
            "clear_cue": c.clear_cue, "toggle_kind": c.toggle_kind,
            "next_quote": lambda: c.next_quote(1), "previous_quote": lambda: c.next_quote(-1),
            "mark_done": self.mark_done, "mark_in_progress": c.mark_in_progress,
            "next_article": lambda: self.step_article(1), "previous_article": lambda: self.step_article(-1),
            "comment": self.edit_comment, "flag": c.toggle_flag,
            "font_bigger": lambda: self._apply_font(self.font_size + 1),
            "font_smaller": lambda: self._apply_font(self.font_size - 1),
            "font_reset": lambda: self._apply_font(DEFAULT_FONT_SIZE),
            "show_model": self._suggestion_visibility, "show_rule": self._suggestion_visibility,
            "theme_light": lambda: self._apply_theme("light"), "theme_dark": lambda: self._apply_theme("dark"),
            "suggest_selected": lambda: self.run_suggestions(all_articles=False),
            "suggest_all": lambda: self.run_suggestions(all_articles=True), "cancel_task": self.cancel_task,
            "suggestion_model": self.choose_suggestion_model, "review": self.open_review,
            "agreement": lambda: self.open_page("agreement"), "dashboard": lambda: self.open_page("dashboard"),
            "train": self.train_model, "useful_order": lambda: self.set_useful_order(a["useful_order"].isChecked()),
            "shortcuts": self.show_shortcuts, "about": self.show_about,
        }
        for label in self.config.labels:
            handlers[f"label:{label.name}"] = lambda name=label.name: c.label(name)
        for s in self.config.stance_labels:
            handlers[f"stance:{s.name}"] = lambda name=s.name: c.set_stance(name)
            handlers[f"article_stance:{s.name}"] = lambda name=s.name: c.set_article_stance(name)
        keep_pick = {"accept", "set_speaker", "set_cue", "clear", "undo", "redo"}
        for name, handler in handlers.items():
            def run(checked=False, name=name, handler=handler):
                if c.pick and name not in keep_pick:
                    c.exit_pick()
                handler()
            a[name].triggered.connect(run)
        hidden = self.settings.hidden_sources()
        a["show_model"].setChecked("model" not in hidden)
        a["show_rule"].setChecked("rule" not in hidden)
        self.set_accept_moves_on(self.settings.accept_moves_on)
        c.message.connect(lambda text: self.statusBar().showMessage(text, 12000))
        c.doneRequested.connect(self.go_to_next_not_done)
        c.currentChanged.connect(self._current_changed)
        self.editor.saveState.connect(self._set_save_state)
        self.editor.applied.connect(self._stored)
        self.editor.stack.canUndoChanged.connect(lambda *_: self._update_undo_actions())
        self.editor.stack.canRedoChanged.connect(lambda *_: self._update_undo_actions())
        self.editor.stack.indexChanged.connect(lambda *_: self._update_undo_actions())
        self._update_undo_actions()
        self.browser.articleChosen.connect(self._article_chosen)
        self.browser.orderRequested.connect(self.set_useful_order)
        self._show_model()
        if self.browser.reader is not None:
            self.browser.reader.positionRead.connect(self._position_read)
        self.browser.model.failed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.view.contextRequested.connect(self._context_menu)
        self.view.firstPaint.connect(self.firstPainted.emit)

    def _apply_role(self) -> None:
        """What this login's role may not do on a server is disabled, with a tooltip saying why (the
        server refuses it anyway); a server project is not backed up from the window."""
        if not self.store.server:
            return
        backup = self.actions["backup"]
        backup.setEnabled(False)
        backup.setToolTip(self.server_backup_tip())
        backup.setStatusTip(self.server_backup_tip())
        for menu in self.menus.values():
            menu.setToolTipsVisible(True)
        if self.role == "lead":
            return
        who = f"you ({self.annotator}) are {ROLE_TEXT[self.role]}"
        for name, what in LEAD_ONLY.items():
            self.actions[name].setEnabled(False)
            self.actions[name].setToolTip(f"Only the project's lead may {what}; {who}.")
        self.actions["switch_annotator"].setEnabled(False)
        self.actions["switch_annotator"].setToolTip(f"On a server you annotate as your login; {who}.")

    @property
    def may_review(self) -> bool:
        """Whether this login may write the gold layer (a reviewer or the lead; anyone on a file)."""
        return self.role in ("reviewer", "lead")

    # ---- articles --------------------------------------------------------------------------
    def _exists(self, article_id: str) -> bool:
        try:
            self.store.get_article(article_id)
        except StoreError:
            return False
        return True

    def open_article(self, article_id: str, focus_text: bool = True) -> bool:
        """Show an article with the annotator's layer (seeded with suggestions on first opening)."""
        self.controller.exit_pick()
        try:
            article = self.store.get_article(article_id)
        except StoreError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False
        self._layer_pending = False
        try:
            layer = self.store.open_layer(article_id, self.annotator)
        except LockedError:
            layer = self.store.get_layer(article_id, self.annotator)
            self._layer_pending = True
            self._reopen_timer.start()
            self.statusBar().showMessage("The database is locked by another program: suggestions will appear "
                                         "when it is free (retrying).", 8000)
        except StoreError as exc:
            show_error(self, "Cannot open the article", str(exc))
            return False
        self.controller.show(ArticleState(self.store, article, layer))
        meta = " · ".join(x for x in (article.source, article.date, article.id) if x)
        self.header.show_article(article.title or article.id, meta)
        self.browser.select_article(article_id)
        self._update_position()
        self.settings.set_last_article(self.db_path, self.annotator, article_id)
        if focus_text:
            self.view.setFocus()
        return True

    def _retry_open_layer(self) -> None:
        state = self.controller.state
        if state is None or not self._layer_pending:
            return
        try:
            self.store.open_layer(state.article.id, self.annotator)
        except LockedError:
            self._reopen_timer.start()
            return
        except StoreError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self._layer_pending = False
        self.controller.reload()

    @property
    def article_id(self) -> str | None:
        return self.controller.state.article.id if self.controller.state else None

    def _article_chosen(self, article_id: str, focus_text: bool) -> None:
        if article_id != self.article_id:
            self.open_article(article_id, focus_text)
        elif focus_text:
            self.view.setFocus()

    def step_article(self, step: int) -> None:
        useful = self.browser.model.order is not None
        if useful:
            target = self._next_in_order(self.article_id, step)
        else:
            target = self.store.next_article(self.article_id, self.annotator, step=step)
        if target is None:
            where = " of the most useful order" if useful else ""
            self.statusBar().showMessage(f"This is the {'last' if step > 0 else 'first'} article{where}.", 5000)
            return
        self.open_article(target)

    _accepted_on_done = 0  # pending suggestions the Done being run accepts (for its status message)
    done_confirmation: QMessageBox | None = None  # the question before Done accepts pending suggestions

    def mark_done(self) -> None:
        """Ctrl+Enter. Says first what Done does to the suggestions still pending (the project's
        done_with_pending): "accept" asks (unless turned off) and then accepts them with the status;
        "refuse" does not mark done and selects the first pending one."""
        state = self.controller.state
        if state is None:
            return
        pending = 0 if state.layer.status == "done" else self.store.pending_count(self.article_id, self.annotator)
        if pending and self.config.done_with_pending == "refuse":
            shown = state.pending()
            if shown:
                self.controller.set_current(shown[0], move_caret=True)
            self.statusBar().showMessage(
                f"Not marked done: {pending} suggestion{'s are' if pending != 1 else ' is'} still pending. Accept (A) "
                "or reject (X) each first; this project asks to decide each.", 15000)
            return
        if pending and not self._confirm_accept_pending(pending):
            self.statusBar().showMessage("Not marked done: Tab goes to the pending suggestions.", 8000)
            return
        self._accepted_on_done = pending
        self.controller.mark_done()
        self._accepted_on_done = 0

    def _confirm_accept_pending(self, pending: int) -> bool:
        self.statusBar().showMessage(f"{pending} pending suggestion{'s' if pending != 1 else ''} will be accepted "
                                     "by marking done.", 15000)
        if not self.settings.q.value(CONFIRM_PENDING, True, type=bool):
            return True
        s = "s" if pending != 1 else ""
        box = QMessageBox(QMessageBox.Question, "Mark done", f"{pending} pending suggestion{s} will be accepted.",
                          QMessageBox.Ok | QMessageBox.Cancel, self)
        box.setTextFormat(Qt.PlainText)
        box.setInformativeText(f"Done takes what is still shown as your answer. To decide each first, choose "
                               "Cancel and go through them with Tab, A and X.")
        box.button(QMessageBox.Ok).setText(f"Accept {pending} and mark done")
        box.setDefaultButton(QMessageBox.Ok)
        dont_ask = QCheckBox("Do not ask again (the status bar still says how many)")
        box.setCheckBox(dont_ask)
        self.done_confirmation = box
        box.exec()
        accepted = box.clickedButton() is box.button(QMessageBox.Ok)
        self.done_confirmation = None
        self.view.setFocus()  # the keys of the text work again at once
        if accepted and dont_ask.isChecked():
            self.settings.set_value(CONFIRM_PENDING, False)
        return accepted

    def go_to_next_not_done(self) -> None:
        current = self.article_id
        accepted = self._accepted_on_done
        said = f"Marked done — saved; {accepted} pending suggestion{'s' if accepted != 1 else ''} accepted. " \
            if accepted else "Marked done — saved. "
        useful = self.browser.model.order is not None
        if useful:
            target = self._next_in_order(current, not_done=True)
        else:
            target = self.store.next_article(current, self.annotator, not_done=True) or \
                self.store.next_article(None, self.annotator, not_done=True)
        if target is None or target == current:
            left = " of the most useful order" if useful else ""
            self.statusBar().showMessage(f"{said}Every article{left} is done. 🎉", 12000)
            self._refresh_browser()
            return
        self.open_article(target)
        self.statusBar().showMessage(said + (
            "Next in the most useful order." if useful else "Next article not done."), 6000 + 4000 * bool(accepted))

    def _next_in_order(self, current: str | None, step: int = 1, not_done: bool = False) -> str | None:
        """The article after (before) `current` in the most useful order; with `not_done`, the next
        one not done, from the start again after the end."""
        order = self.browser.model.order or []
        try:
            i = order.index(current)
        except ValueError:
            i = -1 if step > 0 else len(order)
        if not not_done:
            j = i + step
            return order[j] if 0 <= j < len(order) else None
        candidates = order[i + 1:] + order[:max(i, 0)]
        for k in range(0, len(candidates), PAGE):
            batch = candidates[k:k + PAGE]
            status = statuses(self.store, self.annotator, batch)
            for article_id in batch:
                if status[article_id] != "done":
                    return article_id
        return None

    def _update_position(self, recount: bool = False) -> None:
        if recount or self._total is None:
            self._total = self.store.article_count()
        total = self._total
        order = self.browser.model.order
        if self.article_id and order is not None and self.article_id in order:
            self.position_label.setText(f"{order.index(self.article_id) + 1:,} / {len(order):,} useful")
            self.position_label.setToolTip("Position in the most useful order (Article ▸ Order: most useful next)")
            return
        self.position_label.setToolTip("Position in the corpus")
        if not self.article_id:
            self.position_label.setText(f"– / {total:,}")
        elif self.browser.reader is not None and total >= ASYNC_POSITION_FROM:
            self.browser.reader.read_position(self.article_id)  # counting is slow in a big database
        else:
            self._position_read(self.article_id, self.store.position(self.article_id))

    def _position_read(self, article_id: str, position: int) -> None:
        if article_id == self.article_id and self.browser.model.order is None:
            self.position_label.setText(f"{position:,} / {self._total or 0:,}")

    def _changes_stored(self, changes) -> None:
        """This window or another session stored changes (the store's event, StoreSignals): refresh
        their rows soon."""
        self._edited_ids |= changes.articles
        self._browser_timer.start()

    def _refresh_edited(self) -> None:
        """After our own edits: the rows of the edited articles and the progress bar."""
        if self.closed:
            return
        if any(self.browser.model.filters.values()):
            self._refresh_browser()  # an edit may take an article in or out of the filter
        else:
            for article_id in self._edited_ids:
                self.browser.model.refresh_article(article_id)
            self.browser.update_counts()
        self._edited_ids.clear()

    def _refresh_browser(self) -> None:
        if self.closed:
            return
        self.browser.refresh()
        self.browser.select_article(self.article_id, scroll=False)

    def _current_changed(self) -> None:
        item = self.controller.current_item()
        if item is not None:
            self.statusBar().showMessage(self.controller.describe(item), 15000)

    def _check_outside_changes(self) -> None:
        """Show what other windows, processes or people (or a background task) stored: the store tells
        which articles and layers (Store.poll_changes; its observers, StoreSignals, refresh those rows
        of the list), and this reloads the open article, the review page and the model shown."""
        if self.closed:
            return
        version = self._read_data_version()
        polling = SERVER_POLL_MS if self.store.server else POLL_MS
        self._poll.setInterval(polling if version is not None else max(polling, UNREACHABLE_POLL_MS))
        if version is None:
            self._say_unreachable()
            return
        if version == self._data_version:
            return
        self._data_version = version
        try:
            changes = self.store.poll_changes()
            self._show_model()  # another annotator may have chosen another one
            if changes.everything:
                self._refresh_browser()
            review = self.tool_windows.get("review")
            if review is not None and review.page.editor.pending is None:
                review.page.refresh()  # a reviewer elsewhere may have settled gold
            shown = {self.annotator, MODEL_LAYER}
            if self.editor.pending is None and not self.controller.pick and (changes.everything or any(
                    article == self.article_id and layer in shown for article, layer in changes.layers)):
                self.controller.reload()
            if changes.everything or changes.articles - {article for article, _ in changes.layers}:
                self._update_position(recount=True)  # articles were added
        except StoreError as exc:
            self._data_version = None  # look again at the next poll
            self.statusBar().showMessage(str(exc), POLL_MS + 500)

    def _reload_article(self) -> None:
        """Show the open article as stored now (another session changed it)."""
        self.controller.reload()
        self._update_position(recount=True)

    def _read_data_version(self) -> int | None:
        """The store's outside_version(); None when the database cannot be read now."""
        try:
            return self.store.outside_version()
        except Exception:  # noqa: BLE001  (any failure to read: look again at the next poll)
            return None

    def _say_unreachable(self) -> None:
        if self.editor.pending is None:
            self.statusBar().showMessage(f"{self.store.label}: the server cannot be reached; your work so far is "
                                         "stored, and the window tries again.", UNREACHABLE_POLL_MS + 500)

    # ---- undo ------------------------------------------------------------------------------
    def undo(self) -> None:
        command = self.editor.next_undo()
        if command is not None and command.article_id != self.article_id:
            self.open_article(command.article_id)  # show what is being undone
        self.editor.undo()

    def redo(self) -> None:
        command = self.editor.next_redo()
        if command is not None and command.article_id != self.article_id:
            self.open_article(command.article_id)
        self.editor.redo()

    def _update_undo_actions(self) -> None:
        if self.closed or not shiboken6.isValid(self.editor.stack):
            return
        undo, redo = self.editor.next_undo(), self.editor.next_redo()
        self.actions["undo"].setEnabled(undo is not None)
        self.actions["redo"].setEnabled(redo is not None)
        self.actions["undo"].setText(f"&Undo {undo.text()}" if undo else "&Undo")
        self.actions["redo"].setText(f"&Redo {redo.text()}" if redo else "&Redo")

    def editor_discard(self) -> None:
        self.editor.discard_pending()

    def _set_save_state(self, state: str, message: str) -> None:
        styles = {"saved": ("✓ saved", "#2f9e44"), "waiting": ("⟳ database locked — retrying", "#d9480f"),
                  "offline": ("✗ not saved — retrying", "#c92a2a"), "failed": ("✗ not saved", "#c92a2a"),
                  "conflict": ("✗ not saved — changed elsewhere", "#c92a2a")}
        text, color = styles[state]
        if state == "conflict":  # show what the other session stored (the refused edit changed nothing)
            try:
                self._reload_article()
                self._refresh_browser()
            except StoreError:
                pass  # cannot read now: the next poll shows it
        elif state == "failed" and self.editor.pending is None:
            text, color = ("✓ saved", "#2f9e44")  # the refused edit changed nothing; what is shown is stored
        self.save_label.setText(text)
        self.save_label.setStyleSheet(f"color: {color}; font-weight: 600; padding: 0 6px;")
        if self.editor.pending is not None:
            tip = self.editor.pending_reason
        elif state == "conflict":
            tip = self.editor.refusal
        else:
            tip = "Every edit is written to the database at once; nothing waits for a save."
        self.save_label.setToolTip(plain_tooltip(tip))
        self.discard_button.setVisible(self.editor.pending is not None)
        if message:
            self.statusBar().showMessage(message, 15000 if state != "saved" else 6000)

    # ---- comment ---------------------------------------------------------------------------
    def edit_comment(self) -> None:
        state = self.controller.state
        if state is None:
            return
        dialog = CommentDialog(state.layer.comment, state.layer.flagged, self)
        if dialog.exec():
            self.controller.set_comment(dialog.text.toPlainText().strip(), dialog.flag.isChecked())
        self.view.setFocus()

    def focus_search(self) -> None:
        self.browser_dock.show()
        self.browser.search.setFocus()
        self.browser.search.selectAll()

    def _context_menu(self, pos) -> None:
        self.context_menu().exec(pos)

    def context_menu(self) -> QMenu:
        """The right-click menu of the text: what applies to the selection or the span there."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WA_DeleteOnClose)
        a = self.actions
        item = self.controller.current_item()
        if self.view.selection() is not None:
            for label in self.config.labels:
                menu.addAction(a[f"label:{label.name}"])
            menu.addAction(a["quote"])
            if self.controller.target_quote() is not None:
                menu.addAction(a["set_speaker"])
                menu.addAction(a["set_cue"])
        elif item is not None:
            if item.is_pending:
                menu.addAction(a["accept"])
                menu.addAction(a["reject"])
            menu.addAction(a["delete"])
            relabel = menu.addMenu("Label")
            for label in self.config.labels:
                relabel.addAction(a[f"label:{label.name}"])
            stance = menu.addMenu("Stance")
            for s in self.config.stance_labels:
                stance.addAction(a[f"stance:{s.name}"])
            menu.addAction(a["split"])
            menu.addAction(a["merge"])
        menu.addSeparator()
        menu.addAction(a["accept_all"])
        return menu

    # ---- view settings ---------------------------------------------------------------------
    def _apply_font(self, size: float, save: bool = True) -> None:
        size = min(max(size, 7.0), 40.0)
        self.font_size = size
        self.view.set_font_size(size)
        self.header.apply_fonts(size)
        if save:
            self.settings.font_size = size
            self.statusBar().showMessage(f"Text size {size:g} pt", 3000)

    def _apply_theme(self, theme: str, save: bool = True) -> None:
        self.theme = theme
        app = QApplication.instance()
        apply_theme(app, theme)
        styles = span_styles(self.config, theme)
        self.view.set_styles(styles)
        self.legend.build(self.config, styles, self.actions)
        self.header.apply_fonts(self.font_size)
        self.actions[f"theme_{theme}"].setChecked(True)
        if save:
            self.settings.theme = theme

    def _suggestion_visibility(self) -> None:
        hidden = set()
        if not self.actions["show_model"].isChecked():
            hidden.add("model")
        if not self.actions["show_rule"].isChecked():
            hidden.add("rule")
        self.settings.set_hidden_sources(hidden)
        self.controller.set_hidden_sources(hidden)

    def _restore_layout(self) -> None:
        geometry = self.settings.bytes_value("geometry")
        if isinstance(geometry, (bytes, QByteArray)) and geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.bytes_value("windowState")
        if isinstance(state, (bytes, QByteArray)) and state:
            self.restoreState(state)
        else:
            self.resizeDocks([self.browser_dock, self.panel_dock], [300, 340], Qt.Horizontal)
        splitter = self.settings.bytes_value("quoteSplitter")
        if isinstance(splitter, (bytes, QByteArray)) and splitter:
            self.panel.splitter.restoreState(splitter)

    def save_layout(self) -> None:
        self.settings.set_value("geometry", self.saveGeometry())
        self.settings.set_value("windowState", self.saveState())
        self.settings.set_value("quoteSplitter", self.panel.splitter.saveState())
        self.settings.font_size = self.font_size
        if self.article_id:
            self.settings.set_last_article(self.db_path, self.annotator, self.article_id)
        self.settings.sync()

    def _shutdown(self) -> None:
        """The application quits without closing this window: stop the threads."""
        if not self.closed:
            self.tasks.stop()
            self.browser.stop()

    def closeEvent(self, event) -> None:
        if self.editor.pending is not None:
            self.editor._retry_pending()  # one last try
        if self.editor.pending is not None:
            why = ("The server still cannot be reached" if self.editor.offline else
                   "The database is still locked by another program")
            show_error(self, "An edit is not stored",
                       f"{why}, so your last edit could not be stored ({self.editor.pending_reason}). Try again "
                       "later, or use “Discard edit”.")
            event.ignore()
            return
        self.save_layout()
        for window in list(self.tool_windows.values()):
            window.close()  # the pages use this window's Store
        self.tasks.stop()
        for timer in (self._poll, self._browser_timer, self._reopen_timer):
            timer.stop()
        self.editor.clear()
        self.browser.stop()
        self._idle_timer.stop()
        self.checkpoint()
        self.closed = True
        self.store_signals.detach()
        self.store.close()
        if self in open_windows:
            open_windows.remove(self)
        super().closeEvent(event)

    # ---- quality pages -----------------------------------------------------------------------
    def open_page(self, name: str) -> PageWindow:
        """Open (or bring up and refresh) a quality page in a window of its own."""
        window = self.tool_windows.get(name)
        if window is None:
            if name == "review":
                from annotator.gui.quality.review import ReviewWidget

                read_only = None if self.may_review else (
                    f"Read only: only a reviewer or the lead may settle gold; you ({self.annotator}) are "
                    f"{ROLE_TEXT[self.role]}.")
                make = lambda parent: ReviewWidget(self.store, self.annotator, parent, read_only=read_only)  # noqa: E731
            elif name == "agreement":
                from annotator.gui.quality.agreement_page import AgreementPage

                make = lambda parent: AgreementPage(self.store, parent)  # noqa: E731
            else:
                from annotator.gui.quality.dashboard import DashboardPage

                make = lambda parent: DashboardPage(self.store, parent)  # noqa: E731
            title = f"{PAGE_TITLES[name]} — {location.short_name(self.db_path)}"
            if name == "review":
                title += f" (reviewer: {self.annotator})"
            window = PageWindow(name, title, make, self.settings, self)
            window.page.articleRequested.connect(self.show_requested_article)
            window.setAttribute(Qt.WA_DeleteOnClose)
            window.closed.connect(lambda n: self.tool_windows.pop(n, None))
            self.tool_windows[name] = window
        else:
            window.page.refresh()
        window.present()
        return window

    def open_review(self) -> PageWindow:
        """The review of the open article into gold, with this annotator as the reviewer."""
        window = self.open_page("review")
        if self.article_id:
            window.page.set_article(self.article_id)
        return window

    def show_requested_article(self, article_id: str) -> None:
        """A quality page asks for an article: show it here."""
        if self.open_article(article_id):
            self.raise_()
            self.activateWindow()

    # ---- help ------------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        ShortcutsDialog(shortcut_rows(self.actions), self).exec()

    def show_about(self) -> None:
        show_info(self, "About annotator",
                  f"annotator {annotator.__version__}\n\nAnnotate named entities, quotations with their speaker and "
                  f"cue, and stance toward “{self.config.target}” in Indonesian news.\n\n"
                  f"Project: {self.config.name}\nDatabase: {self.store.label}\nAnnotator: {self.annotator}\n"
                  f"Qt {QApplication.instance().applicationVersion() or ''}".rstrip())


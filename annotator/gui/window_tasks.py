"""The main window's project work: import, export, suggestions and their model, training, and the
"most useful next" order. Each runs in the background through the window's TaskRunner."""

from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog

from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store, StoreError
from annotator.project import suggestion_model
from annotator.gui import location
from annotator.gui.connections import sibling_store
from annotator.gui.theme import plain_tooltip
from annotator.gui.tools import SuggestionModelDialog, TrainDialog, TrainedDialog, describe_model
from annotator.gui.widgets import show_error, show_info
from annotator.gui.workers import export_work, import_work, order_work, suggest_work, train_work


ORDER_TITLE = "Ordering by usefulness"
EXPORT_FORMATS = {"JSONL (*.jsonl)": "jsonl", "spaCy DocBin (*.spacy)": "spacy", "CoNLL (*.conll)": "conll",
                  "CSV (*.csv)": "csv", "brat standoff (a folder)": "brat"}


class ProjectTasks:
    """Part of MainWindow (a mixin: it uses the window's store, browser, controller and tasks)."""

    # ---- background tasks ------------------------------------------------------------------
    @property
    def task(self):
        """The background task that runs (None: none)."""
        return self.tasks.task

    def _start_task(self, title: str, work, on_done, modal: bool, *, percent: bool = False,
                    on_failed: Callable[[str], None] | None = None) -> bool:
        """Run `work(task)` in the background (TaskRunner.start)."""
        return self.tasks.start(title, work, on_done, modal, percent=percent, on_failed=on_failed)

    def _task_store(self, tokenizer=None) -> Store:
        """A connection for a background task (made in the task's thread, used only there)."""
        return sibling_store(self.store, timeout=30.0, tokenizer=tokenizer)

    @property
    def files_folder(self) -> str:
        """Where the file dialogs start: beside a database file; the home folder for a server project."""
        return os.path.expanduser("~") if self.store.server else os.path.dirname(self.db_path)

    def cancel_task(self) -> None:
        self.tasks.cancel()

    def import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", self.files_folder,
            "Articles (*.txt *.jsonl *.json *.conll *.iob *.bio *.csv *.tsv);;All files (*)")
        if paths:
            self.import_paths(paths)

    def import_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import a folder of articles", self.files_folder)
        if path:
            self.import_paths([path])

    def import_paths(self, paths: list[str]) -> bool:
        return self._start_task("Importing", import_work(self._task_store, paths), self._import_done, modal=True)

    def _import_done(self, summary, cancelled: bool) -> None:
        self._refresh_browser()
        self._update_position(recount=True)
        if summary is None:
            self.statusBar().showMessage("Import cancelled.", 8000)
            return
        details = "\n".join(str(p) for p in summary.problems[:500])
        text = summary.line() + (" (cancelled)" if cancelled else "")
        if summary.problems:
            show_info(self, "Import finished", text, details)
        self.statusBar().showMessage(text, 15000)
        if self.actions["useful_order"].isChecked():
            self.compute_useful_order()  # the new articles take their place
        if self.article_id is None:
            first = self.store.next_article(None, self.annotator)
            if first:
                self.open_article(first)

    def export(self, gold: bool = False) -> None:
        whose = "the gold layer's" if gold else f"{self.annotator}'s"
        path, chosen = QFileDialog.getSaveFileName(self, f"Export {whose} annotations",
                                                   self.files_folder, ";;".join(EXPORT_FORMATS))
        if not path:
            return
        fmt = EXPORT_FORMATS.get(chosen) or {".spacy": "spacy", ".conll": "conll", ".csv": "csv"}.get(
            os.path.splitext(path)[1].lower(), "jsonl")
        self.export_to(path, fmt, gold=gold)

    def export_to(self, path: str, fmt: str = "jsonl", gold: bool = False) -> bool:
        def done(summary, cancelled: bool) -> None:
            text = summary.line() if summary is not None and hasattr(summary, "line") else (
                f"Export {'cancelled' if cancelled else 'written'}: {path}")
            self.statusBar().showMessage(text, 15000)

        layer = GOLD_LAYER if gold else self.annotator
        return self._start_task("Exporting", export_work(self._task_store, path, fmt, layer, gold), done, modal=True)

    def run_suggestions(self, all_articles: bool) -> bool:
        ids = None if all_articles else (self.browser.selected_ids() or ([self.article_id] if self.article_id else []))
        if ids == []:
            self.statusBar().showMessage("Select articles in the list first.", 6000)
            return False
        what = "all articles" if ids is None else f"{len(ids)} article{'s' * (len(ids) != 1)}"
        model = self._show_model()
        if model.problem:
            choose = f"Tools ▸ Suggestion model… ({self._keys('suggestion_model')})"
            if model.kind == "elsewhere":  # chosen on another computer: nothing is wrong with the project
                show_info(self, "The suggestion model is not on this machine",
                          f"{model.problem}.\n\nOr choose another model for the whole project with {choose}.")
            else:
                show_error(self, "The suggestion model is missing", f"{model.problem}\n\nChoose the model with {choose}.")
            return False

        def done(result, cancelled: bool) -> None:
            if result is None:  # cancelled before any article: nothing changed
                self._refresh_browser()
            else:
                self._changes_stored(result.changes)  # the rows of the articles that got suggestions
                if self.article_id in result.changes.articles:
                    self.controller.reload()
            note = " (cancelled)" if cancelled else ""
            self.statusBar().showMessage(f"Suggestions for {what} stored{note}: {result.articles if result else 0} "
                                         f"articles, by the {model.label()}.", 12000)
            if self.actions["useful_order"].isChecked() and not cancelled:
                self.compute_useful_order()  # new scores, new order

        return self._start_task(f"Suggesting for {what}", suggest_work(self._task_store, ids, model.model_dir), done,
                                modal=False)

    # ---- suggestion model, training ----------------------------------------------------------
    def _keys(self, name: str) -> str:
        from annotator.gui.actions import key_text

        return key_text(self.actions[name]) or "no key"

    def _show_model(self) -> suggestion_model.ModelInfo:
        """Read the project's suggestion model (the database may have another one now) and show it."""
        try:
            model = suggestion_model.project_model(self.store, location.model_anchor(self.db_path))
        except StoreError:
            model = self.suggestion_model
        self.suggestion_model = model
        label = model.label()
        self.model_label.setText(f"Model: {label}")
        tip = model.problem or describe_model(model).lstrip("✓ ")
        lines = [f"Suggestions come from: {model.name}", model.path or "", tip,
                 f"Tools ▸ Suggestion model… ({self._keys('suggestion_model')}) changes it"]
        self.model_label.setToolTip(plain_tooltip("\n".join(line for line in lines if line)))
        self.model_label.setStyleSheet("color: #c92a2a;" if model.problem else "")
        self.actions["suggestion_model"].setText(f"Suggestion &model: {label.replace('&', '&&')}…")
        return model

    def choose_suggestion_model(self) -> None:
        dialog = SuggestionModelDialog(self._show_model(), location.local_folder(self.db_path), self)
        if dialog.exec():
            self.set_suggestion_model(dialog.chosen().path)

    def set_suggestion_model(self, path: str | None) -> bool:
        """Suggest with this model folder (None: the bundled model), for every annotator of the database."""
        try:
            model = suggestion_model.choose_model(self.store, path)
        except suggestion_model.SuggestionModelError as exc:
            show_error(self, "Not a model", str(exc))
            return False
        except StoreError as exc:
            show_error(self, "The choice of model is not stored", str(exc))
            return False
        self._show_model()
        self.statusBar().showMessage(f"Suggestions now come from the {model.label()}.", 12000)
        return True

    def train_model(self) -> None:
        """Ask where to write the model, then train from the gold layer in the background."""
        if self.tasks.busy():
            return
        done, total = self.store.done_of_total(GOLD_LAYER)
        if GOLD_LAYER not in self.store.annotators(include_special=True):
            show_info(self, "No gold yet", "Training learns from the gold layer, and it is empty. Review articles "
                      f"into gold first: Tools ▸ Review gold… ({self._keys('review')}).")
            return
        note = (f"Gold: {done:,} of {total:,} articles marked done; training uses those." if done else
                "No gold article is marked done yet: training uses every article with accepted gold annotations "
                "(mark the gold of an article done in the review with Ctrl+Return).")
        data_dir = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or os.path.expanduser("~")
        dialog = TrainDialog(suggestion_model.default_output_dir(location.model_anchor(self.db_path), data_dir), note, self)
        if dialog.exec():
            self.start_training(dialog.out_dir())

    def start_training(self, out_dir: str) -> bool:
        def done(result, cancelled: bool) -> None:
            if result is None:
                self.statusBar().showMessage(f"Training cancelled; nothing was written to {out_dir}.", 12000)
                return
            self.show_trained(result.get("info") or {}, out_dir)

        return self._start_task("Training", train_work(self._task_store, out_dir), done, modal=False, percent=True)

    def show_trained(self, info: dict, out_dir: str) -> TrainedDialog:
        """The new model's scores (from its model.json) and the offer to suggest with it."""
        info = suggestion_model.describe(out_dir).info or info
        dialog = TrainedDialog(info, out_dir, self._show_model(), self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_suggestion_model(out_dir))
        dialog.destroyed.connect(lambda *_: setattr(self, "trained_dialog", None))
        self.trained_dialog = dialog
        dialog.open()
        self.statusBar().showMessage(f"Model trained: {suggestion_model.training_summary(info).title} in {out_dir}", 15000)
        return dialog

    # ---- most useful next --------------------------------------------------------------------
    def set_useful_order(self, on: bool) -> None:
        """List (and go through) the articles most useful to annotate next, or corpus order."""
        self.actions["useful_order"].setChecked(on)
        self.settings.set_useful_order(self.db_path, self.annotator, on)
        self.browser.show_order_choice(on)
        if on:
            self.compute_useful_order()
            return
        if self.task is not None and self.task.title == ORDER_TITLE:
            self.cancel_task()
        if self.browser.model.order is not None:
            self.browser.set_order(None)
            self._update_position()
            self.statusBar().showMessage("Corpus order.", 5000)

    def _corpus_order(self, message: str = "") -> None:
        self.actions["useful_order"].setChecked(False)
        self.settings.set_useful_order(self.db_path, self.annotator, False)
        self.browser.set_order(None)
        self._update_position()
        if message:
            self.statusBar().showMessage(message, 15000)

    def compute_useful_order(self) -> bool:
        """Order the articles not done by the model's uncertainty, in the background (task box)."""
        model = self._show_model()

        def done(result, cancelled: bool) -> None:
            if not self.actions["useful_order"].isChecked():
                return  # switched off meanwhile
            if result is None or cancelled:
                self._corpus_order("Ordering cancelled: corpus order.")
                return
            ids = result["ids"]
            if not ids:
                self._corpus_order("Every article is done: nothing to order (corpus order).")
                return
            self.browser.set_order(ids)
            self._update_position()
            how = (" (no scores were stored, so the model measured the articles; Tools ▸ Suggest for all articles "
                   "stores scores and makes this instant)") if result["ran_model"] else ""
            self.statusBar().showMessage(f"Most useful next: {len(ids):,} articles not done, the least sure "
                                         f"first{how}.", 15000)

        def failed(message: str) -> None:
            self._corpus_order(f"The articles could not be ordered by usefulness ({message}): corpus order.")

        work = order_work(self._task_store, self.annotator, model.model_dir if model.usable else None)
        if self._start_task(ORDER_TITLE, work, done, modal=False, on_failed=failed):
            return True
        if self.browser.model.order is None:  # another task runs (its message stays): nothing changes
            self._corpus_order()
        else:
            self.browser.show_order_choice(True)
            self.actions["useful_order"].setChecked(True)
        return False

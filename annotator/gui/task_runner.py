"""One background task at a time for the main window: starts it (workers.Task), shows its progress
(a modal progress dialog, or the task box of the status bar with Cancel), and hands its result on."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QProgressDialog, QPushButton, QWidget

from annotator.gui.widgets import show_error
from annotator.gui.workers import Task


class TaskRunner(QWidget):
    """The status bar's task box, and the runner of the window's background tasks.

    `task` is the running Task (None when idle); `is_closed()` tells when the window closed, so
    the results of a task cancelled by closing are dropped; `after_failure()` runs after a
    failure was shown (the window re-reads the article list)."""

    def __init__(self, window: QWidget, is_closed: Callable[[], bool], after_failure: Callable[[], None],
                 say: Callable[[str], None]):
        super().__init__()
        self.window = window
        self.is_closed, self.after_failure, self.say = is_closed, after_failure, say
        self.task: Task | None = None
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setTextFormat(Qt.PlainText)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        box.addWidget(self.label)
        box.addWidget(self.progress)
        box.addWidget(self.cancel_button)
        self.hide()

    def busy(self) -> bool:
        """A task runs (and the user was told to wait for it)."""
        if self.task is not None and self.task.isRunning():
            self.say(f"Wait for “{self.task.title}” to finish (or cancel it).")
            return True
        return False

    def start(self, title: str, work, on_done, modal: bool, *, percent: bool = False,
              on_failed: Callable[[str], None] | None = None) -> bool:
        """Run `work(task)` in a thread; `on_done(result, cancelled)` after. Modal: a progress dialog;
        else the task box (Cancel). `percent`: the work reports done of 100. A failure is shown in an
        error box, or given to `on_failed`. False when another task still runs."""
        if self.busy():
            return False
        task = Task(title, work, self.window)
        self.task = task
        dialog = None
        if modal:
            dialog = QProgressDialog(f"{title}…", "Cancel", 0, 0, self.window)
            dialog.setObjectName("taskDialog")
            dialog.setWindowTitle(title)
            dialog.setWindowModality(Qt.WindowModal)
            dialog.setMinimumDuration(0)
            dialog.canceled.connect(task.cancel)
            dialog.show()
        else:
            self.label.setText(title)
            self.progress.setRange(0, 0)
            self.show()

        def progressed(done: int, total: int, text: str) -> None:
            if percent:  # the bar shows the percentage
                label = title + (f": {text}" if text else "")
            else:
                label = f"{title}: {done:,}" + (f" / {total:,}" if total else "") + (f" {text}" if text else "")
            if dialog is not None:
                dialog.setMaximum(total)
                if total:
                    dialog.setValue(min(done, total))
                dialog.setLabelText(label)
            else:
                self.progress.setRange(0, total)
                if total:
                    self.progress.setValue(min(done, total))
                self.label.setText(label)

        def ended() -> None:
            if dialog is not None:
                dialog.canceled.disconnect()
                dialog.reset()
                dialog.close()
                dialog.deleteLater()
            self.hide()
            self.task = None

        def finished(result) -> None:
            cancelled = task.cancelled()
            ended()
            if not self.is_closed():  # a task cancelled by closing the window ends after the window
                on_done(result, cancelled)

        def failed(message: str) -> None:
            ended()
            if self.is_closed():
                return
            if on_failed is not None:
                on_failed(message)
            else:
                show_error(self.window, f"{title} failed", message)
            self.after_failure()

        task.progressed.connect(progressed)
        task.succeeded.connect(finished)
        task.failed.connect(failed)
        task.start()
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.label.setText(f"{self.task.title}: cancelling…")

    def stop(self, wait_ms: int = 10_000) -> None:
        """Cancel the running task and wait for its thread (the window closes)."""
        if self.task is not None and self.task.isRunning():
            self.task.cancel()
            self.task.wait(wait_ms)

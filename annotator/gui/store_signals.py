"""The store's change events as a Qt signal (the napari way: the data model knows nothing of Qt,
a thin adapter forwards its events)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotator.core.store import Store


class StoreSignals(QObject):
    """`changed(ChangeSet)` after each transaction committed through `store`, and with what other
    connections (background tasks, other windows, other processes, people on the server) committed
    whenever the window's poll asks the store (Store.poll_changes: ChangeSet.outside)."""

    changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self._unsubscribe = store.subscribe(self.changed.emit)

    def detach(self) -> None:
        """Stop listening (the window closes; the store may live on)."""
        self._unsubscribe()

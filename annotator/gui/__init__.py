"""Qt only: the annotation window (application, main window, article browser, document view,
quote panel, undo commands, background workers)."""

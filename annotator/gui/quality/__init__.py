"""Quality pages: review into gold, inter-annotator agreement, project dashboard.

Each page is a plain QWidget with `refresh()` and signals such as `articleRequested(str)`:

    from annotator.gui.quality import AgreementPage, DashboardPage, ReviewWidget

Try one alone: `python -m annotator.gui.quality DB_PATH [review|agreement|dashboard]`."""

from __future__ import annotations

import annotator.gui  # noqa: F401  (installs the PySide6 reference guard before Qt is used)

__all__ = ["AgreementPage", "DashboardPage", "ReviewWidget"]


def __getattr__(name: str):
    if name == "ReviewWidget":
        from annotator.gui.quality.review import ReviewWidget
        return ReviewWidget
    if name == "AgreementPage":
        from annotator.gui.quality.agreement_page import AgreementPage
        return AgreementPage
    if name == "DashboardPage":
        from annotator.gui.quality.dashboard import DashboardPage
        return DashboardPage
    raise AttributeError(name)

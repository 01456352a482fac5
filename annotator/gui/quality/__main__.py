"""Try one quality page alone.

    python -m annotator.gui.quality DB_PATH [review|agreement|dashboard] [--reviewer NAME]
    python -m annotator.gui.quality --demo /tmp/demo.db agreement   # build a demo database first
    python -m annotator.gui.quality DB_PATH dashboard --screenshot out.png   # grab and quit
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import annotator.gui  # noqa: F401  (reference guard before Qt)

PAGES = ("review", "agreement", "dashboard")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annotator.gui.quality", description=__doc__.split("\n\n")[0])
    parser.add_argument("db", metavar="DB_PATH")
    parser.add_argument("page", nargs="?", choices=PAGES, default="review")
    parser.add_argument("--reviewer", default="reviewer", help="actor name of gold edits (review page)")
    parser.add_argument("--demo", action="store_true", help="(re)create DB_PATH as a demo database first")
    parser.add_argument("--size", default="1400x860", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the page and quit")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QCoreApplication, QEvent, QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.core.backends import is_server_url
    from annotator.core.store import Store, StoreError

    if args.demo:
        from annotator.project.demo import build_demo_db
        try:
            build_demo_db(args.db).close()
        except FileExistsError as exc:
            print(exc, file=sys.stderr)
            return 2
    elif not is_server_url(args.db) and not Path(args.db).exists():
        print(f"{args.db}: no such database", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        from annotator.gui.theme import apply_theme
        apply_theme(app, "light")
    except Exception:  # the theme is a nicety
        pass
    try:
        store = Store(args.db)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.page == "review":
        from annotator.gui.quality.review import ReviewWidget
        page = ReviewWidget(store, args.reviewer)
    elif args.page == "agreement":
        from annotator.gui.quality.agreement_page import AgreementPage
        page = AgreementPage(store)
        page.articleRequested.connect(lambda a: print(f"article requested: {a}"))
    else:
        from annotator.gui.quality.dashboard import DashboardPage
        page = DashboardPage(store)
    page.setWindowTitle(f"annotator · {args.page} · {args.db}")
    width, height = (int(x) for x in args.size.lower().split("x"))
    page.resize(width, height)
    page.show()
    if args.screenshot:
        def grab():
            if getattr(page, "busy", False):
                QTimer.singleShot(100, grab)
                return
            page.grab().save(args.screenshot)
            print(args.screenshot)
            app.quit()
        QTimer.singleShot(300, grab)
    code = app.exec()
    # delete the page while the application exists (not at interpreter exit, in any order)
    page.close()
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main())

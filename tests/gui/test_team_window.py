"""The window on a shared project on a PostgreSQL server (the test session's own pgserver): the
project named without its password, File ▸ Open project…, the roles the server gives (users made
by `annotator user add`), and an edit made while the server is away."""

import pytest
from PySide6.QtCore import Qt, QTimer

from annotator.cli import main
from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.gui import location
from annotator.gui.mainwindow import LEAD_ONLY, SERVER_POLL_MS, UNREACHABLE_POLL_MS
from annotator.gui.theme import plain_tooltip
from tests.gui.conftest import TEXT, at, key, layer, select_tokens

psycopg = pytest.importorskip("psycopg")
from annotator.core.backends import postgres  # noqa: E402

BACKENDS = ("postgres",)
SECRET = "k4ta-sandi"  # a password in the URL: never shown, never remembered


@pytest.fixture
def team(make_db):
    """A server project (made by the server's superuser, its lead) with a suggestion on a1, and the
    users ani (annotator) and rita (reviewer), made with `annotator user add`."""
    url = make_db(suggestions={"a1": ([("Antony Blinken", "PERSON", 0)], [])})
    for name, role in (("ani", "annotator"), ("rita", "reviewer")):
        assert main(["user", "add", name, "--role", role, "--db", url]) == 0
    return url


def test_the_window_names_a_server_project_without_its_password(team, open_window, settings):
    url = postgres.with_user(team, "ani", SECRET)
    window = open_window(url, annotator="somebody")  # on a server the annotator is the login
    host, database = location.server_and_database(url)
    assert window.annotator == "ani"
    assert window.windowTitle() == f"{database} on {host} — annotator (ani, annotator)"
    assert window.annotator_label.text() == "Annotator: ani (annotator)"
    assert window.db_label.text() == f"{database} on {host}" and window.db_label.toolTip() == plain_tooltip(postgres.redact(url))
    shown = [window.windowTitle(), window.db_label.text(), window.db_label.toolTip(), *settings.recent()]
    assert not [text for text in shown if SECRET in text]
    assert settings.recent()[0] == postgres.redact(url) == window.store.label
    window.save_layout()
    assert SECRET not in open(settings.q.fileName(), encoding="utf-8").read()


def test_a_server_project_is_not_backed_up_from_the_window_and_keeps_its_models_apart(team, open_window):
    window = open_window(team)
    backup = window.actions["backup"]
    assert not backup.isEnabled()
    assert f"annotator copy {window.store.label} FILE.db" in backup.toolTip() and "pg_dump" in backup.toolTip()
    folder = location.local_folder(team)
    host, database = location.server_and_database(team)
    assert database in folder and folder.startswith(location.QStandardPaths.writableLocation(
        location.QStandardPaths.AppDataLocation))
    assert window.files_folder != folder  # the import and export dialogs start in the home folder


def test_open_project_switches_from_a_file_to_a_server_and_back_from_the_recent_list(team, open_window, qtbot,
                                                                                   tmp_path, settings):
    file_db = str(tmp_path / "laptop.db")
    Store(file_db).close()
    window = open_window(file_db)
    url = postgres.with_user(team, "rita", SECRET)

    offered = []

    def answer():
        dialog = window.project_dialog
        offered.extend(dialog.recent.item(i).data(Qt.UserRole) for i in range(dialog.recent.count()))
        dialog.where.setText(url)
        dialog.accept()

    QTimer.singleShot(0, answer)
    window.choose_database()
    assert offered == [file_db]
    other = next(w for w in window_list() if w is not window and not w.closed)
    qtbot.addWidget(other)
    assert window.closed and other.annotator == "rita" and other.role == "reviewer"
    assert other.store.server and other.controller.state.article.id == "a1"
    assert settings.recent()[:2] == [postgres.redact(url), file_db]

    shown = []

    def pick_the_file():
        dialog = other.project_dialog
        items = [dialog.recent.item(i) for i in range(dialog.recent.count())]
        shown.extend(item.text() + item.toolTip() for item in items)
        dialog.recent.setCurrentItem(items[-1])
        dialog.accept()

    QTimer.singleShot(0, pick_the_file)
    other.choose_database()
    assert len(shown) == 2 and not [text for text in shown if SECRET in text]
    back = next(w for w in window_list() if w not in (window, other) and not w.closed)
    qtbot.addWidget(back)
    assert back.db_path == file_db and back.annotator == "rita" and back.actions["backup"].isEnabled()


def window_list():
    from annotator.gui.window_files import open_windows

    return list(open_windows)


def test_an_annotator_window_cannot_do_what_only_the_lead_and_reviewers_may(team, open_window, qtbot):
    window = open_window(postgres.with_user(team, "ani"))
    for name in LEAD_ONLY:
        action = window.actions[name]
        assert not action.isEnabled(), name
        assert "Only the project's lead may" in action.toolTip() and "you (ani) are an annotator" in action.toolTip()
    assert not window.actions["switch_annotator"].isEnabled()
    # their own layer: the suggestion is accepted and stored in the layer named after the login
    key(qtbot, window.view, Qt.Key_Tab)
    key(qtbot, window.view, Qt.Key_A)
    assert window.save_label.text() == "✓ saved"
    assert [(e.label, e.status) for e in layer(team, "a1", "ani").entities] == [("PERSON", "accepted")]
    # the review of gold: read only, saying why
    page = window.open_review().page
    assert page.read_only and "only a reviewer or the lead may settle gold" in page.help.text()
    assert not page.actions_by_name["accept"].isEnabled() and not page.done_button.isEnabled()
    assert page.done_button.toolTip() == page.read_only
    assert page.rows  # the versions are shown


def test_the_servers_refusal_is_a_clear_message_when_an_annotator_writes_gold_anyway(team, qtbot):
    from annotator.gui.quality.review import ReviewWidget

    with Store(postgres.with_user(team, "ani")) as store:
        store.open_layer("a1", "ani")
        store.accept_all("a1", "ani")
        page = ReviewWidget(store, "ani")  # as if the role were not known to the window
        qtbot.addWidget(page)
        page.select_row(next(i for i, row in enumerate(page.rows) if row.kind == "entity"))
        page.accept_selected()
        assert "permission denied" in page.feedback.text() and "nothing was changed" in page.feedback.text()
        assert page.feedback.text().startswith(f"{store.label}: permission denied")
        assert store.get_layer("a1", GOLD_LAYER).entities == ()


def test_a_reviewer_settles_gold_and_the_lead_may_do_everything(team, open_window, qtbot):
    with Store(postgres.with_user(team, "ani")) as store:
        store.open_layer("a1", "ani")
        store.accept_all("a1", "ani")
        store.set_status("a1", "ani", "done")
    rita = open_window(postgres.with_user(team, "rita"))
    assert not rita.actions["import_files"].isEnabled() and not rita.actions["export_gold"].isEnabled()
    page = rita.open_review().page
    assert not page.read_only and page.actions_by_name["accept"].isEnabled()
    page.accept_agreed()
    page.toggle_done()
    with Store(team) as store:
        gold = store.get_layer("a1", GOLD_LAYER)
        assert gold.status == "done" and [e.label for e in gold.entities] == ["PERSON"]
        assert {r["actor"] for r in store.edit_log("a1") if r["layer"] == GOLD_LAYER} == {"rita"}
    rita.close()
    lead = open_window(team, annotator="lena")  # the server's superuser: the lead, under any name
    assert lead.role == "lead" and lead.annotator == "lena"
    assert all(lead.actions[name].isEnabled() for name in LEAD_ONLY)
    assert not lead.actions["backup"].isEnabled()


def test_an_edit_made_while_the_server_is_away_is_kept_and_lands_when_it_is_back(make_db, open_window, qtbot,
                                                                                  pg_server):
    url = make_db()
    window = open_window(url)
    database = postgres.database_name(url)
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        # the server drops the window's connections and refuses new ones
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [database])
        try:  # the window notices by itself, and says that nothing of what is shown is lost
            qtbot.waitUntil(lambda: "your work so far is stored" in window.statusBar().currentMessage(), timeout=2000)
            assert window.store.label in window.statusBar().currentMessage()
            select_tokens(qtbot, window.view, at(TEXT, "Antony")[0], 2)
            key(qtbot, window.view, Qt.Key_1)
            assert window.save_label.text() == "✗ not saved — retrying"
            message = window.statusBar().currentMessage()
            assert window.store.label in message and "cannot be reached" in message and "kept and retried" in message
            assert window.editor.pending is not None and window.discard_button.isVisible()
            assert window.store.label in window.save_label.toolTip()
            qtbot.wait(2 * window.editor.OFFLINE_RETRY_MS + 500)  # tries in vain meanwhile
            assert window.editor.pending is not None and window.editor.attempts >= 2
            assert window._poll.interval() == UNREACHABLE_POLL_MS  # looks for others' changes less often meanwhile
            select_tokens(qtbot, window.view, at(TEXT, "Washington")[0], 1)
            key(qtbot, window.view, Qt.Key_2)  # a second edit waits its turn: not made, and said so
            assert "Still waiting to store" in window.statusBar().currentMessage()
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    qtbot.waitUntil(lambda: window.save_label.text() == "✓ saved", timeout=10000)
    assert window.editor.pending is None
    assert [(TEXT[e.start:e.end], e.label) for e in layer(url).entities] == [("Antony Blinken", "PERSON")]
    qtbot.waitUntil(lambda: window._poll.interval() == SERVER_POLL_MS, timeout=2 * UNREACHABLE_POLL_MS)
    window.undo()  # the edit that landed late is in the history like any other
    assert layer(url).entities == ()


def test_annotator_gui_on_a_url_opens_as_the_login_or_says_why_it_cannot(team, settings, qtbot, monkeypatch):
    from annotator.gui import app
    from tests.conftest import PASSWORD_USER

    errors = []
    monkeypatch.setattr(app, "show_error", lambda parent, title, text: errors.append((title, text)))
    monkeypatch.setattr(app, "ask_name", lambda parent: pytest.fail("a server project never asks for a name"))
    window = app.build_window(postgres.with_user(team, "rita"), None, settings=settings)  # `annotator gui --db URL`
    qtbot.addWidget(window)
    assert window.annotator == "rita" and window.role == "reviewer" and not errors
    window.close()
    with Store(team) as lead:
        lead.add_user(PASSWORD_USER, "annotator", password="the right one")
    wrong = postgres.with_user(team, PASSWORD_USER, SECRET)
    assert app.build_window(wrong, None, settings=settings) is None
    [(title, text)] = errors
    assert title == "Cannot open the project" and f"authentication failed for user '{PASSWORD_USER}'" in text
    assert text.startswith(postgres.redact(wrong)) and SECRET not in text


def test_a_login_without_a_role_in_the_project_is_told_so(team, settings, pg_server, monkeypatch):
    from annotator.gui import app

    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:  # a user of another project, say
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'gast'").fetchone():
            admin.execute("CREATE ROLE gast LOGIN")
    errors = []
    monkeypatch.setattr(app, "show_error", lambda parent, title, text: errors.append((title, text)))
    assert app.build_window(postgres.with_user(team, "gast"), None, settings=settings) is None
    [(title, text)] = errors
    assert title == "Cannot open the project" and text.startswith(postgres.with_user(team, "gast") + ": permission denied")


def test_opening_a_project_that_cannot_be_reached_says_why_and_keeps_the_window(team, open_window, monkeypatch):
    from annotator.gui import window_files

    window = open_window(team)
    errors = []
    monkeypatch.setattr(window_files, "show_error", lambda parent, title, text: errors.append((title, text)))
    nowhere = postgres.with_user(postgres.with_database(team, "no_such_project"), "ani", SECRET)
    assert window.open_database(nowhere) is None
    [(title, text)] = errors
    assert title == "Cannot open the project" and "the server has no such database" in text
    assert text.startswith(postgres.redact(nowhere)) and SECRET not in text
    assert window.isVisible() and not window.closed and window.store.article_count() == 1

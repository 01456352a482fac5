"""Edits of many rows at once from a window whose view is older than what another session of the
same person stored: Shift+A (accept all), Ctrl+Enter (Done accepting the pending suggestions), the
undo of each, and a review decision. Each is refused and shown as a conflict, never a silent
overwrite; the window then shows what is stored."""

from PySide6.QtCore import Qt

from annotator.core.model import GOLD_LAYER
from annotator.core.store import Store
from annotator.gui.mainwindow import CONFIRM_PENDING
from tests.gui.conftest import TEXT, at, key, layer

BACKENDS = ("sqlite", "postgres")
SUGGESTIONS = {"a1": ([("Antony Blinken", "PERSON", 0), ("Korea Utara", "LOC", 0), ("Washington", "LOC", 0)], [])}
CONFLICT = "✗ not saved — changed elsewhere"


def statuses(db) -> dict[str, str]:
    return {TEXT[e.start:e.end]: e.status for e in layer(db).entities}


def opened(make_db, open_window):
    """A window on a1 with three pending suggestions that no longer hears the other session."""
    db = make_db(suggestions=SUGGESTIONS)
    window = open_window(db)
    window._poll.stop()  # it has not seen the other session's change yet: it edits what it read
    return db, window


def test_accept_all_over_a_suggestion_rejected_elsewhere_is_a_conflict(make_db, open_window, qtbot):
    db, window = opened(make_db, open_window)
    with Store(db) as other:  # alice on another computer rejects Washington
        other.delete_or_reject_entity(next(e.id for e in layer(db).entities if e.label == "LOC"
                                           and TEXT[e.start:e.end] == "Washington"), actor="alice")
    key(qtbot, window.view, Qt.Key_A, Qt.ShiftModifier)
    assert window.save_label.text() == CONFLICT
    assert window.statusBar().currentMessage().startswith("Not saved: another session changed this entity by alice")
    assert "(LOC 'Washington') was changed by alice" in window.editor.refusal
    assert statuses(db) == {"Antony Blinken": "suggested", "Korea Utara": "suggested", "Washington": "rejected"}
    assert len(window.controller.state.pending()) == 2  # the window shows what is stored
    key(qtbot, window.view, Qt.Key_A, Qt.ShiftModifier)  # now over what it shows: stored
    assert window.save_label.text() == "✓ saved"
    assert statuses(db) == {"Antony Blinken": "accepted", "Korea Utara": "accepted", "Washington": "rejected"}


def test_the_undo_of_accept_all_keeps_a_change_made_elsewhere_since(make_db, open_window, qtbot):
    db, window = opened(make_db, open_window)
    key(qtbot, window.view, Qt.Key_A, Qt.ShiftModifier)
    assert set(statuses(db).values()) == {"accepted"}
    with Store(db) as other:
        blinken = next(e for e in layer(db).entities if e.label == "PERSON")
        other.update_entity(blinken.id, label="ORG", version=blinken.version)
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)
    assert window.save_label.text() == CONFLICT
    assert [(e.label, e.status) for e in layer(db).entities if TEXT[e.start:e.end] == "Antony Blinken"] == \
        [("ORG", "accepted")]
    assert set(statuses(db).values()) == {"accepted"}  # all or nothing: none went back to pending


def test_done_over_a_suggestion_changed_elsewhere_is_a_conflict(make_db, open_window, qtbot, settings):
    db, window = opened(make_db, open_window)
    settings.q.setValue(CONFIRM_PENDING, False)  # Done accepts without asking
    with Store(db) as other:  # relabelled elsewhere, still pending: Done would accept what was never shown
        korea = next(e for e in layer(db).entities if TEXT[e.start:e.end] == "Korea Utara")
        other.update_entity(korea.id, label="ORG", version=korea.version)
    key(qtbot, window.view, Qt.Key_Return, Qt.ControlModifier)
    assert window.save_label.text() == CONFLICT
    assert "(ORG 'Korea Utara') was changed by alice" in window.editor.refusal
    assert layer(db).status != "done" and set(statuses(db).values()) == {"suggested"}
    assert window.article_id == "a1"


def test_a_review_decision_over_gold_changed_in_another_window_is_refused(make_db, qtbot):
    from annotator.gui.quality.review import ReviewWidget

    db = make_db()
    with Store(db) as store:
        for name in ("alice", "bob"):
            store.add_entity("a1", name, *at(TEXT, "Washington"), "LOC")
            store.set_status("a1", name, "done")
        store.add_entity("a1", GOLD_LAYER, *at(TEXT, "Washington"), "LOC", actor="lead")
    with Store(db) as store:
        page = ReviewWidget(store, "lead")
        qtbot.addWidget(page)
        row = next(i for i, r in enumerate(page.rows) if r.kind == "entity")
        page.select_row(row)
        with Store(db) as other:  # the lead's other window relabels the gold entity
            (gold,) = other.get_layer("a1", GOLD_LAYER).entities
            other.update_entity(gold.id, label="ORG", actor="lead", version=gold.version)
        page.select_row(row)
        page.remove_from_gold()
        assert page.feedback.text().startswith("Not saved: another session changed this entity by lead")
        assert [(e.label, e.status) for e in store.get_layer("a1", GOLD_LAYER).entities] == [("ORG", "accepted")]
        assert [x.label for x in page.rows[row].gold] == ["ORG"]  # the page shows what is stored
        page.select_row(row)
        page.remove_from_gold()  # now over what it shows: stored
        assert [(e.label, e.status) for e in store.get_layer("a1", GOLD_LAYER).entities] == [("ORG", "rejected")]

"""Keys of the annotation window (issue 11.7, 11.10): Tab from the top reaches a suggestion at
offset 0; A and X move on to the next pending suggestion (a setting, on by default); merging
spans with words between them asks first."""

import pytest
from PySide6.QtCore import Qt

from annotator.core.store import Store
from tests.gui.conftest import TEXT, at, caret_to, key, layer

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

SEMICOLON = ("Kementerian Luar Negeri mengecam pengerahan itu dan meminta penjelasan segera dari pemerintah; "
             "di Jakarta para diplomat berkumpul.")


@pytest.fixture
def db(make_db):
    return make_db(suggestions={"a1": ([("Menteri Luar Negeri", "ORG", 0), ("Antony Blinken", "PERSON", 0),
                                        ("Korea Utara", "LOC", 0), ("Washington", "LOC", 0)], [])})


def current_text(window) -> str:
    item = window.controller.current_item()
    return TEXT[item.start:item.end] if item is not None else ""


def test_tab_from_the_top_goes_to_the_suggestion_at_offset_zero(db, open_window, qtbot):
    window = open_window(db)
    view = window.view
    key(qtbot, view, Qt.Key_End, Qt.ControlModifier)
    key(qtbot, view, Qt.Key_Home, Qt.ControlModifier)  # the caret on the first character, inside the ORG
    assert view.caret() == 0
    key(qtbot, view, Qt.Key_Tab)
    assert current_text(window) == "Menteri Luar Negeri"
    key(qtbot, view, Qt.Key_Tab)
    assert current_text(window) == "Antony Blinken"
    key(qtbot, view, Qt.Key_Backtab, Qt.ShiftModifier)
    assert current_text(window) == "Menteri Luar Negeri"


@pytest.mark.parametrize("word", ["Antony", "Blinken"])
def test_tab_after_a_click_on_a_span_goes_to_the_next_one(db, open_window, qtbot, word):
    window = open_window(db)
    caret_to(qtbot, window.view, at(TEXT, word)[0])
    assert current_text(window) == "Antony Blinken"
    key(qtbot, window.view, Qt.Key_Tab)
    assert current_text(window) == "Korea Utara"


def test_accept_and_reject_move_on_to_the_next_pending_suggestion(db, open_window, qtbot, settings):
    window = open_window(db)
    view = window.view
    assert window.actions["accept_moves_on"].isChecked()  # on by default, as in Prodigy
    key(qtbot, view, Qt.Key_Tab)
    key(qtbot, view, Qt.Key_A)
    assert current_text(window) == "Antony Blinken"
    assert view.caret() == at(TEXT, "Antony Blinken")[0]
    key(qtbot, view, Qt.Key_X)
    assert current_text(window) == "Korea Utara"
    key(qtbot, view, Qt.Key_A)
    key(qtbot, view, Qt.Key_A)
    statuses = {TEXT[e.start:e.end]: e.status for e in layer(db).entities}
    assert statuses == {"Menteri Luar Negeri": "accepted", "Antony Blinken": "rejected", "Korea Utara": "accepted",
                        "Washington": "accepted"}
    assert "No pending suggestions left" in window.statusBar().currentMessage()


def test_accept_stays_when_moving_on_is_switched_off_and_the_choice_is_kept(db, open_window, qtbot, settings):
    window = open_window(db)
    window.actions["accept_moves_on"].trigger()  # Suggestions ▸ Accept moves to the next suggestion: off
    assert not window.controller.moves_on and settings.accept_moves_on is False
    key(qtbot, window.view, Qt.Key_Tab)
    key(qtbot, window.view, Qt.Key_A)
    assert current_text(window) == "Menteri Luar Negeri"
    window.close()
    again = open_window(db)
    assert not again.actions["accept_moves_on"].isChecked() and not again.controller.moves_on


@pytest.fixture
def far_apart(make_db):
    path = make_db(articles=[("s1", SEMICOLON, {"title": "Diplomat"})])
    with Store(path) as store:
        store.add_entity("s1", "alice", *at(SEMICOLON, "Kementerian Luar Negeri"), "ORG")
        store.add_entity("s1", "alice", *at(SEMICOLON, "Jakarta"), "LOC")
        store.add_entity("s1", "alice", *at(SEMICOLON, "para"), "PERSON")
    return path


def entity_texts(path) -> list[str]:
    return sorted(SEMICOLON[e.start:e.end] for e in layer(path, "s1").entities if e.status != "rejected")


def test_merging_spans_with_words_between_asks_first(far_apart, open_window, qtbot, monkeypatch):
    window = open_window(far_apart, article_id="s1")
    asked = []

    def answer(title, question):
        asked.append(question)
        return False

    monkeypatch.setattr(window.controller, "confirm", answer)
    caret_to(qtbot, window.view, at(SEMICOLON, "Kementerian")[0])
    key(qtbot, window.view, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)
    assert len(asked) == 1
    assert "ORG “Kementerian Luar Negeri” and LOC “Jakarta”" in asked[0]
    assert "10 words lie between them" in asked[0] and "pemerintah; di" in asked[0]
    assert entity_texts(far_apart) == ["Jakarta", "Kementerian Luar Negeri", "para"]  # nothing merged
    assert "Not merged" in window.statusBar().currentMessage()
    monkeypatch.setattr(window.controller, "confirm", lambda title, question: True)  # the annotator says yes
    key(qtbot, window.view, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)
    assert entity_texts(far_apart)[0].startswith("Kementerian Luar Negeri mengecam") and \
        entity_texts(far_apart)[0].endswith("di Jakarta")


def test_adjacent_spans_merge_without_asking(far_apart, open_window, qtbot, monkeypatch):
    window = open_window(far_apart, article_id="s1")
    monkeypatch.setattr(window.controller, "confirm", lambda title, question: pytest.fail("asked"))
    key(qtbot, window.view, Qt.Key_Home, Qt.ControlModifier)
    key(qtbot, window.view, Qt.Key_BracketRight)
    key(qtbot, window.view, Qt.Key_BracketRight)
    assert window.controller.current_item().start == at(SEMICOLON, "Jakarta")[0]
    key(qtbot, window.view, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)  # "Jakarta" + "para": no word between
    assert entity_texts(far_apart) == ["Jakarta para", "Kementerian Luar Negeri"]


def test_the_merge_question_is_a_plain_text_box_that_defaults_to_no(far_apart, open_window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    window = open_window(far_apart, article_id="s1")
    seen = []

    def look():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append((box.textFormat(), box.defaultButton() is box.button(QMessageBox.No)))
            box.grab().save("scratch/merge-question.png") if __import__("os").path.isdir("scratch") else None
            qtbot.keyClick(box, Qt.Key_Return)  # Enter: the default, No
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    caret_to(qtbot, window.view, at(SEMICOLON, "Kementerian")[0])
    key(qtbot, window.view, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)
    assert seen == [(Qt.PlainText, True)]
    assert entity_texts(far_apart) == ["Jakarta", "Kementerian Luar Negeri", "para"]

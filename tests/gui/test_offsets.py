"""The span stored is exactly the text shown highlighted: emoji and astral letters before and
inside spans, CRLF line ends, combining marks. Articles tokenized by the project's tokenizer."""

import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit

from annotator.core.store import Store
from annotator.gui.textmap import TextMap
from tests.gui.conftest import at, caret_to, drag, highlighted_text, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

TRICKY = ("😀😀 Kata 𝕏avier Ali\r\ndi Jakarta: “Kami menolak pengerahan 😀 itu,” ujar Jose\u0301 Ramos-Horta.\r\n"
          "Selesai 𝕏 di 😀Bandung.")


@pytest.fixture(scope="module")
def tokenizer():
    from annotator.nlp.tokenizer import token_offsets

    return token_offsets


@pytest.fixture
def window(make_db, open_window, tokenizer):
    return open_window(make_db([("t1", TRICKY)], tokenizer=tokenizer), article_id="t1")


def stored(db):
    state = layer(db, "t1")
    return [TRICKY[e.start:e.end] for e in state.entities], [TRICKY[q.start:q.end] for q in state.quotes]


def test_the_document_shows_the_text_exactly(window):
    assert window.view.toPlainText() == TRICKY.replace("\r\n", "\n")
    assert window.view.tmap.qt_length == len(window.view.toPlainText().encode("utf-16-le")) // 2


def test_astral_letters_and_emoji_before_and_inside_spans(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TRICKY, "𝕏avier")[0], 2)
    assert view.selection() == at(TRICKY, "𝕏avier Ali")
    key(qtbot, view, Qt.Key_1)
    (entity,) = layer(window.db_path, "t1").entities
    assert TRICKY[entity.start:entity.end] == "𝕏avier Ali"
    assert highlighted_text(view, entity.start, entity.end) == "𝕏avier Ali"


def test_span_after_crlf_and_a_quote_with_an_emoji_inside(window, qtbot):
    view = window.view
    a, b = at(TRICKY, "Jakarta")
    drag(view, a, b)
    key(qtbot, view, Qt.Key_3)
    a, b = at(TRICKY, "“Kami menolak pengerahan 😀 itu,”")
    drag(view, a, b)
    key(qtbot, view, Qt.Key_Q)
    entities, quotes = stored(window.db_path)
    assert entities == ["Jakarta"] and quotes == ["Kami menolak pengerahan 😀 itu,"]
    quote = layer(window.db_path, "t1").quotes[0]
    assert highlighted_text(view, quote.start, quote.end) == "Kami menolak pengerahan 😀 itu,"


def test_combining_marks_stay_with_their_letter(window, qtbot):
    view = window.view
    a, _ = at(TRICKY, "Jose\u0301")
    drag(view, a + 1, a + 3)
    key(qtbot, view, Qt.Key_1)
    assert stored(window.db_path)[0] == ["Jose\u0301"]
    select_tokens(qtbot, view, at(TRICKY, "Bandung")[0], 1)
    key(qtbot, view, Qt.Key_3)
    assert stored(window.db_path)[0] == ["Jose\u0301", "Bandung"]


def test_selection_across_crlf_keeps_code_point_offsets(window, qtbot):
    view = window.view
    a, _ = at(TRICKY, "Ali")
    _, b = at(TRICKY, "di Jakarta")
    drag(view, a, b)
    assert view.selection() == (a, b)
    key(qtbot, view, Qt.Key_2)
    (entity,) = layer(window.db_path, "t1").entities
    assert TRICKY[entity.start:entity.end] == "Ali\r\ndi Jakarta"
    assert highlighted_text(view, entity.start, entity.end) == "Ali\ndi Jakarta"  # Qt shows CRLF as one break


def test_every_token_round_trips_through_the_qt_boundary(window, tokenizer):
    """Store an entity on every token (through the store API) and read each highlight back."""
    view = window.view
    with Store(window.db_path) as store:
        for start, end in store.tokens("t1"):
            store.add_entity("t1", "alice", start, end, "LOC")
    window.controller.reload()
    for e in window.controller.state.shown_entities:
        assert highlighted_text(view, e.start, e.end) == TRICKY[e.start:e.end].replace("\r\n", "\n")


def test_text_map_matches_qt_on_random_texts(qtbot):
    random.seed(7)
    alphabet = ["a", "b", " ", "\n", "\r\n", "\r", "😀", "𝕏", "e\u0301", "\t", "<", "&"]
    edit = QTextEdit()
    for _ in range(150):
        text = "".join(random.choice(alphabet) for _ in range(random.randint(1, 25)))
        edit.setPlainText(text)
        tmap = TextMap(text)
        end = QTextCursor(edit.document())
        end.movePosition(QTextCursor.End)
        assert end.position() == tmap.qt_length
        for i in range(len(text) + 1):
            if 0 < i < len(text) and text[i - 1:i + 1] == "\r\n":
                continue
            assert tmap.from_qt(tmap.to_qt(i)) == i
            cursor = QTextCursor(edit.document())
            cursor.setPosition(tmap.to_qt(i), QTextCursor.KeepAnchor)
            assert cursor.selectedText().replace("\u2029", "\n") == text[:i].replace("\r\n", "\n").replace("\r", "\n")


def test_caret_positions_map_back_to_code_points(window, qtbot):
    view = window.view
    for word in ("Kata", "𝕏avier", "Jakarta", "Selesai", "Bandung"):
        caret_to(qtbot, view, at(TRICKY, word)[0])
        assert view.caret() == at(TRICKY, word)[0]

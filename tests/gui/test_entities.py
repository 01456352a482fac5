"""Entities by keyboard and mouse: create, relabel, delete, resize, split, merge, undo/redo."""

from PySide6.QtCore import Qt

from tests.gui.conftest import TEXT, at, caret_to, click_at, drag, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server


def human(db, **kw):
    return [(TEXT[e.start:e.end], e.label) for e in layer(db, **kw).entities if e.status != "rejected"]


def test_shift_arrows_select_tokens_and_label_key_creates_entity(window, qtbot):
    view = window.view
    start, _ = at(TEXT, "Antony")
    select_tokens(qtbot, view, start, 2)
    assert view.selection() == at(TEXT, "Antony Blinken")
    key(qtbot, view, Qt.Key_1)
    assert human(window.db_path) == [("Antony Blinken", "PERSON")]
    assert view.selection() is None
    assert window.controller.current_entity().label == "PERSON"
    assert window.save_label.text() == "✓ saved"


def test_mouse_selection_inside_words_snaps_to_whole_tokens(window, qtbot):
    view = window.view
    a, b = at(TEXT, "Korea Utara")
    drag(view, a + 2, b - 2)  # "rea Uta"
    assert view.selection() == (a, b)
    key(qtbot, view, Qt.Key_3)
    assert human(window.db_path) == [("Korea Utara", "LOC")]


def test_selection_with_spaces_at_the_ends_is_trimmed(window, qtbot):
    view = window.view
    a, b = at(TEXT, " Washington.")
    drag(view, a, b - 1)  # " Washington"
    key(qtbot, view, Qt.Key_3)
    assert human(window.db_path) == [("Washington", "LOC")]


def test_whitespace_only_or_empty_selection_does_nothing(window, qtbot):
    view = window.view
    a, _ = at(TEXT, "  ") if "  " in TEXT else at(TEXT, " Blinken")
    drag(view, a, a + 1)  # one space
    key(qtbot, view, Qt.Key_1)
    caret_to(qtbot, view, at(TEXT, "Kamis")[0])
    key(qtbot, view, Qt.Key_1)  # no selection, not on an entity
    assert layer(window.db_path).entities == ()
    assert "Select words first" in window.statusBar().currentMessage()


def test_selection_across_a_line_break_snaps_to_the_tokens_on_both_lines(window, qtbot):
    view = window.view
    a, _ = at(TEXT, "dikerahkan")
    _, b = at(TEXT, "“Kami")
    drag(view, a + 3, b - 1)
    key(qtbot, view, Qt.Key_2)
    (entity,) = layer(window.db_path).entities
    assert TEXT[entity.start:entity.end].startswith("dikerahkan.\n")
    assert (entity.start, entity.end)[0] == a


def test_label_key_on_entity_relabels_it_and_delete_removes_it_undo_redo(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Blinken", 1)[0], 1)
    key(qtbot, view, Qt.Key_1)
    click_at(qtbot, view, at(TEXT, "Blinken", 1)[0] + 3)
    key(qtbot, view, Qt.Key_2)
    assert human(window.db_path) == [("Blinken", "ORG")]
    key(qtbot, view, Qt.Key_Delete)
    assert human(window.db_path) == []
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)  # undo delete
    assert human(window.db_path) == [("Blinken", "ORG")]
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)  # undo relabel
    assert human(window.db_path) == [("Blinken", "PERSON")]
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)  # undo add
    assert human(window.db_path) == []
    assert not window.actions["undo"].isEnabled()
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert human(window.db_path) == [("Blinken", "ORG")]
    # what the view shows follows the store
    assert [(e.label) for e in window.controller.state.shown_entities] == ["ORG"]


def test_overlapping_entity_is_refused_with_a_clear_message(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Korea")[0], 2)
    key(qtbot, view, Qt.Key_3)
    select_tokens(qtbot, view, at(TEXT, "Utara")[0], 2)  # "Utara mungkin"
    key(qtbot, view, Qt.Key_2)
    assert human(window.db_path) == [("Korea Utara", "LOC")]
    message = window.statusBar().currentMessage()
    assert "overlap" in message and "LOC" in message and "Korea Utara" in message


def test_new_entity_replaces_overlapping_suggestion_which_stays_stored(make_db, open_window, qtbot):
    db = make_db(suggestions={"a1": ([("Korea", "LOC", 0)], [])})
    window = open_window(db)
    select_tokens(qtbot, window.view, at(TEXT, "Korea")[0], 2)
    key(qtbot, window.view, Qt.Key_3)
    entities = layer(db).entities
    assert sorted((TEXT[e.start:e.end], e.status) for e in entities) == [("Korea", "rejected"), ("Korea Utara", "accepted")]
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)
    assert [(TEXT[e.start:e.end], e.status) for e in layer(db).entities] == [("Korea", "suggested")]


def test_alt_arrows_extend_and_shrink_by_one_token(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Luar")[0], 2)
    key(qtbot, view, Qt.Key_2)
    key(qtbot, view, Qt.Key_Left, Qt.AltModifier | Qt.ShiftModifier)
    assert human(window.db_path) == [("Menteri Luar Negeri", "ORG")]
    key(qtbot, view, Qt.Key_Right, Qt.AltModifier | Qt.ShiftModifier)
    assert human(window.db_path) == [("Menteri Luar Negeri AS", "ORG")]
    key(qtbot, view, Qt.Key_Left, Qt.AltModifier)
    assert human(window.db_path) == [("Menteri Luar Negeri", "ORG")]
    key(qtbot, view, Qt.Key_Right, Qt.AltModifier)
    assert human(window.db_path) == [("Luar Negeri", "ORG")]
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert human(window.db_path) == [("Menteri Luar Negeri", "ORG")]


def test_split_at_caret_and_merge_with_next(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Antony")[0], 2)
    key(qtbot, view, Qt.Key_1)
    caret_to(qtbot, view, at(TEXT, "Blinken")[0])
    key(qtbot, view, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)
    assert human(window.db_path) == [("Antony", "PERSON"), ("Blinken", "PERSON")]
    caret_to(qtbot, view, at(TEXT, "Antony")[0])
    key(qtbot, view, Qt.Key_M, Qt.ControlModifier | Qt.ShiftModifier)
    assert human(window.db_path) == [("Antony Blinken", "PERSON")]
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert human(window.db_path) == [("Antony", "PERSON"), ("Blinken", "PERSON")]
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert human(window.db_path) == [("Antony Blinken", "PERSON")]


def test_annotation_keys_do_not_fire_while_typing_in_the_search_box(window, qtbot):
    select_tokens(qtbot, window.view, at(TEXT, "Antony")[0], 1)
    key(qtbot, window.view, Qt.Key_F, Qt.ControlModifier)  # find: focus the search box
    search = window.browser.search
    assert search.hasFocus()
    for k in (Qt.Key_1, Qt.Key_Q, Qt.Key_A, Qt.Key_X, Qt.Key_S):
        key(qtbot, search, k)
    assert search.text() == "1qaxs"
    assert layer(window.db_path).entities == () and layer(window.db_path).quotes == ()


def test_legend_button_applies_label_with_the_mouse(window, qtbot):
    select_tokens(qtbot, window.view, at(TEXT, "Washington")[0], 1)
    qtbot.mouseClick(window.legend.label_buttons["LOC"], Qt.LeftButton)
    assert human(window.db_path) == [("Washington", "LOC")]


def test_arrow_keys_onto_a_span_make_it_current(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Washington")[0], 1)
    key(qtbot, view, Qt.Key_3)
    caret_to(qtbot, view, at(TEXT, "di Washington")[0])
    key(qtbot, view, Qt.Key_Escape)
    assert window.controller.current is None
    for _ in range(3):  # "di" and the space: the caret lands on the entity
        key(qtbot, view, Qt.Key_Right)
    assert window.controller.current_entity() is not None
    key(qtbot, view, Qt.Key_2)  # relabel by key, no mouse
    assert human(window.db_path) == [("Washington", "ORG")]

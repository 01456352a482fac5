"""Quotes: Q, speaker (selection, click, list), cue, stance keys, kind, the quote panel, undo."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import TEXT, at, caret_to, click_at, drag, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

QUOTED = "Kami sangat prihatin dengan laporan ini,"


def make_quote(qtbot, window):
    """Select the quoted words with the marks around them and press Q."""
    view = window.view
    a, b = at(TEXT, "“" + QUOTED + "”")
    drag(view, a, b)
    key(qtbot, view, Qt.Key_Q)
    (quote,) = layer(window.db_path).quotes
    return quote


def test_q_makes_a_direct_quote_without_its_quotation_marks(window, qtbot):
    quote = make_quote(qtbot, window)
    assert TEXT[quote.start:quote.end] == QUOTED
    assert quote.kind == "direct" and quote.source == "human"
    assert window.controller.active_quote == quote.id
    assert window.panel.model.rowCount() == 1
    assert window.panel.list.currentIndex().row() == 0


def test_quote_without_marks_is_indirect_and_k_toggles(window, qtbot):
    view = window.view
    a, _ = at(TEXT, "pasukan Korea")
    select_tokens(qtbot, view, a, 4)  # "pasukan Korea Utara mungkin"
    key(qtbot, view, Qt.Key_Q)
    (quote,) = layer(window.db_path).quotes
    assert quote.kind == "indirect"
    key(qtbot, view, Qt.Key_K)
    assert layer(window.db_path).quotes[0].kind == "direct"


def test_s_with_selection_makes_new_entity_the_speaker(window, qtbot):
    quote = make_quote(qtbot, window)
    select_tokens(qtbot, window.view, at(TEXT, "Blinken", 1)[0], 1)
    key(qtbot, window.view, Qt.Key_S)
    state = layer(window.db_path)
    (entity,) = state.entities
    assert (TEXT[entity.start:entity.end], entity.label) == ("Blinken", "PERSON")
    assert state.quotes[0].speaker == type(state.quotes[0].speaker)(entity.start, entity.end, "PERSON")
    key(qtbot, window.view, Qt.Key_Z, Qt.ControlModifier)  # one undo: entity and link together
    state = layer(window.db_path)
    assert state.entities == () and state.quotes[0].speaker is None and state.quotes[0].id == quote.id


def test_s_then_click_an_entity_sets_the_speaker_and_the_link_follows_the_entity(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Antony")[0], 2)
    key(qtbot, view, Qt.Key_1)
    make_quote(qtbot, window)
    key(qtbot, view, Qt.Key_S)
    assert window.controller.pick == "speaker"
    click_at(qtbot, view, at(TEXT, "Blinken")[0] + 2)
    assert window.controller.pick is None
    quote = layer(window.db_path).quotes[0]
    assert (quote.speaker.start, quote.speaker.end, quote.speaker.label) == (*at(TEXT, "Antony Blinken"), "PERSON")
    # the quote still is the selected one; relabel the entity: the link's label follows
    click_at(qtbot, view, at(TEXT, "Antony")[0] + 1)
    key(qtbot, view, Qt.Key_2)
    assert layer(window.db_path).quotes[0].speaker.label == "ORG"
    key(qtbot, view, Qt.Key_Delete)  # deleting the entity removes the link
    assert layer(window.db_path).quotes[0].speaker is None
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert layer(window.db_path).quotes[0].speaker.label == "ORG"


def test_s_twice_opens_the_entity_list_and_enter_picks(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Stephane")[0], 2)
    key(qtbot, view, Qt.Key_1)
    make_quote(qtbot, window)
    key(qtbot, view, Qt.Key_S)
    key(qtbot, view, Qt.Key_S)
    chooser = window.controller.chooser
    assert chooser is not None and chooser.isVisible()
    qtbot.keyClicks(chooser.filter, "steph")
    key(qtbot, chooser.filter, Qt.Key_Return)
    assert layer(window.db_path).quotes[0].speaker.start == at(TEXT, "Stephane")[0]


def test_speaker_from_the_panel_combo(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "PBB")[0], 1)
    key(qtbot, view, Qt.Key_2)
    make_quote(qtbot, window)
    combo = window.panel.editor.speaker
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith("PBB"))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert layer(window.db_path).quotes[0].speaker.label == "ORG"


def test_c_sets_the_cue_from_selection_or_a_clicked_word(window, qtbot):
    make_quote(qtbot, window)
    view = window.view
    key(qtbot, view, Qt.Key_C)
    assert window.controller.pick == "cue"
    click_at(qtbot, view, at(TEXT, "kata")[0] + 1)
    cue = layer(window.db_path).quotes[0].cue
    assert TEXT[cue.start:cue.end] == "kata"
    select_tokens(qtbot, view, at(TEXT, "mengatakan")[0], 1)
    window.controller.set_current(window.controller.state.quote(window.controller.active_quote))
    select_tokens(qtbot, view, at(TEXT, "mengatakan")[0], 1)
    key(qtbot, view, Qt.Key_C)
    cue = layer(window.db_path).quotes[0].cue
    assert TEXT[cue.start:cue.end] == "mengatakan"


def test_stance_keys_toggle_and_undo(window, qtbot):
    make_quote(qtbot, window)
    view = window.view
    key(qtbot, view, Qt.Key_F2)
    assert layer(window.db_path).quotes[0].stance == "OPPOSE"
    key(qtbot, view, Qt.Key_F1)
    assert layer(window.db_path).quotes[0].stance == "SUPPORT"
    key(qtbot, view, Qt.Key_F1)  # same key again clears
    assert layer(window.db_path).quotes[0].stance is None
    key(qtbot, view, Qt.Key_Z, Qt.ControlModifier)
    assert layer(window.db_path).quotes[0].stance == "SUPPORT"
    # the panel's stance chip shows it
    assert window.panel.editor.stance_buttons["SUPPORT"].isChecked()


def test_selecting_a_quote_in_the_panel_highlights_quote_speaker_and_cue(window, qtbot):
    view = window.view
    select_tokens(qtbot, view, at(TEXT, "Blinken", 1)[0], 1)
    key(qtbot, view, Qt.Key_1)
    make_quote(qtbot, window)
    key(qtbot, view, Qt.Key_S)
    click_at(qtbot, view, at(TEXT, "Blinken", 1)[0] + 1)
    key(qtbot, view, Qt.Key_C)
    click_at(qtbot, view, at(TEXT, "kata")[0] + 1)
    key(qtbot, view, Qt.Key_Escape)
    caret_to(qtbot, view, at(TEXT, "Menteri")[0])
    window.controller.active_quote = None
    window.controller.current = None
    window.panel.list.setFocus()
    qtbot.mouseClick(window.panel.list.viewport(), Qt.LeftButton,
                     pos=window.panel.list.visualRect(window.panel.model.index(0)).center())
    quote = layer(window.db_path).quotes[0]
    assert view.active_quote == quote.id and view.current.kind == "quote"
    rects = [view.range_rects(quote.start, quote.end), view.range_rects(quote.speaker.start, quote.speaker.end),
             view.range_rects(quote.cue.start, quote.cue.end)]
    assert all(rects), "quote, speaker and cue are on screen and boxed"
    # keys work in the quote list too
    key(qtbot, window.panel.list, Qt.Key_F3)
    assert layer(window.db_path).quotes[0].stance == "NEUTRAL"


def test_quotes_may_contain_entities(window, qtbot):
    view = window.view
    make_quote(qtbot, window)
    select_tokens(qtbot, view, at(TEXT, "Kami sangat")[0], 1)
    key(qtbot, view, Qt.Key_1)
    state = layer(window.db_path)
    assert len(state.quotes) == 1 and [TEXT[e.start:e.end] for e in state.entities] == ["Kami"]


def test_alt_down_goes_through_quotes_and_delete_removes_a_quote(window, qtbot):
    view = window.view
    make_quote(qtbot, window)
    select_tokens(qtbot, view, at(TEXT, "pengerahan")[0], 3)
    key(qtbot, view, Qt.Key_Q)
    caret_to(qtbot, view, 0)
    key(qtbot, view, Qt.Key_Down, Qt.AltModifier)
    first = window.controller.current_item()
    key(qtbot, view, Qt.Key_Down, Qt.AltModifier)
    second = window.controller.current_item()
    assert TEXT[first.start:first.end] == QUOTED and second.start == at(TEXT, "pengerahan")[0]
    key(qtbot, view, Qt.Key_Delete)
    assert [TEXT[q.start:q.end] for q in layer(window.db_path).quotes] == [QUOTED]
    QApplication.processEvents()
    assert window.panel.model.rowCount() == 1

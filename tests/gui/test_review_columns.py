"""The review table with many layers: the Text column stays readable (issue 11.9)."""

import pytest

from annotator.core.model import SpanRef
from annotator.core.store import Store
from tests.helpers import at

TEXT = ("Menteri Luar Negeri Retno Marsudi berbicara di Jakarta pada Senin bersama Sekjen PBB Antonio Guterres. "
        "“Kami menolak pengerahan pasukan itu,” kata Retno Marsudi di Kementerian Luar Negeri.")
PEOPLE = ("alice", "bob", "chandra", "dewi")


@pytest.fixture
def four_layers(tmp_path):
    store = Store(str(tmp_path / "four.db"))
    store.add_article("a1", TEXT, title="Retno Marsudi di Jakarta")
    labels = ("LOC", "ORG", "GPE", "LOC")
    for name, label in zip(PEOPLE, labels):
        store.add_entity("a1", name, *at(TEXT, "Retno Marsudi"), "PERSON")
        store.add_entity("a1", name, *at(TEXT, "Kementerian Luar Negeri"), "ORG" if name != "dewi" else "LOC")
        store.add_entity("a1", name, *at(TEXT, "Jakarta"), label if label in store.config.label_names else "LOC")
        store.add_quote("a1", name, *at(TEXT, "Kami menolak pengerahan pasukan itu"),
                        speaker=SpanRef(*at(TEXT, "Retno Marsudi", 1), "PERSON"), cue=SpanRef(*at(TEXT, "kata")),
                        stance="OPPOSE" if name in ("alice", "bob") else "NEUTRAL")
        store.set_status("a1", name, "done")
    yield store
    store.close()


@pytest.mark.parametrize("width", [1400, 1100])
def test_text_column_stays_readable_with_four_layers(qtbot, four_layers, width):
    from annotator.gui.quality.review import ReviewWidget

    widget = ReviewWidget(four_layers, "lead")
    qtbot.addWidget(widget)
    widget.resize(width, 820)
    widget.show()
    qtbot.waitExposed(widget)
    table = widget.table
    assert widget.columns == list(PEOPLE)
    em = table.fontMetrics().horizontalAdvance("M")
    print("text column", table.columnWidth(1), "em", em, "viewport", table.viewport().width())
    assert table.columnWidth(1) >= 16 * em  # about 25 characters of the span's text, not 5
    # the other columns gave up width, but every column is still on screen
    right = table.horizontalHeader().sectionViewportPosition(table.columnCount() - 1) + \
        table.columnWidth(table.columnCount() - 1)
    assert right <= table.viewport().width() + 1
    widget.grab().save(f"scratch/review-four-{width}.png") if __import__("os").path.isdir("scratch") else None

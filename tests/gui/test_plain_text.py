"""Article text and titles are data: markup shows literally and loads nothing."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument, QTextFormat

from tests.gui.conftest import at, key, layer, select_tokens

BACKENDS = ("sqlite", "postgres")  # the same tests on a file and on a PostgreSQL server

HOSTILE = ('Judul <b>tebal</b> &amp; <img src="file:///etc/passwd"> lalu <a href="http://x">tautan</a>\n'
           'Antony Blinken berkata <script>alert(1)</script> &lt;ok&gt;.')


class SpyDocument(QTextDocument):
    loaded = []

    def loadResource(self, kind, url):
        SpyDocument.loaded.append(url.toString())
        return super().loadResource(kind, url)


def test_markup_in_article_text_and_title_is_shown_literally(make_db, open_window, qtbot):
    db = make_db([("h1", HOSTILE, {"title": '<b>Bold</b> <img src="file:///etc/passwd"> &amp;'})])
    window = open_window(db, article_id="h1")
    view = window.view
    assert view.toPlainText() == HOSTILE
    html = view.document().toHtml()
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html and "<img" not in html
    assert "&amp;amp;" in html  # the literal "&amp;" of the article, escaped once more
    # no image or anchor formats anywhere in the document
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert not fmt.isImageFormat() and not fmt.isAnchor()
            assert fmt.objectType() == QTextFormat.NoObject
            it += 1
        block = block.next()
    # the title is a plain-text label, tooltips escape markup
    assert window.header.title.textFormat() == Qt.PlainText
    assert window.header.title.text().startswith("<b>Bold</b>")
    tip = window.browser.model.data(window.browser.model.index(0, 1), Qt.ToolTipRole)
    assert "&lt;img" in tip and "<img" not in tip
    # annotating around the markup still stores what is shown
    select_tokens(qtbot, view, at(HOSTILE, "Antony")[0], 2)
    key(qtbot, view, Qt.Key_1)
    (entity,) = layer(db, "h1").entities
    assert HOSTILE[entity.start:entity.end] == "Antony Blinken"
    span_tip = window.controller.tooltip(entity.start)
    assert "PERSON" in span_tip


def test_setting_plain_text_never_asks_for_resources(qtbot):
    doc = SpyDocument()
    doc.setPlainText(HOSTILE)
    doc.documentLayout()  # lay out
    assert SpyDocument.loaded == []
    assert doc.toPlainText() == HOSTILE

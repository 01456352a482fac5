"""Colours of the window and of the spans, for the light and the dark theme."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication, QStyleFactory

from annotator.core.config import ProjectConfig

THEMES = ("light", "dark")
STATUS_COLORS = {"new": "#9aa5b1", "in_progress": "#e9a23b", "done": "#2f9e44"}
STATUS_TEXT = {"new": "new", "in_progress": "in progress", "done": "done"}
INK = "#1d1d1f"  # text on the light label colours, in both themes


def mix(a: str | QColor, b: str | QColor, t: float) -> QColor:
    """`a` moved towards `b` by t (0 = a, 1 = b)."""
    a, b = QColor(a), QColor(b)
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def darker(color: str | QColor, factor: int = 160) -> QColor:
    return QColor(color).darker(factor)


def readable_on(color: str | QColor) -> QColor:
    c = QColor(color)
    luminance = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()
    return QColor(INK) if luminance > 0.5 else QColor("#ffffff")


def plain_tooltip(text: str) -> str:
    """Tooltip markup that shows `text` literally (Qt guesses rich text otherwise)."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = QPalette()
    if theme == "dark":
        window, base, text = QColor("#25272b"), QColor("#1e1f22"), QColor("#e6e6e6")
        palette.setColor(QPalette.Window, window)
        palette.setColor(QPalette.WindowText, text)
        palette.setColor(QPalette.Base, base)
        palette.setColor(QPalette.AlternateBase, QColor("#2a2c30"))
        palette.setColor(QPalette.Text, text)
        palette.setColor(QPalette.Button, QColor("#303237"))
        palette.setColor(QPalette.ButtonText, text)
        palette.setColor(QPalette.ToolTipBase, QColor("#33363b"))
        palette.setColor(QPalette.ToolTipText, text)
        palette.setColor(QPalette.PlaceholderText, QColor("#8a8f98"))
        palette.setColor(QPalette.Highlight, QColor("#3d6fb6"))
        palette.setColor(QPalette.HighlightedText, QColor("#ffffff"))
        palette.setColor(QPalette.Link, QColor("#7fb0ff"))
        palette.setColor(QPalette.Mid, QColor("#45484e"))
        palette.setColor(QPalette.Midlight, QColor("#3a3d42"))
        palette.setColor(QPalette.Dark, QColor("#151618"))
        for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
            palette.setColor(QPalette.Disabled, role, QColor("#7b7f86"))
    else:
        palette = app.style().standardPalette()
        palette.setColor(QPalette.Window, QColor("#f3f4f6"))
        palette.setColor(QPalette.Base, QColor("#ffffff"))
        palette.setColor(QPalette.AlternateBase, QColor("#f7f8fa"))
        palette.setColor(QPalette.Highlight, QColor("#2f6fd1"))
        palette.setColor(QPalette.ToolTipBase, QColor("#fffef5"))
        palette.setColor(QPalette.ToolTipText, QColor(INK))
    app.setPalette(palette)


@dataclass
class SpanStyles:
    """Character formats of the document view and the colours of its boxes."""

    entity: dict[str, QTextCharFormat]
    suggested: dict[str, QTextCharFormat]
    label_color: dict[str, QColor]
    quote: QTextCharFormat
    quote_suggested: QTextCharFormat
    quote_stance: dict[str, QTextCharFormat]
    cue: QTextCharFormat
    speaker_box: QColor
    cue_box: QColor
    quote_box: QColor
    current_box: QColor
    stance_color: dict[str, QColor]
    suggestion_outline: dict[str, QColor]
    dark: bool


def span_styles(config: ProjectConfig, theme: str) -> SpanStyles:
    dark = theme == "dark"
    base = QColor("#1e1f22") if dark else QColor("#ffffff")
    entity, suggested, label_color, outline = {}, {}, {}, {}
    for label in config.labels:
        color = QColor(label.color)
        label_color[label.name] = color
        f = QTextCharFormat()
        f.setBackground(color)
        f.setForeground(readable_on(color))
        entity[label.name] = f
        s = QTextCharFormat()
        light = mix(color, base, 0.55 if dark else 0.5)
        s.setBackground(light)
        s.setForeground(readable_on(light))
        suggested[label.name] = s
        outline[label.name] = color if dark else darker(color, 175)
    quote_color = QColor(config.quote_color)
    quote = QTextCharFormat()
    quote.setBackground(mix(quote_color, base, 0.72) if dark else quote_color)
    quote_suggested = QTextCharFormat()
    quote_suggested.setBackground(mix(quote_color, base, 0.86 if dark else 0.55))
    quote_suggested.setUnderlineStyle(QTextCharFormat.DotLine)
    quote_suggested.setUnderlineColor(darker(quote_color, 200) if not dark else quote_color)
    stance_color, quote_stance = {}, {}
    for label in config.stance_labels:
        c = QColor(label.color)
        stance_color[label.name] = c
        f = QTextCharFormat()
        f.setUnderlineStyle(QTextCharFormat.SingleUnderline)
        f.setUnderlineColor(c)
        quote_stance[label.name] = f
    cue = QTextCharFormat()
    cue_color = QColor(config.cue_color)
    cue.setBackground(mix(cue_color, base, 0.35 if dark else 0.45))
    cue.setForeground(readable_on(mix(cue_color, base, 0.35 if dark else 0.45)))
    cue.setUnderlineStyle(QTextCharFormat.SingleUnderline)
    cue.setUnderlineColor(darker(cue_color, 130))
    return SpanStyles(
        entity=entity, suggested=suggested, label_color=label_color, quote=quote, quote_suggested=quote_suggested,
        quote_stance=quote_stance, cue=cue,
        speaker_box=QColor("#d9480f") if not dark else QColor("#ff8a5c"),
        cue_box=darker(cue_color, 140) if not dark else cue_color,
        quote_box=QColor("#b08900") if not dark else QColor("#e0c060"),
        current_box=QColor("#1c64f2") if not dark else QColor("#7fb0ff"),
        stance_color=stance_color, suggestion_outline=outline, dark=dark,
    )


def status_color(status: str) -> QColor:
    return QColor(STATUS_COLORS.get(status, "#9aa5b1"))

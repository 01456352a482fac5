"""The one place where offsets cross the Qt boundary.

The store counts Python code points. A QTextDocument filled with setPlainText counts UTF-16
units (an astral character such as 😀 or 𝕏 takes two) and turns every "\\r\\n" into a single
block separator. Everything else (combining marks, tabs, lone "\\r", U+2028 …) keeps one
position per code point. `TextMap` converts between the two in O(log n)."""

from __future__ import annotations

import bisect
import re

_SHIFTS = re.compile("[\U00010000-\U0010FFFF]|\r\n")


class TextMap:
    """Code-point offsets of `text` <-> positions in the QTextDocument that shows it."""

    __slots__ = ("length", "qt_length", "_cp_at", "_qt_at", "_delta")

    def __init__(self, text: str):
        self.length = len(text)
        cp_at: list[int] = []  # code point where a shift starts to apply
        qt_at: list[int] = []  # the same place in Qt positions
        delta: list[int] = []  # cumulative Qt - code point after the shift
        total = 0
        for m in _SHIFTS.finditer(text):
            if m.group() == "\r\n":
                at, step = m.start() + 2, -1  # the pair becomes one separator
            else:
                at, step = m.start() + 1, +1  # a surrogate pair: one code point, two units
            cp_at.append(at)
            qt_at.append(at + total + step)
            total += step
            delta.append(total)
        self._cp_at, self._qt_at, self._delta = cp_at, qt_at, delta
        self.qt_length = self.length + total

    @property
    def identity(self) -> bool:
        return not self._delta

    def to_qt(self, offset: int) -> int:
        """Qt position of a code-point offset (clamped to the text)."""
        offset = min(max(offset, 0), self.length)
        if not self._delta:
            return offset
        k = bisect.bisect_right(self._cp_at, offset)
        return offset + (self._delta[k - 1] if k else 0)

    def from_qt(self, position: int) -> int:
        """Code-point offset of a Qt position (a position inside a surrogate pair rounds up)."""
        position = min(max(position, 0), self.qt_length)
        if not self._delta:
            return position
        k = bisect.bisect_right(self._qt_at, position)
        return position - (self._delta[k - 1] if k else 0)

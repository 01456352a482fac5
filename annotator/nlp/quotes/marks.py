"""Quotation marks: which mark opens, which closes, and how they pair into quotes."""

from __future__ import annotations

import bisect


DOUBLE_MARKS = "\"“”„‟«»"
SINGLE_MARKS = "'‘’‚‛‹›"
ALL_MARKS = DOUBLE_MARKS + SINGLE_MARKS
OPENING_GLYPHS = "“„‟«‘‚‛‹"


def _mark_role(text: str, i: int) -> str:
    """'open', 'close' or 'either' from the characters around the mark at ``i``."""
    a = text[i - 1] if i > 0 else "\n"
    b = text[i + 1] if i + 1 < len(text) else "\n"
    left_free = a.isspace() or a in "([{—–-:;/" or a in ALL_MARKS
    right_free = b.isspace() or b in ",.;:!?)]}…—–-" or b in ALL_MARKS
    if left_free and not right_free:
        return "open"
    if right_free and not left_free:
        return "close"
    return "either"


def _is_apostrophe(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def pair_quote_marks(text: str) -> list[tuple[int, int, bool]]:
    """Pair quotation marks: ``(open_index, close_index, closed)`` per candidate quote.

    ``close_index`` is the index of the closing mark, or the end of the paragraph when a quote
    is never closed (``closed`` False; only for texts with paragraphs). Single marks are used
    only outside double-quoted text, and an apostrophe between letters is not a mark."""
    multi_paragraph = "\n" in text.strip()
    pairs: list[tuple[int, int, bool]] = []
    doubles = [i for i, ch in enumerate(text) if ch in DOUBLE_MARKS]
    roles = [_mark_role(text, p) for p in doubles]
    unclosed: list[int] = []  # opening marks given up on (stray, or closed by a wrong glyph)
    open_at: int | None = None
    skip_to = -1
    for n, p in enumerate(doubles):
        if n <= skip_to:
            continue
        role = roles[n]
        if role == "either" and text[p] in OPENING_GLYPHS and open_at is None:
            role = "open"
        if open_at is None:
            if role == "close" and text[p] not in OPENING_GLYPHS:
                continue  # a stray closing mark
            open_at = p
            continue
        if role == "open":
            if "\n" in text[open_at:p]:
                if not text[_line_start(text, p):p].strip():
                    continue  # the quote goes on in a new paragraph that reopens it
                if multi_paragraph:
                    pairs.append((open_at, _line_end(text, open_at), False))
                    open_at = p
                    continue
            elif n + 2 < len(doubles) and roles[n + 1] != "open" and roles[n + 2] != "open" and "\n" not in text[p:doubles[n + 2]]:
                skip_to = n + 1  # a quote inside the quote: “… ada “jeger-jeger”-nya. …”
                continue
            unclosed.append(open_at)
            open_at = p  # the earlier opening mark was stray (or never closed)
            continue
        pairs.append((open_at, p, True))
        open_at = None
    if open_at is not None:
        if multi_paragraph:
            pairs.append((open_at, _line_end(text, open_at), False))
        else:
            unclosed.append(open_at)
    # “… ,’ kata X": an opening double mark closed by a single one
    for o in unclosed:
        k = bisect.bisect_right(doubles, o)
        limit = min(doubles[k] if k < len(doubles) else len(text), _line_end(text, o))
        for c in range(o + 1, limit):
            if text[c] in "’'" and _mark_role(text, c) == "close" and text[c - 1] in ",.?!":
                pairs.append((o, c, True))
                break
    pairs.sort()

    # single marks outside double-quoted text
    inside = [(o, c) for o, c, _ in pairs]
    starts = [o for o, _ in inside]

    def in_double(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and inside[k][0] < i <= inside[k][1]

    open_at = None
    for p, ch in enumerate(text):
        if ch not in SINGLE_MARKS or _is_apostrophe(text, p) or in_double(p):
            continue
        role = _mark_role(text, p)
        if open_at is None:
            if role != "close" and ch not in "’›":
                open_at = p
        elif role != "open" and "\n" not in text[open_at:p]:
            pairs.append((open_at, p, True))
            open_at = None
        elif role == "open":
            open_at = p
    pairs.sort()
    return pairs

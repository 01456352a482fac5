"""Offsets in Python code points: checks, token snapping and tokens of imported text."""

from __future__ import annotations

import bisect
import re
import sys
from array import array
from itertools import accumulate

Tokens = list[tuple[int, int]]

_FALLBACK_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


def simple_tokens(text: str) -> Tokens:
    """A dependency-free tokenizer for when spaCy is not wanted (core tests, scripts)."""
    return [(m.start(), m.end()) for m in _FALLBACK_TOKEN.finditer(text)]


def split_tokens_at(tokens: Tokens, boundaries: set[int]) -> Tokens:
    """Split tokens so that every offset in `boundaries` falls on a token boundary.

    Imported annotations are never moved: the tokens adapt to them instead."""
    if not boundaries:
        return list(tokens)
    cuts = sorted(boundaries)
    result: Tokens = []
    for start, end in tokens:
        lo = bisect.bisect_right(cuts, start)
        hi = bisect.bisect_left(cuts, end)
        pos = start
        for cut in cuts[lo:hi]:
            result.append((pos, cut))
            pos = cut
        result.append((pos, end))
    return result


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Remove whitespace at both ends of [start, end)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snap_to_tokens(tokens: Tokens, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen a selection to the tokens it touches, whitespace trimmed; None if it holds no token."""
    start, end = trim(text, max(0, start), min(len(text), end))
    if start >= end or not tokens:
        return None
    starts = [s for s, _ in tokens]
    first = bisect.bisect_right(starts, start) - 1
    if first < 0 or tokens[first][1] <= start:
        first += 1
    last = bisect.bisect_left(starts, end) - 1
    if first >= len(tokens) or last < first:
        return None
    return tokens[first][0], tokens[last][1]


def token_index(tokens: Tokens, start: int, end: int) -> tuple[int, int] | None:
    """(token_start, token_end inclusive) of a span on token boundaries, else None."""
    starts = [s for s, _ in tokens]
    first = bisect.bisect_left(starts, start)
    if first >= len(tokens) or tokens[first][0] != start:
        return None
    ends = [e for _, e in tokens]
    last = bisect.bisect_left(ends, end)
    if last >= len(tokens) or tokens[last][1] != end or last < first:
        return None
    return first, last


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


# Token offsets are stored as a packed array: a type code (b"B", b"H" or b"I") then, for each token,
# the gap from the previous token's end and the token's length, little-endian. An article's tokens
# take about a third of its text (JSON took more than the text). Sorted, non-overlapping tokens are
# all this format can hold; a reader checks only that no length is 0 and the last end is in the text.
PACK_CODES = (("B", 1 << 8), ("H", 1 << 16), ("I", 1 << 32))


def pack_code(largest: int) -> str:
    """The array type code of packed tokens whose largest gap or length is `largest`."""
    return next(code for code, limit in PACK_CODES if largest < limit)


def pack_tokens(tokens: Tokens) -> bytes:
    """Sorted, non-overlapping (start, end) offsets as compact bytes (see unpack_tokens)."""
    flat = [x for pair in tokens for x in pair]
    deltas = [b - a for a, b in zip([0, *flat], flat)]
    code = pack_code(max(deltas, default=0))
    packed = array(code, deltas)
    if sys.byteorder == "big":
        packed.byteswap()
    return code.encode() + packed.tobytes()


def packed_array(blob: bytes) -> array:
    """The gaps and lengths of packed tokens; ValueError if `blob` is not packed tokens."""
    code = chr(blob[0]) if blob else ""
    if code not in dict(PACK_CODES):
        raise ValueError(f"packed tokens start with a type code B, H or I, not {blob[:1]!r}")
    packed = array(code)
    if (len(blob) - 1) % (2 * packed.itemsize):
        raise ValueError("packed tokens must hold a gap and a length for each token")
    packed.frombytes(blob[1:])
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


def unpack_tokens(blob: bytes) -> Tokens:
    """The (start, end) offsets packed by pack_tokens."""
    flat = list(accumulate(packed_array(blob)))
    return list(zip(flat[0::2], flat[1::2]))

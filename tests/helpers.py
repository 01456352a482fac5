"""Small helpers shared by the tests (import them: `from tests.helpers import at`)."""


def at(text: str, word: str, occurrence: int = 0) -> tuple[int, int]:
    """(start, end) of the `occurrence`-th (0-based) `word` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def span_at(text: str, word: str, label: str | None = None, occurrence: int = 0) -> dict:
    """A FORMAT.md span {start, end, label} of the `occurrence`-th `word` in `text`."""
    start, end = at(text, word, occurrence)
    return {"start": start, "end": end, "label": label}

"""Small helpers shared by the tests (import them: `from tests.helpers import at`)."""


def at(text: str, word: str, occurrence: int = 0) -> tuple[int, int]:
    """(start, end) of the `occurrence`-th (0-based) `word` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)

"""The editable word lists of the quote finder (``resources/patterns/quotes.json``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from annotator.resources import RESOURCES_DIR


PATTERNS_PATH = RESOURCES_DIR / "patterns" / "quotes.json"


@dataclass(frozen=True)
class QuotePatterns:
    """The editable word lists of ``resources/patterns/quotes.json``, as sets."""

    cues: frozenset
    reporting_verbs: frozenset
    introducers: frozenset
    pronouns: frozenset
    plural_pronouns: frozenset
    titles: frozenset
    title_phrases: dict  # first word -> tuple of phrases (tuples of words), longest first
    ranks: frozenset
    org_words: frozenset
    field_word: re.Pattern
    stop_words: frozenset
    name_particles: frozenset
    title_connectors: frozenset
    adverbs: frozenset
    negators: frozenset
    connectors: frozenset
    day_month: frozenset
    menurut_non_speakers: frozenset
    abbreviations: frozenset
    passive_reporting: frozenset
    place_words: frozenset
    institutions: frozenset
    keep_ranks: bool
    descriptors: frozenset = frozenset()
    claim_nouns: frozenset = frozenset()
    headline_cues: frozenset = frozenset()
    naming_words: frozenset = frozenset()
    degrees: frozenset = frozenset()  # without dots: "sh" matches SH and S.H.
    opening_introducers: frozenset = frozenset()  # "Bagi X, …" at a sentence start
    source_introducers: frozenset = frozenset()  # "Berdasarkan keterangan X, …" ...
    source_nouns: frozenset = frozenset()  # ... with one of these nouns before the source
    marked_reporting: frozenset = frozenset()  # report only before ',' / ':' / bahwa / agar
    corps_markers: frozenset = frozenset()  # "Kolonel (Inf)", "Brigjen Pol": title words after a rank

    @classmethod
    def from_dict(cls, data: dict) -> "QuotePatterns":
        low = lambda key: frozenset(w.lower() for w in data.get(key, []))  # noqa: E731
        phrases: dict = {}
        for phrase in data.get("title_phrases", []):
            words = tuple(phrase.lower().split())
            phrases.setdefault(words[0], []).append(words)
        return cls(
            cues=low("cues"),
            reporting_verbs=low("reporting_verbs") | low("marked_reporting_verbs"),
            introducers=low("introducers"),
            pronouns=low("pronouns"),
            plural_pronouns=low("plural_pronouns"),
            titles=low("titles"),
            title_phrases={k: tuple(sorted(v, key=len, reverse=True)) for k, v in phrases.items()},
            ranks=low("ranks"),
            org_words=low("org_words"),
            field_word=re.compile(data.get("field_word_regex") or r"(?!x)x"),
            stop_words=low("speaker_stop_words"),
            name_particles=low("name_particles"),
            title_connectors=low("title_connectors"),
            adverbs=low("adverbs"),
            negators=low("negators"),
            connectors=low("connectors"),
            day_month=low("day_month_words"),
            menurut_non_speakers=low("menurut_non_speakers"),
            abbreviations=low("abbreviations"),
            passive_reporting=low("passive_reporting_verbs"),
            place_words=low("place_words"),
            institutions=low("institutions"),
            keep_ranks=bool(data.get("speaker_keeps_ranks", True)),
            descriptors=low("speaker_descriptors"),
            claim_nouns=low("claim_nouns"),
            headline_cues=low("headline_cues"),
            naming_words=low("naming_words"),
            degrees=frozenset(w.lower().replace(".", "") for w in data.get("academic_degrees", [])),
            opening_introducers=low("opening_introducers"),
            source_introducers=low("source_introducers"),
            source_nouns=low("source_nouns"),
            marked_reporting=low("marked_reporting_verbs"),
            corps_markers=low("corps_markers"),
        )

    def cue_form(self, lower: str) -> tuple[bool, bool]:
        """(is a cue word, is its -nya form that needs coreference)."""
        if lower in self.cues:
            return True, False
        if lower.endswith("nya") and lower[:-3] in self.cues:
            return True, True
        return False, False


@lru_cache(maxsize=8)
def load_patterns(path: str | None = None) -> QuotePatterns:
    """Load the word lists (default ``resources/patterns/quotes.json``). The official titles of
    the entity rules (``titles.txt`` beside it, if present) are titles here too, so a title is
    added in one place; quotes.json adds the roles that only describe a speaker ("nelayan")."""
    path = Path(path or PATTERNS_PATH)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    shared = path.with_name("titles.txt")
    if shared.is_file():
        from annotator.nlp.entities import read_titles

        titles = [t for t in read_titles(shared) if not t.endswith(".")]
        data["titles"] = list(data.get("titles", [])) + [t for t in titles if " " not in t]
        data["title_phrases"] = list(data.get("title_phrases", [])) + [t for t in titles if " " in t]
    return QuotePatterns.from_dict(data)

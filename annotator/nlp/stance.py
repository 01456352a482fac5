"""Stance suggester: for each quote, SUPPORT/OPPOSE/NEUTRAL toward the project's target.

A transparent lexicon (``resources/stance_lexicon.json``): signed weights per term, negation
("tidak mendukung" flips; "tidak akan tinggal diam" is its own phrase), intensifiers. The
component calls a suggester ``(quote_text, context) -> (label, score)``; the default is
``suggest_stance`` below. A trained classifier replaces it by registering a factory in
``spacy.registry.misc`` and naming it in the component's ``suggester`` setting; the factory
gets ``target`` and ``labels`` and returns the suggester.

Context keys (all optional): ``before``/``after`` (text around the quote: the cue sentence
often carries the stance, "X mengecam keras …"), ``speaker``, ``on_target`` (True/False to
override the target check, e.g. when the whole article is about the target).
Off-target quotes are NEUTRAL.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.nlp.quotes import doc_text
from annotator.resources import RESOURCES_DIR

LEXICON_PATH = RESOURCES_DIR / "stance_lexicon.json"
DEFAULT_TARGET = "Pengerahan pasukan Korea Utara ke Rusia"
DEFAULT_LABELS = ("SUPPORT", "OPPOSE", "NEUTRAL")  # support, oppose, neutral
CONTEXT_CHARS = 200

Suggester = Callable[[str, dict | None], tuple[str, float]]

_WORD = re.compile(r"\w+(?:-\w+)*")


_CLITICS = ("nya", "lah", "kah")


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` (hyphenated words kept whole), clitics -nya/-lah/-kah
    removed from long words ("keprihatinannya" → "keprihatinan")."""
    out = _WORD.findall(text.lower())
    return [w[:-3] if len(w) > 6 and w.endswith(_CLITICS) else w for w in out]


@dataclass(frozen=True)
class StanceLexicon:
    phrases: dict  # first word -> tuple of (words tuple, signed weight, starts with negator)
    negators: tuple
    intensifiers: dict
    targets: dict  # target (lower) -> tuple of term word-tuples
    target_stop_words: frozenset
    threshold: float
    negation_window: int
    negation_factor: float
    context_weight: float

    @classmethod
    def from_dict(cls, data: dict) -> "StanceLexicon":
        negators = tuple(tuple(n.lower().split()) for n in data.get("negators", []))
        neg_first = {n[0] for n in negators}
        phrases: dict = {}
        for direction, sign in (("SUPPORT", 1.0), ("OPPOSE", -1.0)):
            for term, weight in data.get("terms", {}).get(direction, {}).items():
                ws = tuple(words(term))
                if ws:
                    phrases.setdefault(ws[0], []).append((ws, sign * float(weight), ws[0] in neg_first))
        return cls(
            phrases={k: tuple(sorted(v, key=lambda p: len(p[0]), reverse=True)) for k, v in phrases.items()},
            negators=negators,
            intensifiers={k.lower(): float(v) for k, v in data.get("intensifiers", {}).items()},
            targets={k.lower(): tuple(tuple(words(t)) for t in v) for k, v in data.get("targets", {}).items()},
            target_stop_words=frozenset(w.lower() for w in data.get("target_stop_words", [])),
            threshold=float(data.get("threshold", 1.0)),
            negation_window=int(data.get("negation_window", 3)),
            negation_factor=float(data.get("negation_factor", 0.8)),
            context_weight=float(data.get("context_weight", 0.5)),
        )

    def target_terms(self, target: str) -> tuple:
        """Terms that show a text is about ``target`` (from the lexicon, else its content words)."""
        terms = self.targets.get(target.lower())
        if terms:
            return terms
        return tuple((w,) for w in words(target) if w not in self.target_stop_words and len(w) > 2)


@lru_cache(maxsize=8)
def load_lexicon(path: str | None = None) -> StanceLexicon:
    """Load a stance lexicon (default ``resources/stance_lexicon.json``)."""
    with open(path or LEXICON_PATH, encoding="utf-8") as f:
        return StanceLexicon.from_dict(json.load(f))


def _negated(ws: list[str], i: int, lex: StanceLexicon) -> bool:
    lo = max(0, i - lex.negation_window)
    for j in range(lo, i):
        for neg in lex.negators:
            if tuple(ws[j:j + len(neg)]) == neg and j + len(neg) <= i:
                return True
    return False


def lexicon_score(text: str, lex: StanceLexicon | None = None) -> tuple[float, list[tuple[str, float]]]:
    """Signed stance score of ``text`` (> 0 support, < 0 oppose) and the terms that made it."""
    lex = lex or load_lexicon()
    ws = words(text)
    total = 0.0
    hits: list[tuple[str, float]] = []
    i = 0
    while i < len(ws):
        for phrase, weight, fixed in lex.phrases.get(ws[i], ()):
            if tuple(ws[i:i + len(phrase)]) == phrase:
                w = weight
                for j in range(max(0, i - 2), i):
                    w *= lex.intensifiers.get(ws[j], 1.0)
                if not fixed and _negated(ws, i, lex):
                    w = -w * lex.negation_factor
                total += w
                hits.append((" ".join(phrase), round(w, 3)))
                i += len(phrase)
                break
        else:
            i += 1
    return total, hits


def on_target(text: str, target: str = DEFAULT_TARGET, lex: StanceLexicon | None = None) -> bool:
    """Does ``text`` mention the target (one of its terms)?"""
    lex = lex or load_lexicon()
    ws = words(text)
    joined = " " + " ".join(ws) + " "
    return any(" " + " ".join(t) + " " in joined for t in lex.target_terms(target))


def suggest_stance(quote_text: str, context: dict | None = None, *, target: str = DEFAULT_TARGET,
                   labels: tuple | list = DEFAULT_LABELS, lexicon: StanceLexicon | None = None) -> tuple[str, float]:
    """(label, score) for one quote. ``labels`` = (support, oppose, neutral). The score is a
    confidence in [0.5, 1): how far the lexicon sum is past the threshold (or, for NEUTRAL,
    how far inside it)."""
    lex = lexicon or load_lexicon()
    support, oppose, neutral = labels
    ctx = context or {}
    around = " ".join(x for x in (ctx.get("before"), ctx.get("after")) if x)
    relevant = ctx.get("on_target")
    if relevant is None:
        relevant = on_target(quote_text + " " + around, target, lex)
    if not relevant:
        return neutral, 0.9
    s, _ = lexicon_score(quote_text, lex)
    if around:
        s += lex.context_weight * lexicon_score(around, lex)[0]
    t = lex.threshold
    if s >= t:
        return support, round(0.5 + 0.5 * math.tanh(s / (2 * t)), 3)
    if s <= -t:
        return oppose, round(0.5 + 0.5 * math.tanh(-s / (2 * t)), 3)
    return neutral, round(1.0 - 0.5 * abs(s) / t, 3) if t else 0.5


@spacy.registry.misc("annotator.lexicon_stance.v1")
def make_lexicon_suggester(target: str = DEFAULT_TARGET, labels: tuple | list = DEFAULT_LABELS,
                           lexicon_path: str | None = None) -> Suggester:
    """The default suggester: suggest_stance with a lexicon, target and labels bound."""
    lex = load_lexicon(lexicon_path)
    labels = tuple(labels)

    def suggester(quote_text: str, context: dict | None = None) -> tuple[str, float]:
        return suggest_stance(quote_text, context, target=target, labels=labels, lexicon=lex)

    return suggester


def _paragraph_window(text: str, start: int, end: int, chars: int = CONTEXT_CHARS,
                      others: list[tuple[int, int]] = ()) -> tuple[str, str]:
    """The text before and after a quote in its paragraph, up to `chars`, and not into the other
    quotes (`others`): a neighbour's words are its own stance ("NATO Konfirmasi …, Biden: Sangat
    Berbahaya")."""
    lo = max([text.rfind("\n", 0, start) + 1, start - chars] + [e for s, e in others if e <= start])
    hi_nl = text.find("\n", end)
    hi = min([len(text) if hi_nl < 0 else hi_nl, end + chars] + [s for s, e in others if s >= end])
    return text[lo:max(lo, start - 1)], text[min(hi, end + 1):hi]


class StanceComponent:
    """spaCy component: writes ``stance`` and ``score`` into each dict of ``doc._.quotes``."""

    def __init__(self, target: str = DEFAULT_TARGET, labels: list | tuple = DEFAULT_LABELS,
                 lexicon_path: str | None = None, suggester: str | None = None):
        if len(labels) != 3:
            raise ValueError(f"stance labels must be (support, oppose, neutral), got {list(labels)!r}")
        self.target = target
        self.labels = tuple(labels)
        self.lexicon = load_lexicon(lexicon_path)
        if suggester:
            self.suggest = spacy.registry.misc.get(suggester)(target=target, labels=self.labels)
        else:
            self.suggest = make_lexicon_suggester(target, self.labels, lexicon_path)

    def __call__(self, doc: Doc) -> Doc:
        quotes = doc._.quotes or []
        if not quotes:
            return doc
        text = doc_text(doc)
        # an article about the target makes all its quotes relevant to it
        about = sum(1 for _ in _iter_target_hits(text, self.target, self.lexicon)) >= 2
        spans = [(q["start"], q["end"]) for q in quotes]
        for q in quotes:
            others = [sp for sp in spans if sp != (q["start"], q["end"])]
            before, after = _paragraph_window(text, q["start"], q["end"], others=others)
            speaker = q.get("speaker")
            ctx = {"before": before, "after": after, "speaker": speaker.get("text") if speaker else None,
                   "on_target": True if about else None}
            label, score = self.suggest(text[q["start"]:q["end"]], ctx)
            q["stance"] = label
            q["score"] = score
        return doc


def _iter_target_hits(text: str, target: str, lex: StanceLexicon):
    ws = words(text)
    terms = lex.target_terms(target)
    firsts: dict = {}
    for t in terms:
        firsts.setdefault(t[0], []).append(t)
    for i, w in enumerate(ws):
        for t in firsts.get(w, ()):
            if tuple(ws[i:i + len(t)]) == t:
                yield i
                break


@Language.factory(
    "stance",
    default_config={"target": DEFAULT_TARGET, "labels": list(DEFAULT_LABELS), "lexicon_path": None, "suggester": None},
)
def make_stance(nlp: Language, name: str, target: str, labels: list, lexicon_path: str | None, suggester: str | None) -> StanceComponent:
    """Stance per quote toward ``target`` (run after quote_finder)."""
    return StanceComponent(target=target, labels=labels, lexicon_path=lexicon_path, suggester=suggester)

"""Load and apply a model directory written by `annotator train` (annotator.nlp.train): the
trained NER, quotes model and stance classifier inside the suggestion pipeline.

    if is_trained_model_dir(model_dir):
        trained = load_trained(model_dir)
        model_dir = str(trained.ner_dir)          # the entity pipeline loads this NER
    ... entities → quote_finder → stance ...
    add_trained_components(nlp, trained)          # name memory, quotes model / classifier where chosen, meta

Also registers the quote candidate suggester (`annotator.quote_candidates.v1`) that a trained
quotes model's config names. Running the pipeline imports this module, never the trainer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from annotator.nlp import gazetteer_features  # noqa: F401  (registers the NER's gazetteer embedding)
from annotator.nlp import tokenizer as _tokenizer  # noqa: F401  (registers annotator.id_news_tokenizer.v1)
from annotator.nlp.names import NAMES_JSON, add_name_memory
from annotator.nlp.tokenizer import new_blank

MODEL_JSON = "model.json"
MODEL_NAME = "annotator_gold"

QUOTES_KEY = "quotes"
QUOTE_MODES = ("rules", "model", "rules+model")
KIND_LABELS = {"direct": "QUOTE_DIRECT", "indirect": "QUOTE_INDIRECT"}
LABEL_KINDS = {v: k for k, v in KIND_LABELS.items()}
QUOTE_OPEN, QUOTE_CLOSE = "«q»", "«/q»"
CONTEXT_CHARS = 200
CONTEXT_WORDS = 4  # words around the quote the stance classifier reads
LEXICON_WEIGHT = 5  # copies of the lexicon's verdict in the stance classifier's input

#: words after which a reported clause may start (besides cue words)
CLAUSE_OPENERS = frozenset({"bahwa", "agar", "apakah", "untuk", "supaya", "jika", "kalau", "bila"})
#: reporting verbs of the guidelines that the quote finder's word list may lack
EXTRA_REPORTING = frozenset({
    "meminta", "mendesak", "menyarankan", "melaporkan", "mengonfirmasi", "mengkonfirmasi", "memperkirakan",
    "konfirmasi", "menolak", "menyangkal", "mengatakan", "menyatakan", "menegaskan", "menambahkan",
    "menyebutkan", "menuturkan", "menuduh", "menampik", "bertanya", "menurut",
})
QUOTE_MARKS = frozenset("\"'“”‘’«»„‟‹›")
SENTENCE_END = frozenset({".", "!", "?", "…"})


class TrainingError(Exception):
    """Training cannot start or finish (no gold, unusable output folder …)."""



# --------------------------------------------------------------------------- quote candidates

@lru_cache(maxsize=1)
def _cue_words() -> frozenset:
    try:
        from annotator.nlp.quotes import load_patterns

        pat = load_patterns()
        words = set(pat.cues) | set(pat.reporting_verbs) | set(pat.introducers)
        words |= {w + "nya" for w in pat.cues}
    except (ImportError, OSError, ValueError):  # the quote finder's word list is optional here
        words = set()
    return frozenset(words | EXTRA_REPORTING)


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of sentence-like units: cut at line breaks and at . ! ? (with the
    closing quote marks that follow them)."""
    n = len(doc)
    bounds, start, i = [], 0, 0
    while i < n:
        token = doc[i]
        if token.is_space and "\n" in token.text:
            if start < i:
                bounds.append((start, i))
            start = i + 1
        elif token.text in SENTENCE_END and (i + 1 == n or token.whitespace_ or doc[i + 1].is_space
                                             or doc[i + 1].text in QUOTE_MARKS):
            j = i + 1
            while j < n and doc[j].text in QUOTE_MARKS:
                j += 1
            bounds.append((start, j))
            start = i = j
            continue
        i += 1
    if start < n:
        bounds.append((start, n))
    return bounds


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_space or doc[start].text in QUOTE_MARKS):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in QUOTE_MARKS or doc[end - 1].text == "."):
        end -= 1
    return start, end


def quote_candidates(doc: Doc, max_clause_tokens: int = 120, max_quoted_tokens: int = 300) -> list[tuple[int, int]]:
    """Candidate quote spans (token start, end), sorted: the text between two quote marks
    (up to three marks apart), and in each sentence every span that starts at the sentence
    start or after punctuation, a cue word or a complementiser (bahwa, agar …) and ends at
    the sentence end or before punctuation. Covers all quotes of the sample gold."""
    cues = _cue_words()
    found: set[tuple[int, int]] = set()
    for a, b in _sentences(doc):
        starts, ends = {a}, {b}
        for i in range(a, b):
            token = doc[i]
            if token.is_punct or token.text in QUOTE_MARKS or token.lower_ in cues or token.lower_ in CLAUSE_OPENERS:
                starts.add(i + 1)
                ends.add(i)
        for s in starts:
            for e in ends:
                if s < e and e - s <= max_clause_tokens:
                    span = _trim(doc, s, e)
                    if span[0] < span[1]:
                        found.add(span)
    marks = [i for i, t in enumerate(doc) if t.text in QUOTE_MARKS]
    for k, i in enumerate(marks):
        for j in marks[k + 1:k + 4]:
            if 1 < j - i <= max_quoted_tokens:
                found.add((i + 1, j))
    return sorted(found)


@spacy.registry.misc("annotator.quote_candidates.v1")
def make_quote_suggester(max_clause_tokens: int = 120, max_quoted_tokens: int = 300):
    """spancat suggester over `quote_candidates`."""

    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        ops = ops or get_current_ops()
        spans: list[tuple[int, int]] = []
        lengths = []
        for doc in docs:
            candidates = quote_candidates(doc, max_clause_tokens, max_quoted_tokens)
            spans.extend(candidates)
            lengths.append(len(candidates))
        lengths_array = ops.asarray1i(lengths)
        if spans:
            return Ragged(ops.asarray2i(spans), lengths_array)
        return Ragged(ops.xp.zeros((0, 0), dtype="i"), lengths_array)

    return suggest


# --------------------------------------------------------------------------- stance classifier input

def _stance_component(target: str, labels: Sequence[str]):
    """The pipeline's stance component (annotator.nlp.stance), or None if it cannot take
    this scheme (it needs exactly support, oppose, neutral)."""
    try:
        from annotator.nlp import quotes as _quotes  # noqa: F401  (registers doc._.quotes)
        from annotator.nlp.stance import StanceComponent

        return StanceComponent(target=target, labels=list(labels))
    except (ImportError, ValueError):
        return None


def _paragraph_context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> dict:
    """before/after within the paragraph (when the stance component is not usable)."""
    lo = max(text.rfind("\n", 0, start) + 1, start - chars)
    hi_nl = text.find("\n", end)
    hi = min(len(text) if hi_nl < 0 else hi_nl, end + chars)
    return {"before": text[lo:max(lo, start - 1)], "after": text[min(hi, end + 1):hi]}


def stance_input(quote_text: str, context: dict | None = None, lexicon_label: str | None = None) -> str:
    """What the stance classifier reads, lower-cased: the lexicon's verdict (LEXICON_WEIGHT
    times: a bag of words weighs a feature by its count), the last CONTEXT_WORDS words before
    the quote (mostly the cue and speaker: "kata X", "menampik bahwa"), the quote between
    markers, the first CONTEXT_WORDS words after it. `context` is what the stance component
    passes to its suggester (before/after: the paragraph around the quote)."""
    ctx = context or {}
    before = " ".join((ctx.get("before") or "").split()[-CONTEXT_WORDS:])
    after = " ".join((ctx.get("after") or "").split()[:CONTEXT_WORDS])
    verdict = " ".join([f"leksikon{lexicon_label}"] * LEXICON_WEIGHT) if lexicon_label else ""
    parts = [verdict, before, QUOTE_OPEN, quote_text, QUOTE_CLOSE, after]
    return " ".join(p.strip() for p in parts if p and p.strip()).lower()


# --------------------------------------------------------------------------- using a trained dir


@dataclass
class TrainedModel:
    """A trained model directory, loaded: what build_pipeline needs to use it."""

    path: Path
    info: dict
    ner_dir: Path | None
    quotes_nlp: Language | None
    stance_nlp: Language | None
    quotes_mode: str = "rules"  # QUOTE_MODES
    names_path: Path | None = None  # names.json (annotator.nlp.names); None in folders trained before it
    _lexicon_suggester: Callable | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.info.get("name", MODEL_NAME)

    @property
    def version(self) -> str:
        return str(self.info.get("version", "0"))

    @property
    def model_name(self) -> str:
        """What suggestions record as their model (= annotator.nlp.suggest.model_name)."""
        return f"{self.name}-{self.version}"

    @property
    def stance_labels(self) -> list[str]:
        return list(self.stance_nlp.get_pipe("textcat").labels) if self.stance_nlp else []

    def stance_scores(self, quote_text: str, context: dict | None = None) -> dict[str, float]:
        """Probability of each stance label."""
        if self.stance_nlp is None:
            raise TrainingError(f"{self.path}: no stance model")
        lexicon_label = None
        if self.info.get("stance_lexicon_feature"):
            lexicon_label = self._lexicon(quote_text, context)[0]
        return dict(self.stance_nlp(stance_input(quote_text, context, lexicon_label)).cats)

    @property
    def _lexicon(self):
        if self._lexicon_suggester is None:
            component = _stance_component(self.info.get("target", ""), self.info.get("stance_labels", []))
            self._lexicon_suggester = component.suggest
        return self._lexicon_suggester

    def stance_from_model(self, quote_text: str, context: dict | None = None) -> tuple[str, float]:
        """(label, probability) — the suggester signature of annotator.nlp.stance. `context`
        may hold "before"/"after" (text around the quote in its paragraph)."""
        cats = self.stance_scores(quote_text, context)
        label = max(cats, key=lambda k: (cats[k], k))
        return label, round(float(cats[label]), 4)

    def quotes(self, doc: Doc) -> list[dict]:
        """The quotes of `doc` in this model's quotes mode, from the rule quotes already in
        doc._.quotes: "rules" keeps them, "model" replaces them by the model's, "rules+model"
        adds the model quotes that overlap no rule quote."""
        rules = list(doc._.quotes or [])
        if self.quotes_mode == "rules" or self.quotes_nlp is None:
            return rules
        found = self.find_quotes(doc)
        if self.quotes_mode == "model":
            return found
        extra = [q for q in found if not any(min(q["end"], r["end"]) > max(q["start"], r["start"]) for r in rules)]
        return sorted(rules + extra, key=lambda q: (q["start"], q["end"]))

    def find_quotes(self, doc: Doc) -> list[dict]:
        """Model quotes of `doc` as doc._.quotes dicts; speaker and cue from the rule quote
        (already in doc._.quotes) that overlaps each most."""
        if self.quotes_nlp is None:
            raise TrainingError(f"{self.path}: no quote model")
        qdoc = self.quotes_nlp(doc.text)
        group = qdoc.spans.get(QUOTES_KEY, [])
        scores = group.attrs.get("scores") if group else None
        rules = list(doc._.quotes or []) if Doc.has_extension("quotes") else []
        found = []
        for i, span in enumerate(group):
            own = doc.char_span(span.start_char, span.end_char, alignment_mode="expand")
            if own is None:
                continue
            best, best_overlap = None, 0
            for rule in rules:
                overlap = min(rule["end"], span.end_char) - max(rule["start"], span.start_char)
                if overlap > best_overlap:
                    best, best_overlap = rule, overlap
            longer = max(span.end_char - span.start_char, (best["end"] - best["start"]) if best else 0)
            linked = best if best is not None and best_overlap * 2 >= longer else None
            found.append({
                "start": span.start_char, "end": span.end_char, "token_start": own.start, "token_end": own.end,
                "kind": LABEL_KINDS.get(span.label_, "direct"),
                "speaker": dict(linked["speaker"]) if linked and linked.get("speaker") else None,
                "cue": dict(linked["cue"]) if linked and linked.get("cue") else None,
                "stance": None, "score": round(float(scores[i].max()), 4) if scores is not None else None,
                "source": "model", "status": "suggested",
                "attribution": linked.get("attribution") if linked else None,
            })
        return sorted(found, key=lambda q: (q["start"], q["end"]))


def is_trained_model_dir(path: str | Path | None) -> bool:
    """Is `path` a directory written by train_from_gold (it has model.json)?"""
    return path is not None and (Path(path) / MODEL_JSON).is_file()


def load_trained(model_dir: str | Path, *, quotes: str | None = None, stance: str | None = None) -> TrainedModel:
    """Load a directory written by train_from_gold (cached per directory and model.json time).

    quotes: "rules" | "model" | "rules+model" (see TrainedModel.quotes); stance: "lexicon" |
    "model". None = what model.json's "use" says (the trained parts replace rules and lexicon
    only where they scored better on dev)."""
    path = Path(model_dir).resolve()
    if not (path / MODEL_JSON).is_file():
        raise TrainingError(f"{path}: not a trained model directory (no {MODEL_JSON})")
    if quotes not in (None, *QUOTE_MODES) or stance not in (None, "lexicon", "model"):
        raise ValueError(f"quotes must be one of {QUOTE_MODES}, stance 'lexicon' or 'model'")
    return _load_trained(str(path), (path / MODEL_JSON).stat().st_mtime_ns, quotes, stance)


@lru_cache(maxsize=8)
def _load_trained(path_str: str, _mtime: int, quotes: str | None, stance: str | None) -> TrainedModel:
    path = Path(path_str)
    try:
        info = json.loads((path / MODEL_JSON).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TrainingError(f"{path / MODEL_JSON}: unreadable ({exc})") from None
    components = info.get("components", {})
    use = info.get("use", {})
    quotes = quotes or use.get("quotes", "rules")
    stance = stance or use.get("stance", "lexicon")

    def sub(name: str) -> Path | None:
        directory = path / name
        return directory if components.get(name) and (directory / "config.cfg").is_file() else None

    def load(name: str, wanted: bool) -> Language | None:
        directory = sub(name)
        return spacy.load(directory, vocab=new_blank().vocab) if wanted and directory is not None else None

    quotes_nlp = load("quotes", quotes != "rules")
    names = path / NAMES_JSON
    return TrainedModel(path=path, info=info, ner_dir=sub("ner"), quotes_nlp=quotes_nlp,
                        stance_nlp=load("stance", stance == "model"),
                        quotes_mode=quotes if quotes_nlp is not None else "rules",
                        names_path=names if names.is_file() else None)


@Language.factory("annotator_trained_quotes", default_config={"model_dir": "", "mode": "model"})
def make_trained_quotes(nlp: Language, name: str, model_dir: str, mode: str):
    """Quotes from a trained quotes model (mode "model" or "rules+model", see
    TrainedModel.quotes); run after quote_finder, before stance."""
    trained = load_trained(model_dir, quotes=mode, stance="lexicon")

    def trained_quotes(doc: Doc) -> Doc:
        quotes = trained.quotes(doc)
        doc._.quotes = quotes
        doc.spans["quotes"] = [Span(doc, q["token_start"], q["token_end"], label=q["kind"]) for q in quotes]
        return doc

    return trained_quotes


def add_trained_components(nlp: Language, trained: TrainedModel | str | Path) -> Language:
    """Make a suggestion pipeline (entities from trained.ner_dir → quote_finder → stance) use a
    trained directory: its name memory (names.json, annotator.nlp.names: after the entity rules),
    model quotes (replacing or added to the rule quotes) and the stance classifier instead of the
    lexicon, each as loaded (see load_trained); nlp.meta name/version become the trained
    model's, so suggestions record it. Returns nlp."""
    if not isinstance(trained, TrainedModel):
        trained = load_trained(trained)
    if trained.names_path is not None and "annotator_name_memory" not in nlp.pipe_names:
        add_name_memory(nlp, trained.names_path)
    if trained.quotes_mode != "rules" and "quote_finder" in nlp.pipe_names:
        nlp.add_pipe("annotator_trained_quotes", after="quote_finder",
                     config={"model_dir": str(trained.path), "mode": trained.quotes_mode})
    if trained.stance_nlp is not None and "stance" in nlp.pipe_names:
        nlp.get_pipe("stance").suggest = trained.stance_from_model
    nlp.meta["name"] = trained.name
    nlp.meta["version"] = trained.version
    return nlp

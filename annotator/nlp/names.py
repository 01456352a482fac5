"""The name memory of a trained model: what the team's gold says about exact strings (issue 13).

    memory = NameMemory.learn(gold_records, candidates=suggested_texts)   # at `annotator train`
    memory.save(model_dir / NAMES_JSON)
    NameMemory.load(model_dir / NAMES_JSON).apply(doc)                    # component "annotator_name_memory"

Learning (like INCEpTION's string-matching recommender): for every distinct surface form — the
exact text of a gold entity, or a `candidates` text (what the suggestion pipeline found in the
same articles, so that the forms the team deleted are counted too) — every occurrence in the gold
texts that starts and ends on token boundaries is counted as annotated with a label (a gold
entity with exactly those bounds), "none" (no gold entity overlaps it) or "inside" (part of a
longer or crossing gold entity; neither for nor against the form).

Applying, on the final entities of the suggestion pipeline (after the rule families):
  1. drop a suggested entity whose exact text the gold leaves unannotated at least MIN_COUNT
     times and in at least DROP_SHARE of its annotated-or-none occurrences;
  2. relabel a suggested entity whose exact text the gold labels otherwise at least MIN_COUNT
     times and in at least MIN_SHARE of its occurrences;
  3. add the remembered forms labelled as in 2. where no entity overlaps them, longest first,
     on token boundaries, never overlapping each other (source "rule").
The thresholds live here, not in names.json: changing them needs no retraining.

names.json: {"format": 1, "articles": n, "forms": {text: {"labels": {label: n}, "none": n,
"inside": n}}}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.nlp.tokenizer import new_blank

NAMES_JSON = "names.json"
NAMES_FORMAT = 1
#: where the memory runs: "after" the entity rules (on the final doc.ents) or "before" them (on
#: the NER's spans, which the rule families then adjust). benchmarks/quality.py
#: --learning-curve-dev (30 development articles, folds of 15, seed 0), mean entity F1 after
#: 5 / 10 / 15 articles with the base NER: no memory 0.9215, after 0.9237 / 0.9237 / 0.9247,
#: before 0.9234 / 0.9234 / 0.9240 (ORG 0.869 / 0.869 / 0.870 after, 0.867 before: the rule
#: families rebuild some of what the memory fixes before them); with the NER fine-tuned (base share
#: 0.5) no memory 0.9162 / 0.9189 / 0.9159, after 0.9166 / 0.9196 / 0.9163, before 0.9162 /
#: 0.9192 / 0.9159. After it is.
POSITION = "after"
#: occurrences a label (or "none", for dropping) needs in the gold before the memory acts on a
#: form. Same curve (fine-tuned NER, seed 0; the base pipeline's suggestions on the trained
#: articles counted as the team's rejected ones, as `annotator train` counts them): 1 gives 0.9166 / 0.9196 / 0.9169 after 5 / 10 / 15
#: articles, 2 gives exactly the no-memory 0.9162 / 0.9189 / 0.9159 (on these folds no form the
#: other fold needs occurs twice: news articles on different stories share few names); every
#: action of 1 at 15 articles, base NER, checked by hand: 10 right, 1 wrong (a year, now left to
#: the date rules, SKIP_LABELS). The share thresholds keep a single annotation from spreading
#: where the team also left the same string unannotated.
MIN_COUNT = 1
#: share of a form's occurrences (labelled or none) that its label must have to add or relabel
#: it. 0.5, 0.7 and 0.9 give the same curve (0.9166 / 0.9196 / 0.9169); adding nothing
#: (drop only) 0.9162 / 0.9192 / 0.9166. 0.7: a clear majority of the team's decisions
MIN_SHARE = 0.7
#: share of a form's occurrences that must be unannotated to drop a suggested entity of that
#: text. 0.7 and 0.9 give the same curve; dropping nothing 0.9166 / 0.9192 / 0.9163
DROP_SHARE = 0.7
#: longest run of capitalised words counted as a form (besides the gold's and the candidates')
NAME_LIKE_TOKENS = 4
#: labels the memory leaves alone: it never adds, relabels to, relabels or drops them (dates are
#: the date rules' work, not names). Base NER, 15 articles: 0.9247 with DATE left alone, 0.9240
#: (DATE F1 0.973 -> 0.970) without
SKIP_LABELS: frozenset[str] = frozenset({"DATE"})


@dataclass
class FormCounts:
    labels: dict[str, int] = field(default_factory=dict)
    none: int = 0
    inside: int = 0

    @property
    def total(self) -> int:
        """Occurrences that speak for or against the form (annotated or none)."""
        return sum(self.labels.values()) + self.none

    def label(self, min_count: int, min_share: float) -> str | None:
        """The label the gold reliably gives this form, or None."""
        if not self.labels:
            return None
        best = max(sorted(self.labels), key=lambda lab: self.labels[lab])
        n = self.labels[best]
        return best if n >= min_count and n >= min_share * self.total else None

    def unannotated(self, min_count: int, drop_share: float) -> bool:
        """Does the gold reliably leave this form without an entity?"""
        return self.none >= min_count and self.none >= drop_share * self.total

    def to_json(self) -> dict:
        return {"labels": dict(sorted(self.labels.items())), "none": self.none, "inside": self.inside}


def _first_tokens(forms: Iterable[str], nlp: Language) -> dict[str, list[str]]:
    """{first token's text: the forms that start with it}."""
    index: dict[str, list[str]] = {}
    for form in forms:
        doc = nlp.make_doc(form)
        if len(doc):
            index.setdefault(doc[0].text, []).append(form)
    return index


def _occurrences(doc: Doc, index: dict[str, list[str]]) -> Iterable[tuple[int, int, str]]:
    """(start char, end char, form) of every form of `index` that starts and ends on a token
    boundary of `doc`."""
    text = doc.text
    ends = {t.idx + len(t.text) for t in doc if not t.is_space}
    for token in doc:
        for form in index.get(token.text, ()):
            end = token.idx + len(form)
            if end in ends and text.startswith(form, token.idx):
                yield token.idx, end, form


def _name_like(doc: Doc, max_tokens: int) -> set[str]:
    """Texts of the runs of up to `max_tokens` capitalised words ("Tempat Pemungutan Suara",
    "TPS", "Muncul"): the forms a pipeline may suggest as names even where the gold has none."""
    found, run = set(), []
    for token in list(doc) + [None]:
        if token is not None and not token.is_space and token.text[:1].isupper():
            run.append(token)
            continue
        for a in range(len(run)):
            for b in range(a, min(len(run), a + max_tokens)):
                found.add(doc.text[run[a].idx:run[b].idx + len(run[b].text)])
        run = []
    return found


@dataclass
class NameMemory:
    forms: dict[str, FormCounts]
    articles: int = 0
    min_count: int = MIN_COUNT
    min_share: float = MIN_SHARE
    drop_share: float = DROP_SHARE
    skip_labels: frozenset[str] = SKIP_LABELS

    # ------------------------------------------------------------------ learning

    @classmethod
    def learn(cls, records: Iterable[dict], candidates: Iterable[str] = ()) -> "NameMemory":
        """Count, over the gold `records` (FORMAT.md records: "text" and "spans" with start, end,
        label; rejected spans ignored), every gold entity text, every `candidates` text (e.g. what
        the suggestion pipeline found in them) and every run of capitalised words."""
        records = list(records)
        nlp = new_blank()
        docs = [nlp.make_doc(r["text"]) for r in records]
        gold = [[s for s in r.get("spans") or () if s.get("status") != "rejected"] for r in records]
        texts = {r["text"][s["start"]:s["end"]] for r, spans in zip(records, gold) for s in spans}
        texts |= set(candidates)
        for doc in docs:
            texts |= _name_like(doc, NAME_LIKE_TOKENS)
        texts = {t for t in texts if t.strip() and t == t.strip() and "\n" not in t}
        forms = {t: FormCounts() for t in texts}
        index = _first_tokens(forms, nlp)
        for record, doc, spans in zip(records, docs, gold):
            exact = {(s["start"], s["end"]): s["label"] for s in spans}
            for a, b, text in _occurrences(doc, index):
                counts = forms[text]
                if (a, b) in exact:
                    counts.labels[exact[(a, b)]] = counts.labels.get(exact[(a, b)], 0) + 1
                elif any(s["start"] < b and a < s["end"] for s in spans):
                    counts.inside += 1
                else:
                    counts.none += 1
        return cls({t: c for t, c in sorted(forms.items()) if c.labels or c.none or c.inside}, len(records))

    # ------------------------------------------------------------------ files

    def to_json(self) -> dict:
        return {"format": NAMES_FORMAT, "articles": self.articles,
                "forms": {t: c.to_json() for t, c in self.forms.items()}}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict) -> "NameMemory":
        if data.get("format") != NAMES_FORMAT:
            raise ValueError(f"name memory format {data.get('format')!r}; this version reads {NAMES_FORMAT}")
        forms = {t: FormCounts(dict(c.get("labels", {})), int(c.get("none", 0)), int(c.get("inside", 0)))
                 for t, c in data.get("forms", {}).items()}
        return cls(forms, int(data.get("articles", 0)))

    @classmethod
    def load(cls, path: str | Path) -> "NameMemory":
        """names.json (cached per path and modification time); ValueError when unreadable."""
        path = Path(path).resolve()
        return _load(str(path), path.stat().st_mtime_ns)

    # ------------------------------------------------------------------ applying

    @property
    def _decisions(self) -> tuple[dict[str, str], frozenset[str], dict[str, list[str]]]:
        """({form: label} to add or relabel to, forms to drop, those labelled forms by first token),
        computed again only when a threshold changes."""
        cached = self.__dict__.get("_cache")
        key = (self.min_count, self.min_share, self.drop_share, self.skip_labels)
        if cached is None or cached[0] != key:
            labels = {t: lab for t, c in self.forms.items()
                      if (lab := c.label(self.min_count, self.min_share)) and lab not in self.skip_labels}
            drop = frozenset(t for t, c in self.forms.items() if c.unannotated(self.min_count, self.drop_share))
            cached = self.__dict__["_cache"] = (key, labels, drop, _first_tokens(labels, new_blank()))
        return cached[1], cached[2], cached[3]

    def apply(self, doc: Doc) -> Doc:
        """Drop, relabel and add entities of `doc` as the module docstring says."""
        labels, drop, index = self._decisions
        kept = []
        for ent in doc.ents:
            if ent.label_ in self.skip_labels:
                kept.append(ent)
                continue
            if ent.text in drop:
                continue
            label = labels.get(ent.text)
            if label and label != ent.label_:
                span = Span(doc, ent.start, ent.end, label=label)
                _copy_extensions(ent, span)
                ent = span
            kept.append(ent)
        taken = {i for e in kept for i in range(e.start, e.end)}
        found = []
        for a, b, form in _occurrences(doc, index):
            span = doc.char_span(a, b, label=labels[form])
            if span is not None:
                found.append(span)
        for span in sorted(found, key=lambda s: (-(s.end - s.start), s.start)):
            if not any(i in taken for i in range(span.start, span.end)):
                if Span.has_extension("source"):
                    span._.source = "rule"
                kept.append(span)
                taken.update(range(span.start, span.end))
        doc.ents = sorted(kept, key=lambda s: s.start)
        return doc


def _copy_extensions(source: Span, target: Span) -> None:
    for name in ("source", "score"):
        if Span.has_extension(name):
            setattr(target._, name, getattr(source._, name))


@lru_cache(maxsize=8)
def _load(path_str: str, _mtime: int) -> NameMemory:
    try:
        return NameMemory.from_json(json.loads(Path(path_str).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
        raise ValueError(f"{path_str}: unreadable name memory ({exc})") from None


@Language.factory("annotator_name_memory", default_config={"path": ""})
def make_name_memory(nlp: Language, name: str, path: str):
    """The name memory of a trained model (names.json at `path`) over doc.ents."""
    memory = NameMemory.load(path)

    def name_memory(doc: Doc) -> Doc:
        return memory.apply(doc)

    return name_memory


def add_name_memory(nlp: Language, path: str | Path, position: str = POSITION) -> Language:
    """Add the name memory at `position` ("after": after entity_merge, the rule families; "before":
    right after the NER) of an entity pipeline; a pipeline without entities is left alone."""
    if position not in ("after", "before"):
        raise ValueError(f"position must be 'after' or 'before', not {position!r}")
    anchor = "entity_merge" if position == "after" else "ner"
    if anchor not in nlp.pipe_names:
        anchor = next((p for p in ("entity_merge", "ner") if p in nlp.pipe_names), None)
    if anchor is None:
        return nlp
    nlp.add_pipe("annotator_name_memory", after=anchor, config={"path": str(path)})
    return nlp

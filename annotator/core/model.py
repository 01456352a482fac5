"""The domain: articles and the annotations of one layer (an annotator's, the model's, the gold)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

MODEL_LAYER = "@model"  # suggestions of the pipeline, shared by all annotators
GOLD_LAYER = "@gold"  # the reviewed gold layer

SOURCES = ("model", "rule", "human")
STATUSES = ("suggested", "accepted", "rejected")
ARTICLE_STATUSES = ("new", "in_progress", "done")


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    title: str = ""
    source: str | None = None
    date: str | None = None
    url: str | None = None
    meta: dict = field(default_factory=dict)
    text_hash: str = ""
    tokens: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SpanRef:
    """A span that a quote points at: its speaker or its cue."""

    start: int
    end: int
    label: str | None = None


class Annotation:
    """What entities and quotes share: their status and source, and copying with changes."""

    status: str
    source: str

    @property
    def is_pending(self) -> bool:
        """A suggestion nobody has accepted or rejected yet."""
        return self.status == "suggested"

    @property
    def is_machine_suggestion(self) -> bool:
        """A pending suggestion of the model or the rules (not a human's draft)."""
        return self.is_pending and self.source != "human"

    def with_changes(self, **changes):
        """A copy with all fields kept but `changes`."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Entity(Annotation):
    id: int | None
    article_id: str
    annotator: str
    start: int
    end: int
    label: str
    source: str = "human"
    status: str = "accepted"
    score: float | None = None
    model: str | None = None
    version: int | None = field(default=None, compare=False)  # the stored row's version (None: not stored)


@dataclass(frozen=True)
class Quote(Annotation):
    id: int | None
    article_id: str
    annotator: str
    start: int
    end: int
    kind: str = "direct"
    speaker: SpanRef | None = None
    cue: SpanRef | None = None
    stance: str | None = None
    source: str = "human"
    status: str = "accepted"
    score: float | None = None
    model: str | None = None
    version: int | None = field(default=None, compare=False)  # the stored row's version (None: not stored)


@dataclass(frozen=True)
class Layer:
    """What one annotator (or the model, or the gold) holds for one article."""

    article_id: str
    annotator: str
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    status: str = "new"
    stance: str | None = None
    answer: str | None = None
    comment: str = ""
    flagged: bool = False
    version: int = field(default=0, compare=False)  # of status, stance, answer, comment and flag (0: never changed)

    def visible_entities(self) -> list[Entity]:
        return [e for e in self.entities if e.status != "rejected"]

    def visible_quotes(self) -> list[Quote]:
        return [q for q in self.quotes if q.status != "rejected"]

    def pending(self) -> list[Entity | Quote]:
        items = [*self.entities, *self.quotes]
        return sorted((x for x in items if x.is_pending), key=lambda x: (x.start, x.end))

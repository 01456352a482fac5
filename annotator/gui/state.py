"""What the window shows of one article: a read-through copy of the store, indexed for lookups.

No Qt here. The copy is refreshed from the store after every stored edit (only the rows an
edit touched), so the window never shows anything the store does not hold."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from annotator.core.model import Article, Entity, Layer, Quote
from annotator.core.offsets import snap_to_tokens
from annotator.core.store import Store, ValidationError

QUOTE_MARKS = "\"'“”‘’«»„‟‹›"


@dataclass(frozen=True)
class SpanKey:
    """Which span is meant: ("entity" | "quote", id)."""

    kind: str
    id: int


@dataclass
class Touched:
    """What a stored edit changed, so the view refreshes only that."""

    article_id: str
    entities: set[int] = field(default_factory=set)
    quotes: set[int] = field(default_factory=set)
    layer: bool = False

    def merge(self, other: "Touched") -> "Touched":
        self.entities |= other.entities
        self.quotes |= other.quotes
        self.layer = self.layer or other.layer
        return self


class ArticleState:
    """One article and the current annotator's layer."""

    def __init__(self, store: Store, article: Article, layer: Layer):
        self.article = article
        self.text = article.text
        self.tokens: list[tuple[int, int]] = list(article.tokens)
        self._token_starts = [s for s, _ in self.tokens]
        self._token_ends = [e for _, e in self.tokens]
        self.annotator = layer.annotator
        self.hidden_sources: set[str] = set()  # suggestions from these sources are not shown
        self.entities: dict[int, Entity] = {e.id: e for e in layer.entities}
        self.quotes: dict[int, Quote] = {q.id: q for q in layer.quotes}
        self.layer = layer
        self._reindex()

    # ---- refresh from the store ------------------------------------------------------------
    def refresh(self, store: Store, touched: Touched) -> None:
        """Re-read what an edit touched (O(touched · log n): a long article stays fast to edit)."""
        for entity_id in touched.entities:
            try:
                entity = store.get_entity(entity_id)
            except ValidationError:
                entity = None
            if entity is not None and (entity.article_id != self.article.id or entity.annotator != self.annotator):
                continue
            self._unindex_entity(entity_id)
            if entity is None:
                self.entities.pop(entity_id, None)
            else:
                self.entities[entity_id] = entity
                self._index_entity(entity)
        changed_quotes = False
        for quote_id in touched.quotes:
            try:
                quote = store.get_quote(quote_id)
            except ValidationError:
                changed_quotes |= self.quotes.pop(quote_id, None) is not None
            else:
                if quote.article_id == self.article.id and quote.annotator == self.annotator:
                    self.quotes[quote_id] = quote
                    changed_quotes = True
        if changed_quotes:
            self._index_quotes()
        if touched.layer:
            self.layer = store.get_layer(self.article.id, self.annotator)

    def reload(self, store: Store) -> None:
        layer = store.get_layer(self.article.id, self.annotator)
        self.layer = layer
        self.entities = {e.id: e for e in layer.entities}
        self.quotes = {q.id: q for q in layer.quotes}
        self._reindex()

    def set_hidden_sources(self, sources: set[str]) -> None:
        self.hidden_sources = set(sources)
        self._reindex()

    def visible(self, item: Entity | Quote) -> bool:
        if item.status == "rejected":
            return False
        return not (item.is_pending and item.source in self.hidden_sources)

    # The shown entities are kept sorted by (start, end, id) in three parallel lists, updated
    # in place after an edit, so that lookups by offset are a bisection.
    def _reindex(self) -> None:
        shown = sorted((e for e in self.entities.values() if self.visible(e)), key=lambda e: (e.start, e.end, e.id))
        self.shown_entities: list[Entity] = shown
        self._entity_keys = [(e.start, e.end, e.id) for e in shown]
        self._entity_starts = [e.start for e in shown]
        self._index_quotes()

    def _index_quotes(self) -> None:
        self.shown_quotes: list[Quote] = sorted(
            (q for q in self.quotes.values() if self.visible(q)), key=lambda q: (q.start, -q.end, q.id))

    def _unindex_entity(self, entity_id: int) -> None:
        old = self.entities.get(entity_id)
        if old is None:
            return
        key = (old.start, old.end, old.id)
        i = bisect.bisect_left(self._entity_keys, key)
        if i < len(self._entity_keys) and self._entity_keys[i] == key:
            del self._entity_keys[i], self.shown_entities[i], self._entity_starts[i]

    def _index_entity(self, entity: Entity) -> None:
        if not self.visible(entity):
            return
        key = (entity.start, entity.end, entity.id)
        i = bisect.bisect_left(self._entity_keys, key)
        self._entity_keys.insert(i, key)
        self.shown_entities.insert(i, entity)
        self._entity_starts.insert(i, entity.start)

    # ---- lookups ---------------------------------------------------------------------------
    def entity(self, entity_id: int) -> Entity | None:
        return self.entities.get(entity_id)

    def quote(self, quote_id: int) -> Quote | None:
        return self.quotes.get(quote_id)

    def item(self, key: SpanKey | None) -> Entity | Quote | None:
        if key is None:
            return None
        item = self.entities.get(key.id) if key.kind == "entity" else self.quotes.get(key.id)
        return item if item is not None and self.visible(item) else None

    def entity_at(self, offset: int) -> Entity | None:
        """The shown entity holding the character at `offset`."""
        k = bisect.bisect_right(self._entity_starts, offset) - 1
        # entities never overlap, but a suggestion may sit inside a neighbour's range: look back a little
        for i in range(k, max(-1, k - 3), -1):
            e = self.shown_entities[i]
            if e.start <= offset < e.end:
                return e
        return None

    def entity_with_bounds(self, start: int, end: int) -> Entity | None:
        return next((e for e in self.entities_in(start, end) if (e.start, e.end) == (start, end)), None)

    def quotes_at(self, offset: int) -> list[Quote]:
        """Shown quotes holding `offset`, innermost first."""
        found = [q for q in self.shown_quotes if q.start <= offset < q.end]
        return sorted(found, key=lambda q: q.end - q.start)

    def entities_in(self, start: int, end: int) -> list[Entity]:
        """Shown entities overlapping [start, end)."""
        k = max(0, bisect.bisect_left(self._entity_starts, start) - 3)
        out = []
        for e in self.shown_entities[k:]:
            if e.start >= end:
                break
            if e.end > start:
                out.append(e)
        return out

    def quotes_in(self, start: int, end: int) -> list[Quote]:
        return [q for q in self.shown_quotes if q.start < end and q.end > start]

    def speaker_links(self, entity: Entity) -> list[Quote]:
        """Quotes (not rejected) whose speaker is exactly this entity's span."""
        return [q for q in self.quotes.values()
                if q.status != "rejected" and q.speaker is not None
                and (q.speaker.start, q.speaker.end) == (entity.start, entity.end)]

    def pending(self) -> list[Entity | Quote]:
        items = [e for e in self.shown_entities if e.is_pending]
        items += [q for q in self.shown_quotes if q.is_pending]
        return sorted(items, key=_order)

    def spans(self) -> list[Entity | Quote]:
        return sorted([*self.shown_entities, *self.shown_quotes], key=_order)

    @staticmethod
    def key_of(item: Entity | Quote) -> SpanKey:
        return SpanKey("entity" if isinstance(item, Entity) else "quote", item.id)

    def neighbour(self, items: list[Entity | Quote], current: Entity | Quote | None, offset: int,
                  step: int) -> Entity | Quote | None:
        """The item after (step=1) or before (step=-1) the current item, or the caret offset."""
        if not items:
            return None
        keys = [_order(x) for x in items]
        here = _order(current) if current is not None else (offset, -1, 0, 0)
        if step > 0:
            k = bisect.bisect_right(keys, here)
            return items[k] if k < len(items) else None
        k = bisect.bisect_left(keys, here) - 1
        return items[k] if k >= 0 else None

    # ---- tokens ----------------------------------------------------------------------------
    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """A selection widened to whole tokens, whitespace trimmed; None when it holds no token."""
        if start > end:
            start, end = end, start
        # the core's rule, given only the tokens around the selection (the article may be long)
        lo = max(0, bisect.bisect_right(self._token_ends, start) - 1)
        hi = bisect.bisect_left(self._token_starts, end) + 1
        return snap_to_tokens(self.tokens[lo:hi], self.text, start, end)

    def hidden_entities_in(self, start: int, end: int) -> list[Entity]:
        """Suggestions hidden from view (View menu) that overlap [start, end)."""
        if not self.hidden_sources:
            return []
        return [e for e in self.entities.values()
                if e.is_pending and not self.visible(e) and e.start < end and e.end > start]

    def token_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Indices (first, last inclusive) of the tokens of a span on token boundaries."""
        first = bisect.bisect_left(self._token_starts, start)
        last = bisect.bisect_left(self._token_ends, end)
        if first >= len(self.tokens) or last >= len(self.tokens) or last < first:
            return None
        return first, last

    def tokens_between(self, start: int, end: int) -> list[tuple[int, int]]:
        """The tokens wholly inside [start, end), e.g. the words between two spans."""
        first = bisect.bisect_left(self._token_starts, start)
        last = bisect.bisect_right(self._token_ends, end)
        return self.tokens[first:last] if last > first else []

    def token_at(self, offset: int) -> tuple[int, int] | None:
        """The token holding the character at `offset` (or starting right there)."""
        k = bisect.bisect_right(self._token_starts, offset) - 1
        if k >= 0 and self.tokens[k][0] <= offset < self.tokens[k][1]:
            return self.tokens[k]
        return None

    def next_token_end(self, offset: int) -> int | None:
        """End of the first token ending after `offset`."""
        k = bisect.bisect_right(self._token_ends, offset)
        return self._token_ends[k] if k < len(self.tokens) else None

    def previous_token_start(self, offset: int) -> int | None:
        """Start of the last token starting before `offset`."""
        k = bisect.bisect_left(self._token_starts, offset) - 1
        return self._token_starts[k] if k >= 0 else None

    def next_token_start(self, offset: int) -> int | None:
        """Start of the first token starting after `offset`."""
        k = bisect.bisect_right(self._token_starts, offset)
        return self._token_starts[k] if k < len(self.tokens) else None

    def previous_token_end(self, offset: int) -> int | None:
        """End of the last token ending before `offset`."""
        k = bisect.bisect_left(self._token_ends, offset) - 1
        return self._token_ends[k] if k >= 0 else None

    def split_point(self, item: Entity | Quote, offset: int) -> tuple[int, int] | None:
        """Where to cut a span at the caret: (end of the first part, start of the second)."""
        indices = self.token_span(item.start, item.end)
        if indices is None:
            return None
        first, last = indices
        k = bisect.bisect_left(self._token_starts, offset)
        # the token holding the caret starts the second part
        if k > 0 and self.tokens[k - 1][0] < offset < self.tokens[k - 1][1]:
            k -= 1
        if not first < k <= last:
            return None
        return self.tokens[k - 1][1], self.tokens[k][0]

    def strip_quote_marks(self, start: int, end: int) -> tuple[int, int, bool]:
        """Bounds of a new quote without the quotation marks around it; whether it is direct
        (marks inside the selection or right around it)."""
        direct = False
        first_last = self.token_span(start, end)
        if first_last is not None:
            first, last = first_last
            while first < last and _is_marks(self.text, *self.tokens[first]):
                first, direct = first + 1, True
            while last > first and _is_marks(self.text, *self.tokens[last]):
                last, direct = last - 1, True
            start, end = self.tokens[first][0], self.tokens[last][1]
        before = self.text[:start].rstrip()[-1:]
        after = self.text[end:].lstrip()[:1]
        if (before and before in QUOTE_MARKS) or (after and after in QUOTE_MARKS):
            direct = True
        return start, end, direct


def _is_marks(text: str, start: int, end: int) -> bool:
    return all(ch in QUOTE_MARKS for ch in text[start:end])


def _order(item: Entity | Quote) -> tuple:
    # entities before quotes at the same start, so Tab visits an entity and then its quote
    return (item.start, 0 if isinstance(item, Entity) else 1, item.end, item.id)

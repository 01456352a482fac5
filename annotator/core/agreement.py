"""Inter-annotator agreement: entity and quote F1, speaker agreement, stance kappa and alpha.

Pure Python (no Qt, no spaCy). What is compared:

- An annotator's annotations of an article are what `export --gold` would write for their
  layer: entities and quotes with status `accepted` (human spans and accepted suggestions).
  Pending and rejected suggestions are not the annotator's decision and are left out.
- An article counts for an annotator when the layer is marked done (the default,
  `done_only=True`; marking done accepts or refuses the suggestions still pending, see
  Store.set_status, so a done layer holds the annotator's whole answer). With
  `done_only=False` an article still in progress counts too when it holds at least one
  accepted entity or quote, or an article stance; a layer only opened (seeded with
  suggestions, untouched) never counts. The report says which (`done_only`).
- A pair of annotators is compared on the articles both annotated; the figures of a pair
  are pooled over those articles (micro average).
- Entity F1 treats one annotator as reference and the other as prediction; F1 is symmetric:
  2·matches / (|A| + |B|). Exact: same start, end and label. Overlap: same label and the
  spans share at least one character.
- Quote F1 (labels do not exist for quotes). Exact: same start and end. Overlap: the
  intersection covers at least half of the longer of the two spans.
- Overlap matches are one-to-one (a maximum bipartite matching), so the count does not
  depend on which annotator is the reference.
- Speaker agreement: over overlap-matched quote pairs, the share whose speakers agree: both
  without speaker, speaker spans that overlap, or speaker mentions with the same text
  (case-insensitive; "Guterres" at two places in the article).
- Stance: Cohen's kappa per pair over matched quote pairs where both gave a stance; and
  Krippendorff's alpha (nominal) over all annotators, on units made of quotes linked by
  pairwise overlap matches (one value per annotator and unit; units with fewer than two
  values are not pairable and drop out).
- Article stance: Cohen's kappa over shared articles where both set an article stance.
- A figure that is undefined (no items on either side, kappa with one category only) is None.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Callable, Hashable, Iterable, Sequence

from annotator.core.model import Layer, Quote
from annotator.core.store import Store

QUOTE_OVERLAP = 0.5  # share of the longer span a quote overlap must cover
WORST = 10  # articles listed by format_agreement


# ---- measures ---------------------------------------------------------------------------------
def f1(matched: int, a: int, b: int) -> float | None:
    """Symmetric F1 of two annotations with `matched` common items (None when both are empty)."""
    return 2 * matched / (a + b) if a + b else None


def cohen_kappa_table(table: dict[Hashable, dict[Hashable, int]]) -> float | None:
    """Cohen's kappa of a confusion table {category of A: {category of B: count}}."""
    categories = set(table) | {k for row in table.values() for k in row}
    n = sum(v for row in table.values() for v in row.values())
    if n == 0:
        return None
    observed = sum(table.get(c, {}).get(c, 0) for c in categories) / n
    row_sum = {c: sum(table.get(c, {}).values()) for c in categories}
    col_sum = {c: sum(table.get(r, {}).get(c, 0) for r in table) for c in categories}
    expected = sum(row_sum[c] * col_sum[c] for c in categories) / (n * n)
    if expected == 1:
        return None  # both used one and the same category throughout: kappa is undefined
    return (observed - expected) / (1 - expected)


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of paired judgements [(value of A, value of B), …]."""
    return cohen_kappa_table(confusion(pairs))


def confusion(pairs: Iterable[tuple[Hashable, Hashable]]) -> dict[Hashable, dict[Hashable, int]]:
    table: dict = defaultdict(Counter)
    for a, b in pairs:
        table[a][b] += 1
    return {k: dict(v) for k, v in table.items()}


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data. Each unit lists the values its coders gave
    (None = missing). Units with fewer than two values are not pairable and are ignored."""
    coincidence: dict[tuple, float] = defaultdict(float)
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += 1 / (m - 1)
    totals: dict = defaultdict(float)
    for (c, _), count in coincidence.items():
        totals[c] += count
    n = sum(totals.values())
    if n <= 1:
        return None
    disagreement = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None  # one value throughout: alpha is undefined
    return 1 - (n - 1) * disagreement / expected


# ---- matching ---------------------------------------------------------------------------------
def _intersection(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def quotes_overlap(a: tuple[int, int], b: tuple[int, int], ratio: float = QUOTE_OVERLAP) -> bool:
    """The quote overlap rule: the intersection covers ≥ `ratio` of the longer span."""
    inter = _intersection(a, b)
    return inter > 0 and inter >= ratio * max(a[1] - a[0], b[1] - b[0])


def entities_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return _intersection(a, b) > 0


def max_matching(n_a: int, n_b: int, edges: Iterable[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of items 0..n_a-1 with 0..n_b-1 along `edges`
    (a, b, weight); heavier edges are tried first, so ties go to the larger overlap."""
    adjacency: dict[int, list[int]] = defaultdict(list)
    for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        adjacency[a].append(b)
    match_b: dict[int, int] = {}

    def augment(a: int, seen: set[int]) -> bool:
        for b in adjacency[a]:
            if b in seen:
                continue
            seen.add(b)
            if b not in match_b or augment(match_b[b], seen):
                match_b[b] = a
                return True
        return False

    for a in range(n_a):
        augment(a, set())
    return sorted((a, b) for b, a in match_b.items())


def match_entities(a: Sequence[tuple[int, int, str]], b: Sequence[tuple[int, int, str]]
                   ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(exact, overlap) matches between two lists of (start, end, label), as index pairs."""
    exact_b = defaultdict(list)
    for j, item in enumerate(b):
        exact_b[item].append(j)
    exact = []
    for i, item in enumerate(a):
        if exact_b.get(item):
            exact.append((i, exact_b[item].pop(0)))
    edges = [(i, j, _intersection(x[:2], y[:2])) for i, x in enumerate(a) for j, y in enumerate(b)
             if x[2] == y[2] and entities_overlap(x[:2], y[:2])]
    return exact, max_matching(len(a), len(b), edges)


def match_quotes(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(exact, overlap) matches between two lists of quote spans (start, end), as index pairs."""
    exact_b = defaultdict(list)
    for j, span in enumerate(b):
        exact_b[tuple(span)].append(j)
    exact = []
    for i, span in enumerate(a):
        if exact_b.get(tuple(span)):
            exact.append((i, exact_b[tuple(span)].pop(0)))
    edges = [(i, j, _intersection(x, y)) for i, x in enumerate(a) for j, y in enumerate(b) if quotes_overlap(x, y)]
    return exact, max_matching(len(a), len(b), edges)


# ---- what an annotator said -------------------------------------------------------------------
class Annotation:
    """The decisions of one layer on one article, in the shape the measures need."""

    __slots__ = ("entities", "quotes", "stance")

    def __init__(self, layer: Layer):
        self.entities = sorted((e.start, e.end, e.label) for e in layer.entities if e.status == "accepted")
        self.quotes: list[Quote] = sorted((q for q in layer.quotes if q.status == "accepted"),
                                          key=lambda q: (q.start, q.end))
        self.stance = layer.stance


def annotated_articles(store: Store, annotator: str, *, done_only: bool = False) -> list[str]:
    """Articles (corpus order) whose layer of `annotator` counts for agreement (module doc)."""
    if done_only:
        condition = "l.status = 'done'"
    else:
        condition = (
            "(l.status = 'done' OR l.stance IS NOT NULL"
            " OR EXISTS (SELECT 1 FROM entities e WHERE e.article_id = l.article_id AND e.annotator = l.annotator"
            " AND e.status = 'accepted')"
            " OR EXISTS (SELECT 1 FROM quotes q WHERE q.article_id = l.article_id AND q.annotator = l.annotator"
            " AND q.status = 'accepted'))"
        )
    return [r[0] for r in store.db.execute(
        f"SELECT l.article_id FROM layers l JOIN articles a ON a.id = l.article_id "
        f"WHERE l.annotator = ? AND {condition} ORDER BY a.seq", [annotator])]


def default_annotators(store: Store) -> list[str]:
    """Human annotators: not the model or gold layer, not conflict layers kept by a merge (name@db)."""
    return [name for name in store.annotators() if "@" not in name]


def _speaker_text(text: str, quote: Quote) -> str | None:
    return " ".join(text[quote.speaker.start:quote.speaker.end].split()).casefold() if quote.speaker else None


def speakers_agree(text: str, a: Quote, b: Quote) -> bool:
    """Both without speaker, overlapping speaker spans, or mentions with the same text."""
    if a.speaker is None or b.speaker is None:
        return a.speaker is None and b.speaker is None
    if entities_overlap((a.speaker.start, a.speaker.end), (b.speaker.start, b.speaker.end)):
        return True
    return _speaker_text(text, a) == _speaker_text(text, b)


# ---- counting ---------------------------------------------------------------------------------
class _Tally:
    """Counts of one pair (on one article or pooled over many)."""

    def __init__(self, labels: Sequence[str]):
        self.labels = list(labels)
        self.articles = 0
        self.ent_a = self.ent_b = self.ent_exact = self.ent_overlap = 0
        self.label_counts = {label: Counter() for label in labels}
        self.quote_a = self.quote_b = self.quote_exact = self.quote_overlap = 0
        self.speaker_pairs = self.speaker_agree = 0
        self.stance_pairs: list[tuple[str, str]] = []
        self.article_stance_pairs: list[tuple[str, str]] = []

    def add_article(self, text: str, a: Annotation, b: Annotation) -> None:
        self.articles += 1
        self.ent_a += len(a.entities)
        self.ent_b += len(b.entities)
        exact, overlap = match_entities(a.entities, b.entities)
        self.ent_exact += len(exact)
        self.ent_overlap += len(overlap)
        for e in a.entities:
            self.label_counts.setdefault(e[2], Counter())["a"] += 1
        for e in b.entities:
            self.label_counts.setdefault(e[2], Counter())["b"] += 1
        for i, _ in exact:
            self.label_counts[a.entities[i][2]]["exact"] += 1
        for i, _ in overlap:
            self.label_counts[a.entities[i][2]]["overlap"] += 1

        spans_a = [(q.start, q.end) for q in a.quotes]
        spans_b = [(q.start, q.end) for q in b.quotes]
        self.quote_a += len(spans_a)
        self.quote_b += len(spans_b)
        exact, overlap = match_quotes(spans_a, spans_b)
        self.quote_exact += len(exact)
        self.quote_overlap += len(overlap)
        for i, j in overlap:
            qa, qb = a.quotes[i], b.quotes[j]
            self.speaker_pairs += 1
            self.speaker_agree += speakers_agree(text, qa, qb)
            if qa.stance is not None and qb.stance is not None:
                self.stance_pairs.append((qa.stance, qb.stance))
        if a.stance is not None and b.stance is not None:
            self.article_stance_pairs.append((a.stance, b.stance))

    def merge(self, other: "_Tally") -> None:
        for name in ("articles", "ent_a", "ent_b", "ent_exact", "ent_overlap", "quote_a", "quote_b", "quote_exact",
                     "quote_overlap", "speaker_pairs", "speaker_agree"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for label, counts in other.label_counts.items():
            self.label_counts.setdefault(label, Counter()).update(counts)
        self.stance_pairs += other.stance_pairs
        self.article_stance_pairs += other.article_stance_pairs

    def figures(self) -> dict:
        agree = sum(1 for x, y in self.stance_pairs if x == y)
        labels = {}
        for label in [*self.labels, *sorted(set(self.label_counts) - set(self.labels))]:
            c = self.label_counts.get(label, Counter())
            labels[label] = {"a": c["a"], "b": c["b"], "exact": c["exact"], "overlap": c["overlap"],
                             "exact_f1": f1(c["exact"], c["a"], c["b"]),
                             "overlap_f1": f1(c["overlap"], c["a"], c["b"])}
        return {
            "articles": self.articles,
            "entities": {
                "a": self.ent_a, "b": self.ent_b,
                "exact": {"matched": self.ent_exact, "f1": f1(self.ent_exact, self.ent_a, self.ent_b)},
                "overlap": {"matched": self.ent_overlap, "f1": f1(self.ent_overlap, self.ent_a, self.ent_b)},
                "labels": labels,
            },
            "quotes": {
                "a": self.quote_a, "b": self.quote_b,
                "exact": {"matched": self.quote_exact, "f1": f1(self.quote_exact, self.quote_a, self.quote_b)},
                "overlap": {"matched": self.quote_overlap,
                            "f1": f1(self.quote_overlap, self.quote_a, self.quote_b)},
            },
            "speaker": {"matched": self.speaker_pairs, "agree": self.speaker_agree,
                        "agreement": self.speaker_agree / self.speaker_pairs if self.speaker_pairs else None},
            "stance": {"items": len(self.stance_pairs), "agree": agree,
                       "observed": agree / len(self.stance_pairs) if self.stance_pairs else None,
                       "kappa": cohen_kappa(self.stance_pairs),
                       "confusion": confusion(self.stance_pairs)},
            "article_stance": {"items": len(self.article_stance_pairs),
                               "kappa": cohen_kappa(self.article_stance_pairs)},
        }


def _stance_units(names: list[str], annotations: dict[str, Annotation]) -> list[list[str | None]]:
    """Units for alpha on one article: quotes linked by pairwise overlap matches."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for name in names:
        for i in range(len(annotations[name].quotes)):
            find((name, i))
    for x, y in combinations(names, 2):
        spans_x = [(q.start, q.end) for q in annotations[x].quotes]
        spans_y = [(q.start, q.end) for q in annotations[y].quotes]
        for i, j in match_quotes(spans_x, spans_y)[1]:
            parent[find((x, i))] = find((y, j))
    groups: dict = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node)
    units = []
    for members in groups.values():
        value: dict[str, str | None] = {}
        for name, i in sorted(members, key=lambda m: (names.index(m[0]), m[1])):
            value.setdefault(name, annotations[name].quotes[i].stance)  # one value per annotator
        units.append([value.get(name) for name in names])
    return units


# ---- the report -------------------------------------------------------------------------------
def agreement_report(
    store: Store,
    annotators: Sequence[str] | None = None,
    article_ids: Sequence[str] | None = None,
    *,
    done_only: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict:
    """Agreement per pair of annotators, overall and per article (a JSON-ready dict; see the
    module doc for the definitions). annotators: default every human annotator; `@model` may
    be named to compare the model with people. progress(done, total) after each article;
    when cancelled() turns true, the report so far is returned with "cancelled": True."""
    names = list(dict.fromkeys(annotators)) if annotators else default_annotators(store)
    labels = store.config.label_names
    wanted = set(article_ids) if article_ids is not None else None
    per_annotator = {name: annotated_articles(store, name, done_only=done_only) for name in names}
    by_article: dict[str, list[str]] = defaultdict(list)
    for name in names:
        for article_id in per_annotator[name]:
            if wanted is None or article_id in wanted:
                by_article[article_id].append(name)
    order = {article_id: i for i, article_id in enumerate(store.article_ids())} if by_article else {}
    shared = sorted((a for a, who in by_article.items() if len(who) >= 2), key=lambda a: order.get(a, 0))

    pair_tallies = {pair: _Tally(labels) for pair in combinations(names, 2)}
    units: list[list[str | None]] = []
    articles = []
    cancelled_now = False
    for done, article_id in enumerate(shared, 1):
        if cancelled and cancelled():
            cancelled_now = True
            break
        article = store.get_article(article_id)
        who = by_article[article_id]
        annotations = {name: Annotation(store.get_layer(article_id, name)) for name in who}
        article_tally = _Tally(labels)
        pairs = {}
        for x, y in combinations(who, 2):
            tally = _Tally(labels)
            tally.add_article(article.text, annotations[x], annotations[y])
            pair_tallies[(x, y)].merge(tally)
            article_tally.merge(tally)
            fig = tally.figures()
            pairs[f"{x}|{y}"] = {"entity_f1": fig["entities"]["exact"]["f1"],
                                 "entity_overlap_f1": fig["entities"]["overlap"]["f1"],
                                 "quote_f1": fig["quotes"]["exact"]["f1"],
                                 "quote_overlap_f1": fig["quotes"]["overlap"]["f1"],
                                 "stance_agreement": fig["stance"]["observed"]}
        units += _stance_units(who, annotations)
        fig = article_tally.figures()
        articles.append({
            "article_id": article_id, "title": article.title, "annotators": who,
            "entities": {name: len(annotations[name].entities) for name in who},
            "quotes": {name: len(annotations[name].quotes) for name in who},
            "entity_f1": fig["entities"]["exact"]["f1"],
            "entity_overlap_f1": fig["entities"]["overlap"]["f1"],
            "quote_f1": fig["quotes"]["exact"]["f1"],
            "quote_overlap_f1": fig["quotes"]["overlap"]["f1"],
            "speaker_agreement": fig["speaker"]["agreement"],
            "stance_agreement": fig["stance"]["observed"],
            "pairs": pairs,
        })
        if progress:
            progress(done, len(shared))

    overall = _Tally(labels)
    pair_rows = []
    for (x, y), tally in pair_tallies.items():
        overall.merge(tally)
        pair_rows.append({"a": x, "b": y, **tally.figures()})
    overall_fig = overall.figures()
    kappas = [p["stance"]["kappa"] for p in pair_rows if p["stance"]["kappa"] is not None]
    overall_fig["stance"]["kappa_mean"] = sum(kappas) / len(kappas) if kappas else None
    del overall_fig["stance"]["kappa"]  # Cohen's kappa is a two-coder measure: see kappa_mean and alpha
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    overall_fig["stance"]["alpha"] = krippendorff_alpha_nominal(pairable)
    overall_fig["stance"]["alpha_units"] = len(pairable)
    return {
        "annotators": names,
        "articles_per_annotator": {name: len(per_annotator[name]) for name in names},
        "shared_articles": len(articles),
        "done_only": done_only,
        "cancelled": cancelled_now,
        "pairs": pair_rows,
        "overall": overall_fig,
        "articles": articles,
    }


def worst_articles(report: dict, key: str = "entity_f1", n: int = WORST) -> list[dict]:
    """The articles with the lowest figure `key` (articles where it is undefined come last)."""
    return sorted(report["articles"], key=lambda a: (a[key] is None, a[key] if a[key] is not None else 0))[:n]


# ---- text -------------------------------------------------------------------------------------
def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list], left: tuple[int, ...] = (0,)) -> list[str]:
    """Columns in `left` are left-aligned, the others (numbers) right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row) -> str:
        cells = [str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *[line(r) for r in rows]]


def format_agreement(report: dict) -> str:
    """The report as readable text tables."""
    names = report["annotators"]
    out = [f"Agreement of {', '.join(names) or 'nobody'} on {report['shared_articles']} shared article(s)"
           + (" marked done by both (--include-in-progress counts the others too)" if report.get("done_only")
              else ", articles in progress included")]
    out.append("articles annotated: " + ", ".join(f"{n} {c}" for n, c in report["articles_per_annotator"].items()))
    if report.get("cancelled"):
        out.append("(cancelled: figures cover part of the articles)")
    if not report["pairs"] or not report["shared_articles"]:
        out.append("No article was annotated by two annotators: nothing to compare.")
        return "\n".join(out)
    out.append("")
    header = ["pair", "articles", "ent exact", "ent overlap", "quote exact", "quote overlap", "speaker",
              "stance κ", "stance n", "article κ"]
    rows = []
    for p in report["pairs"]:
        rows.append([f"{p['a']} – {p['b']}", p["articles"], _num(p["entities"]["exact"]["f1"]),
                     _num(p["entities"]["overlap"]["f1"]), _num(p["quotes"]["exact"]["f1"]),
                     _num(p["quotes"]["overlap"]["f1"]), _num(p["speaker"]["agreement"]),
                     _num(p["stance"]["kappa"]), p["stance"]["items"], _num(p["article_stance"]["kappa"])])
    o = report["overall"]
    rows.append(["overall", report["shared_articles"], _num(o["entities"]["exact"]["f1"]),
                 _num(o["entities"]["overlap"]["f1"]), _num(o["quotes"]["exact"]["f1"]),
                 _num(o["quotes"]["overlap"]["f1"]), _num(o["speaker"]["agreement"]),
                 _num(o["stance"]["kappa_mean"]), o["stance"]["items"], ""])
    out += _table(header, rows)
    out.append("(F1 pooled over shared articles; overall stance κ is the mean of the pairs' Cohen's kappa)")
    out.append("")
    out.append(f"Krippendorff's alpha (quote stance, nominal, {len(names)} annotators): "
               f"{_num(o['stance']['alpha'])} over {o['stance']['alpha_units']} quotes")
    out.append("")
    label_rows = [[label, c["a"] + c["b"], _num(c["exact_f1"]), _num(c["overlap_f1"])]
                  for label, c in o["entities"]["labels"].items()]
    out += _table(["entity label", "spans", "F1 exact", "F1 overlap"], label_rows)
    worst = worst_articles(report)
    if worst:
        out.append("")
        out.append("Articles with the lowest entity F1:")
        rows = [[a["article_id"], _num(a["entity_f1"]), _num(a["quote_overlap_f1"]), _num(a["stance_agreement"]),
                 (a["title"][:50] + "…") if len(a["title"]) > 50 else a["title"]] for a in worst]
        out += _table(["article", "ent F1", "quote F1", "stance", "title"], rows, left=(0, 4))
    return "\n".join(out)

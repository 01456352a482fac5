"""Train the suggestion models from the gold layer (`annotator train OUT_DIR`).

    scores = train_from_gold(store, "models/gold-1")     # ner/ quotes/ stance/ model.json
    trained = load_trained("models/gold-1")               # annotator.nlp.trained, for build_pipeline

What is trained (spaCy config-driven training, configs in resources/train/*.cfg, fixed seed):

- ``ner/``: tok2vec + ner. Fine-tuned from the bundled model (resources/model/ner, or
  ``base_model``) with its components sourced (ner_finetune.cfg); from scratch (ner.cfg) when
  there is no base model. Training data: the gold articles cut into paragraphs, each seen
  ``gold_weight`` times per epoch (the team's own news weighs more than the base sentences), plus
  ``extra_sentences`` sentences of an IOB file (``extra_iob``, e.g. NERGrit train) so the
  model keeps what it knew. IOB sentences have no DATE label: tokens the date rules match
  there are marked *missing*, so they neither teach nor contradict DATE. The fine-tuned
  weights are then moved back towards the base model's (``base_share``). By default
  (BASE_SHARE = 1.0) there is no fine-tuning: ``ner/`` is a copy of the base model, because
  on the development learning curve every fine-tune cost entity F1 (ORG above all) and the
  name memory below does the learning; a label the base model lacks is still fine-tuned
  (NEW_LABEL_BASE_SHARE).
- ``names.json``: the name memory (annotator.nlp.names; ``names=False`` leaves it out): for every
  entity text of the gold, every text of a suggestion the team rejected and every run of
  capitalised words, how often the gold texts label it with each label, leave it unannotated, or
  hold it inside a longer entity (occurrences on token boundaries). The suggestion pipeline of the
  folder then adds the forms the gold reliably labels where no entity covers them, relabels
  entities the gold reliably labels otherwise and drops those it reliably leaves out (thresholds
  in annotator.nlp.names). The dev scores use a memory of the train articles only; the saved one
  counts every gold article. Folders without names.json (trained before it) load as before.
- ``quotes/``: tok2vec + spancat_singlelabel (QUOTE_DIRECT / QUOTE_INDIRECT) over the
  candidates of the suggester ``annotator.quote_candidates.v1`` (text between quote marks
  and clause-like spans of each sentence). Speakers and cues of model quotes come from the
  rule quote overlapping them most.
- ``stance/``: textcat (bag of words), exclusive classes = the project's stance labels.
  Input (``stance_input``): the quote between markers with a few words around it (from the
  context the pipeline's ``stance`` component passes to its suggester), plus the stance
  lexicon's verdict as a weighted extra word, so the classifier learns where the lexicon is
  right and where the words say otherwise. Trained from the gold quotes that have a stance.

The quotes model and the stance classifier are always saved, but replace the rule quote
finder / the lexicon for suggestions only if they score better on the dev articles (quotes:
exact + overlap F1; stance: accuracy on the gold dev quotes); ``model.json`` "use" and "why"
say which and why (``load_trained`` can force either way).

Which gold: the layer's accepted annotations (``iter_records(..., gold_only=True)``) of the
articles whose layer is *done*; if none is done yet, every article of the layer that has an
accepted annotation, with a warning (a half-done article teaches "no entity here" for the
entities it still lacks). Articles are split into train and dev by a fixed-seed shuffle
(``dev_share`` of them for dev, at least one); with a single article train = dev and every
dev figure is marked as a training-set figure.

Dev scores in ``model.json`` and the returned dict are those of ``annotator evaluate``
(annotator.core.evaluation.evaluate on the dev articles, running the full suggestion
pipeline) for the baseline (base NER + rule quotes + lexicon), the trained NER and stance
classifier with rule quotes, and the same with model quotes; plus lexicon and classifier on
the gold dev quotes (stance without quote-finding errors).

Loading and applying a trained directory is annotator.nlp.trained (the pipeline never imports
this module).

Long runs: ``progress(fraction)`` gets a float in [0, 1]; ``cancelled()`` is checked before
every update step (many per epoch) and raises ``TrainingCancelled``; ``out_dir`` is then left
as it was (everything is built in a staging folder and moved into place at the end).
"""

from __future__ import annotations

import io
import json
import logging
import random
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from thinc.api import Config

from annotator.core.records import iter_records
from annotator.core.model import GOLD_LAYER
from annotator.nlp import tokenizer as _tokenizer  # noqa: F401  (registers annotator.id_news_tokenizer.v1)
from annotator.nlp import ensemble
from annotator.nlp.names import NAMES_JSON, NameMemory
from annotator.nlp.tokenizer import new_blank
from annotator.nlp.trained import (
    KIND_LABELS,
    MODEL_JSON,
    MODEL_NAME,
    QUOTES_KEY,
    TrainedModel,
    TrainingError,
    _load_trained,
    _paragraph_context,
    _stance_component,
    add_trained_components,
    load_trained,
    stance_input,
)
from annotator.resources import RESOURCES_DIR

log = logging.getLogger(__name__)

TRAIN_CONFIG_DIR = RESOURCES_DIR / "train"
DEFAULT_BASE_MODEL = RESOURCES_DIR / "model" / "ner"
FORMAT_VERSION = 1
PATIENCE_EPOCHS = 0  # 0 = no early stopping: max_epochs, keep the best epoch on dev
#: times each gold paragraph is seen per NER epoch next to the base sentences (chosen on the
#: PFSA development articles: 5 trained, 5 scored, entity F1 0.619 at 1, 0.636 at 3, 0.634 at 5)
GOLD_WEIGHT = 3
#: share of the base model in the saved fine-tuned NER weights (w = (1 - s) tuned + s base, as in
#: WiSE-FT); at 1.0 the NER keeps the base weights and is not fine-tuned at all. Session 5 (10
#: development articles, folds of 5, 2 seeds, 5 articles): mean entity F1 0.848 at 0, 0.856 at 0.3,
#: 0.856 at 0.5, 0.855 at 0.7; base model 0.851: 0.5 was chosen. Session 7, on the 30 development
#: articles (benchmarks/quality.py --learning-curve-dev: folds of 15, scored with the name memory,
#: seed 0; no memory in brackets), mean entity F1 after 5 / 10 / 15 articles: 0.917 / 0.920 / 0.916
#: at 0.5 (0.916 / 0.919 / 0.916; seed 1 0.916 / 0.913 / 0.916), 0.920 / 0.920 / 0.920 at 0.7
#: (0.918 / 0.918 / 0.919), 0.923 / 0.922 / 0.922 at 0.9 (0.921 / 0.920 / 0.920), 0.924 / 0.924 /
#: 0.925 at 1.0 (0.9215, the base model); ORG at 15 articles 0.845 / 0.856 / 0.860 / 0.870. With
#: the rule families now doing much of the ORG work, every fine-tune moved the model away from
#: what they expect; the name memory is what learns from the team's corrections.
BASE_SHARE = 1.0
#: base share when the gold has a label the base model lacks: that label needs fine-tuning (the
#: session-5 choice)
NEW_LABEL_BASE_SHARE = 0.5
#: share of the progress bar per phase
PHASES = {"ner": 0.55, "quotes": 0.25, "stance": 0.05, "evaluate": 0.15}


class TrainingCancelled(TrainingError):
    """cancelled() returned True; the output folder was left unchanged."""


# --------------------------------------------------------------------------- registered functions

_HOOK = threading.local()


@spacy.registry.callbacks("annotator.train_hook.v1")
def make_train_hook() -> Callable[[Language, dict], None]:
    """`training.before_update`: forwards {"step", "epoch"} to the hook of the running
    train_from_gold (per thread), which reports progress and raises on cancel."""

    def before_update(nlp: Language, info: dict) -> None:
        hook = getattr(_HOOK, "fn", None)
        if hook is not None:
            hook(info)

    return before_update


# --------------------------------------------------------------------------- gold data

@dataclass
class GoldData:
    records: list[dict]
    train: list[dict]
    dev: list[dict]
    notes: list[str] = field(default_factory=list)
    train_is_dev: bool = False


def gold_records(store, layer: str = GOLD_LAYER) -> tuple[list[dict], list[str]]:
    """Accepted annotations of `layer` for the articles whose layer is done (else, with a
    note, for every article of the layer with an accepted annotation)."""
    done = [r[0] for r in store.db.execute(
        "SELECT l.article_id FROM layers l JOIN articles a ON a.id = l.article_id "
        "WHERE l.annotator = ? AND l.status = 'done' ORDER BY a.seq", [layer])]
    notes = []
    if done:
        records = list(iter_records(store, layer, article_ids=done, gold_only=True))
        records = [r for r in records if r.get("answer") not in ("reject", "ignore")]
    else:
        records = [r for r in iter_records(store, layer, gold_only=True)
                   if (r["spans"] or r["quotes"]) and r.get("answer") not in ("reject", "ignore")]
        if records:
            notes.append(f"no article of layer {layer!r} is marked done; training on all {len(records)} articles "
                         "with accepted annotations (unfinished articles teach missing entities as 'none')")
    return records, notes


def rejected_texts(store, records: list[dict], layer: str = GOLD_LAYER) -> set[str]:
    """Texts of the entity suggestions the team rejected in `layer` of these articles."""
    ids = [r["id"] for r in records]
    return {r["text"][s["start"]:s["end"]]
            for r in iter_records(store, layer, article_ids=ids, include_rejected=True, include_pending=False)
            for s in r["spans"] if s.get("status") == "rejected"}


def split_records(records: list[dict], dev_share: float = 0.2, seed: int = 0) -> GoldData:
    """Fixed-seed split by article (ids sorted, then shuffled), at least one dev article."""
    if not records:
        raise TrainingError("no gold articles to train from")
    if not 0.0 < dev_share < 1.0:
        raise TrainingError(f"dev_share must be between 0 and 1, not {dev_share!r}")
    ordered = sorted(records, key=lambda r: str(r["id"]))
    if len(ordered) == 1:
        return GoldData(ordered, ordered, ordered, [
            "only 1 gold article: training and dev are the same article, so the dev scores are "
            "training-set scores and say nothing about new articles"], train_is_dev=True)
    random.Random(seed).shuffle(ordered)
    n_dev = min(max(1, round(len(ordered) * dev_share)), len(ordered) - 1)
    dev, train = ordered[:n_dev], ordered[n_dev:]
    notes = []
    if len(ordered) < 10:
        notes.append(f"only {len(ordered)} gold articles: dev = {n_dev} article(s) "
                     f"({', '.join(str(r['id']) for r in dev)}); the dev scores are rough")
    order = {str(r["id"]): i for i, r in enumerate(records)}
    key = lambda r: order[str(r["id"])]  # noqa: E731  (corpus order)
    return GoldData(records, sorted(train, key=key), sorted(dev, key=key), notes)


# --------------------------------------------------------------------------- training docs

def _paragraph_cuts(doc: Doc, keep_together: Sequence[Span] = ()) -> list[tuple[int, int]]:
    """Token ranges between line-break tokens, not cutting inside `keep_together` spans."""
    inside = {i for span in keep_together for i in range(span.start, span.end)}
    pieces, start = [], 0
    for i, token in enumerate(doc):
        if token.is_space and "\n" in token.text and i not in inside:
            if start < i:
                pieces.append((start, i))
            start = i + 1
    if start < len(doc):
        pieces.append((start, len(doc)))
    return [(a, b) for a, b in pieces if any(not doc[i].is_space for i in range(a, b))]


def _record_docs(records: list[dict], nlp: Language) -> list[Doc]:
    from annotator.nlp.docbin import records_to_docs

    return list(records_to_docs(records, nlp))


def ner_docs(records: list[dict], nlp: Language) -> list[Doc]:
    """Gold articles as one Doc per paragraph (entities never cross a line break)."""
    docs = []
    for doc in _record_docs(records, nlp):
        for a, b in _paragraph_cuts(doc):
            part = doc[a:b].as_doc()
            part.spans.clear()
            docs.append(part)
    return docs


def ner_training_docs(gold: list[Doc], extra: list[Doc], gold_weight: int, seed: int) -> list[Doc]:
    """The NER training set: each gold paragraph ``gold_weight`` times and the base sentences
    once, shuffled with ``seed``."""
    mixed = list(gold) * max(1, gold_weight) + list(extra)
    random.Random(seed).shuffle(mixed)
    return mixed


def quote_docs(records: list[dict], nlp: Language, *, whole: bool = False) -> list[Doc]:
    """Docs with doc.spans["quotes"] labelled QUOTE_DIRECT/QUOTE_INDIRECT: whole articles
    (dev) or paragraphs, a quote over several paragraphs kept in one piece (training)."""
    docs = []
    for doc in _record_docs(records, nlp):
        spans = [Span(doc, s.start, s.end, label=KIND_LABELS.get(q["kind"], "QUOTE_DIRECT"))
                 for s, q in zip(doc.spans["quotes"], doc.user_data.get("quotes", []))]
        doc.spans.clear()
        doc.ents = []
        doc.spans[QUOTES_KEY] = spans
        doc.user_data.clear()
        if whole:
            docs.append(doc)
            continue
        for a, b in _paragraph_cuts(doc, spans):
            part = doc[a:b].as_doc()
            part.ents = []
            part.spans.clear()
            part.spans[QUOTES_KEY] = [Span(part, s.start - a, s.end - a, label=s.label_)
                                      for s in spans if a <= s.start and s.end <= b]
            docs.append(part)
    return docs


def quote_contexts(text: str, quotes: list[dict], target: str, labels: Sequence[str]) -> list[tuple[str, dict, str | None]]:
    """(quote text, context, lexicon label) per quote, exactly as the pipeline's stance
    component computes them (it is run with a suggester that records its arguments)."""
    component = _stance_component(target, labels)
    if component is None:
        return [(text[q["start"]:q["end"]], _paragraph_context(text, q["start"], q["end"]), None) for q in quotes]
    lexicon = component.suggest
    captured: list[tuple[str, dict]] = []

    def record(quote_text: str, context: dict | None = None):
        captured.append((quote_text, dict(context or {})))
        return labels[-1], 0.0

    component.suggest = record
    doc = new_blank().make_doc(text)
    doc._.quotes = [{"start": q["start"], "end": q["end"], "kind": q.get("kind"),
                     "speaker": {**q["speaker"], "text": text[q["speaker"]["start"]:q["speaker"]["end"]]}
                     if q.get("speaker") else None, "stance": None, "score": None} for q in quotes]
    component(doc)
    return [(quote_text, ctx, lexicon(quote_text, ctx)[0]) for quote_text, ctx in captured]


def stance_examples(records: list[dict], target: str, labels: Sequence[str]) -> list[tuple[str, str]]:
    """(classifier input, gold stance) for every gold quote with a stance."""
    examples = []
    for record in records:
        quotes = [q for q in record.get("quotes") or () if q.get("stance") and q.get("status") != "rejected"]
        if quotes:
            for (quote_text, ctx, lexicon_label), q in zip(quote_contexts(record["text"], quotes, target, labels), quotes):
                examples.append((stance_input(quote_text, ctx, lexicon_label), q["stance"]))
    return examples


def stance_docs(examples: list[tuple[str, str]], labels: Sequence[str], nlp: Language) -> list[Doc]:
    docs = []
    for text, label in examples:
        doc = nlp.make_doc(text)
        doc.cats = {name: float(name == label) for name in labels}
        docs.append(doc)
    return docs


def _date_ruler(nlp: Language):
    from annotator.nlp.entities import read_patterns

    ruler = nlp.add_pipe("span_ruler", name="iob_dates", config={"spans_key": "dates", "validate": True})
    ruler.add_patterns(read_patterns(RESOURCES_DIR / "patterns" / "dates.jsonl"))
    return ruler


def _sample_in_order(items: list, n: int, seed: int) -> list:
    """`n` of `items` (a fixed-seed sample, their order kept), or all of them when there are no more."""
    if n >= len(items):
        return items
    return [items[i] for i in sorted(random.Random(seed).sample(range(len(items)), n))]


def iob_docs(path: str | Path, n_sentences: int, seed: int, nlp: Language, *, labels: Sequence[str]) -> list[Doc]:
    """`n_sentences` sentences of an IOB file (fixed-seed sample, file order kept). Entity
    types outside `labels` are dropped; if DATE is a label but the file has none, the spans
    the date rules match are marked missing."""
    try:
        from annotator.nlp.ner_train import NERGRIT_LABEL_MAP, iob_to_doc, read_iob
    except ImportError as exc:  # pragma: no cover
        raise TrainingError(f"reading IOB files needs annotator.nlp.ner_train ({exc})") from None
    try:
        sentences = read_iob(path)
    except ValueError as exc:
        raise TrainingError(str(exc)) from None
    sentences = _sample_in_order(sentences, n_sentences, seed)
    label_map = {k: v for k, v in NERGRIT_LABEL_MAP.items() if v in labels}
    label_map.update({lab: lab for lab in labels})
    has_dates = any(tag.endswith("-DATE") for _, tags in sentences for tag in tags)
    ruler = _date_ruler(nlp) if "DATE" in labels and not has_dates else None
    docs = []
    for words, tags in sentences:
        doc = iob_to_doc(nlp.vocab, words, tags, label_map)
        if ruler is not None:
            doc = ruler(doc)
            ents = list(doc.ents)
            taken = {i for e in ents for i in range(e.start, e.end)}
            missing = [s for s in doc.spans.get("dates", []) if not any(i in taken for i in range(s.start, s.end))]
            doc.set_ents(ents, missing=spacy.util.filter_spans(missing), default="outside")
            doc.spans.clear()
        docs.append(doc)
    if ruler is not None:
        nlp.remove_pipe("iob_dates")
    return docs


def corpus_docs(root: str | Path, n_sentences: int, seed: int, nlp: Language, *, labels: Sequence[str]) -> list[Doc]:
    """`n_sentences` training sentences (fixed-seed sample, corpus order kept) of the NER corpora
    under `root` (annotator.nlp.corpora: NERGrit, idner-news-2k, NER UI, GSD-NER, MDEE gold,
    harmonised to the guidelines, dev and held-out sentences left out): the mix the bundled model
    was trained on. Labels outside `labels` become O."""
    from annotator.nlp.corpora import MISSING, load_splits, training_sentences
    from annotator.nlp.ner_train import iob_to_doc

    sentences, _ = training_sentences(load_splits(root))
    if not sentences:
        raise TrainingError(f"{root}: no NER training sentences (expected the corpora in nergrit/ or ner-extra/ inside)")
    sentences = _sample_in_order(sentences, n_sentences, seed)
    keep = set(labels)

    def tag(t: str) -> str:
        return t if t in ("O", MISSING) or t[2:] in keep else "O"

    return [iob_to_doc(nlp.vocab, words, [tag(t) for t in tags], None) for words, tags in sentences]


# --------------------------------------------------------------------------- one training run

class _Sink(io.TextIOBase):
    """spaCy's console logger → logging (debug)."""

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                log.debug("%s", line)
        return len(text)


def _steps_per_epoch(config: Config, docs: list[Doc]) -> int:
    """Batches in one epoch, from the config's (fixed-size) batcher."""
    from spacy.util import registry

    batcher = registry.resolve({"b": config["training"]["batcher"]})["b"]
    return max(1, sum(1 for _ in batcher(docs)))


def _clean_saved_config(model_dir: Path) -> None:
    """Drop the training hook from the saved config, so the pipeline loads anywhere."""
    path = model_dir / "config.cfg"
    config = Config().from_disk(path, interpolate=False)
    config["training"]["before_update"] = None
    config.to_disk(path)


def train_pipeline(
    config_name: str,
    train_docs: list[Doc],
    dev_docs: list[Doc],
    work_dir: Path,
    *,
    seed: int,
    max_epochs: int | None,
    overrides: dict | None = None,
    prepare: Callable[[Language], None] | None = None,
    on_step: Callable[[float], None] | None = None,
) -> tuple[Language, dict]:
    """Train resources/train/<config_name> on the docs; returns (the best-on-dev pipeline,
    {"epochs", "steps_per_epoch", "best_score", "seconds"}). on_step(fraction) runs before
    every update and may raise to stop."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop

    started = time.perf_counter()
    work_dir.mkdir(parents=True, exist_ok=True)
    DocBin(docs=train_docs, store_user_data=False).to_disk(work_dir / "train.spacy")
    DocBin(docs=dev_docs, store_user_data=False).to_disk(work_dir / "dev.spacy")
    config = spacy.util.load_config(TRAIN_CONFIG_DIR / config_name, interpolate=False)
    epochs = int(max_epochs or config["training"]["max_epochs"])
    steps = _steps_per_epoch(config, train_docs)
    settings = {
        "paths.train": str(work_dir / "train.spacy"),
        "paths.dev": str(work_dir / "dev.spacy"),
        "system.seed": seed,
        "training.seed": seed,
        "training.max_epochs": epochs,
        "training.max_steps": 0,
        "training.eval_frequency": steps,
        "training.patience": steps * PATIENCE_EPOCHS,
        **(overrides or {}),
    }
    config = spacy.util.load_config(TRAIN_CONFIG_DIR / config_name, overrides=settings, interpolate=False)
    spacy.util.fix_random_seed(seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*W(033|095|036|123).*")
        nlp = init_nlp(config, use_gpu=-1)
    if prepare:
        prepare(nlp)
    total = steps * epochs

    def hook(info: dict) -> None:
        if on_step:
            on_step(min(1.0, info["step"] / total))

    (work_dir / "training").mkdir(exist_ok=True)
    _HOOK.fn = hook
    try:
        train_loop(nlp, work_dir / "training", use_gpu=-1, stdout=_Sink(), stderr=_Sink())
    finally:
        _HOOK.fn = None
    best_dir = work_dir / "training" / "model-best"
    _clean_saved_config(best_dir)
    best = spacy.load(best_dir)
    performance = best.meta.get("performance", {})
    weights = config["training"]["score_weights"]
    main = {k: round(float(v), 4) for k, v in performance.items() if weights.get(k) and isinstance(v, (int, float))}
    return best, {"epochs": epochs, "steps_per_epoch": steps, "train_docs": len(train_docs),
                  "dev_docs": len(dev_docs), "best_dev": main,
                  "seconds": round(time.perf_counter() - started, 1)}


def interpolate_weights(tuned: Language, base: Language, base_share: float, pipes: Sequence[str] = ("tok2vec", "ner")) -> int:
    """Move the weights of `tuned`'s `pipes` back towards `base`'s: w = (1 - base_share) * tuned +
    base_share * base, for every parameter of the same shape (a layer resized for a new label
    keeps its tuned weights). Returns how many parameters were interpolated."""
    done = 0
    for name in pipes:
        if name not in tuned.pipe_names or name not in base.pipe_names:
            continue
        for t_node, b_node in zip(tuned.get_pipe(name).model.walk(), base.get_pipe(name).model.walk()):
            if t_node.name != b_node.name:
                raise TrainingError(f"the fine-tuned {name} does not have the base model's layers ({t_node.name} vs {b_node.name})")
            for param in t_node.param_names:
                if t_node.has_param(param) and b_node.has_param(param):
                    t, b = t_node.get_param(param), b_node.get_param(param)
                    if t.shape == b.shape:
                        t_node.set_param(param, (1.0 - base_share) * t + base_share * b)
                        done += 1
    return done


# --------------------------------------------------------------------------- evaluation

def _pipeline_config(store) -> dict:
    return {"labels": store.config.label_names, "stance_labels": store.config.stance_names,
            "target": store.config.target}


def _predict(nlp: Language, records: list[dict]) -> list[dict]:
    from annotator.nlp.pipeline import predict

    return list(predict([{"id": r["id"], "text": r["text"], "meta": {}} for r in records], nlp))


def _stance_on_gold_quotes(nlp: Language, records: list[dict]) -> dict:
    """Stance accuracy of the pipeline's stance component on the gold quotes themselves."""
    stance = nlp.get_pipe("stance")
    hits = n = 0
    for record in records:
        quotes = [q for q in record.get("quotes") or () if q.get("stance")]
        if not quotes:
            continue
        doc = nlp.make_doc(record["text"])
        doc._.quotes = [{"start": q["start"], "end": q["end"], "kind": q.get("kind"),
                         "speaker": q.get("speaker"), "stance": None, "score": None} for q in quotes]
        stance(doc)
        for gold, pred in zip(quotes, doc._.quotes):
            n += 1
            hits += pred["stance"] == gold["stance"]
    return {"pairs": n, "accuracy": round(hits / n, 4) if n else None}


def summary(result: dict) -> dict:
    """The headline figures of an evaluate() result."""
    ents = result["entities"]["exact"]
    q = result["quotes"]

    def prf(m: dict) -> dict:
        return {k: m[k] for k in ("precision", "recall", "f1", "gold", "pred")}

    return {
        "entities": {"all": prf(ents["all"]), **{lab: prf(m) for lab, m in ents["per_label"].items()}},
        "quotes_exact": prf(q["exact"]),
        "quotes_overlap": prf(q["overlap"]),
        "speaker_accuracy": result["speaker"]["exact_span"],
        "cue_accuracy": result["cue"]["exact_span"],
        "stance_accuracy": result["stance"]["accuracy"],
        "stance_pairs": result["stance"]["pairs"],
    }


def _quote_key(result: dict) -> float:
    q = result["quotes"]
    return (q["exact"]["f1"] or 0.0) + (q["overlap"]["f1"] or 0.0)


def format_comparison(scores: dict) -> str:
    """A short table: baseline vs trained on the dev articles."""
    names = {"baseline": "baseline", "trained": "trained", "trained_rules_plus_model_quotes": "+model quotes",
             "trained_model_quotes": "model quotes"}
    columns = [(name, scores["dev"][name]["summary"]) for name in names if name in scores["dev"]]
    lines = [f"{'dev (' + str(len(scores['data']['dev_articles'])) + ' articles)':<26}"
             + "".join(f"{names[name]:>16}" for name, _ in columns)]

    def fmt(x) -> str:
        return "-" if x is None else f"{x:.3f}"

    def row(label: str, get) -> None:
        lines.append(f"{label:<26}" + "".join(f"{fmt(get(s)):>16}" for _, s in columns))

    labels = sorted({lab for _, s in columns for lab in s["entities"] if lab != "all"})
    row("entities P", lambda s: s["entities"]["all"]["precision"])
    row("entities R", lambda s: s["entities"]["all"]["recall"])
    row("entities F", lambda s: s["entities"]["all"]["f1"])
    for lab in labels:
        row(f"  {lab} F", lambda s, lab=lab: s["entities"].get(lab, {}).get("f1"))
    row("quotes exact F", lambda s: s["quotes_exact"]["f1"])
    row("quotes overlap F", lambda s: s["quotes_overlap"]["f1"])
    row("speaker accuracy", lambda s: s["speaker_accuracy"])
    row("cue accuracy", lambda s: s["cue_accuracy"])
    row("stance accuracy", lambda s: s["stance_accuracy"])
    gq = scores["dev"].get("stance_on_gold_quotes")
    if gq:
        lines.append(f"{'stance on gold quotes':<26}{fmt(gq['lexicon']['accuracy']):>16}{fmt(gq['trained']['accuracy']):>16}"
                     f"   ({gq['trained']['pairs']} quotes)")
    for part in ("quotes", "stance"):
        lines.append(f"{part} for suggestions: {scores['use'][part]} ({scores['why'][part]})")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the whole run

def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MODEL_JSON).is_file())):
        raise TrainingError(f"{out_dir}: exists and is not a trained model directory; not overwriting it")


def _next_version(out_dir: Path) -> str:
    stamp = time.strftime("%Y%m%d.%H%M%S", time.gmtime())
    try:
        previous = json.loads((out_dir / MODEL_JSON).read_text(encoding="utf-8"))
        if str(previous.get("version", "")).startswith(stamp):
            return f"{stamp}.{int(previous.get('build', 0)) + 1}"
    except (OSError, json.JSONDecodeError):
        pass
    return stamp


def _ner_labels(model_dir: Path) -> set[str]:
    """The NER labels of a saved pipeline (its meta.json, else the loaded pipeline)."""
    try:
        return set(json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))["labels"]["ner"])
    except (OSError, KeyError, TypeError, json.JSONDecodeError):
        return set(spacy.load(model_dir).get_pipe("ner").labels)


def _set_saved_meta(model_dir: Path, version: str, component: str) -> None:
    """_set_meta on a pipeline folder copied as it is."""
    path = model_dir / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(name=MODEL_NAME, version=version,
                description=f"{component} of an annotator model trained from gold (annotator.nlp.train)")
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")


def _set_meta(nlp: Language, version: str, component: str, scores: dict | None = None) -> None:
    nlp.meta["name"] = MODEL_NAME
    nlp.meta["version"] = version
    nlp.meta["description"] = f"{component} of an annotator model trained from gold (annotator.nlp.train)"
    if scores is not None:
        nlp.meta["annotator_dev_scores"] = scores


def train_from_gold(
    store,
    out_dir: str | Path,
    *,
    base_model: str | Path | None = None,
    layer: str = GOLD_LAYER,
    seed: int = 0,
    max_epochs: int | None = None,
    extra_iob: str | Path | None = None,
    extra_sentences: int = 300,
    gold_weight: int = GOLD_WEIGHT,
    base_share: float = BASE_SHARE,
    names: bool = True,
    dev_share: float = 0.2,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    log_line: Callable[[str], object] | None = print,
) -> dict:
    """Train NER, quotes and stance from the gold of `layer` and save them to `out_dir`
    (ner/, quotes/, stance/ — each when there is gold for it —, names.json and model.json). Returns what
    model.json holds: name, version, components, "use"/"why" (what replaces rules and
    lexicon), data sizes, seed, notes, training runs, and the dev scores of the baseline and
    the trained pipelines. `base_model`: NER to fine-tune (default: the bundled model; when
    there is none, the NER is trained from scratch). `base_share`: weight of the base model in
    the saved fine-tuned NER (interpolate_weights; 0 = the fine-tuned weights as trained; 1 =
    no fine-tuning, the base model is copied, unless the gold has a label it lacks).
    `names`: learn and save the name memory (names.json). `max_epochs`: for every component
    (default: each config's: NER 10 fine-tuning / 30 from scratch, quotes 30, stance 30).
    `log_line` gets the notes and the final table (None: silent). Raises TrainingCancelled
    when `cancelled()` turns true, TrainingError when there is no gold or `out_dir` holds
    something else than a trained model."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir)
    say = log_line or (lambda *_: None)
    done_share = 0.0

    def report(phase: str, fraction: float) -> None:
        if cancelled and cancelled():
            raise TrainingCancelled("training cancelled; the output folder was not changed")
        if progress:
            progress(round(min(1.0, done_share + PHASES[phase] * fraction), 4))

    records, notes = gold_records(store, layer)
    data = split_records(records, dev_share, seed)
    data.notes[:0] = notes
    for note in data.notes:
        say(f"note: {note}")
    labels = list(store.config.label_names)
    stance_labels = list(store.config.stance_names)
    version = _next_version(out_dir)
    base = Path(base_model) if base_model else DEFAULT_BASE_MODEL
    has_base = (base / "config.cfg").is_file()
    if base_model and not has_base:
        raise TrainingError(f"{base}: not a spaCy pipeline (no config.cfg)")
    if has_base and ensemble.is_ensemble_dir(base):  # a vote has no weights to tune
        raise TrainingError(f"{base}: a voting model (annotator train-ner --seeds) cannot be fine-tuned; "
                            f"give one of its members, or the bundled model")
    if not has_base:
        data.notes.append(f"no base NER model at {base}: the NER is trained from scratch")
        say(f"note: {data.notes[-1]}")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".training", dir=out_dir.parent))
    work = staging / "work"
    stage = staging / "model"
    stage.mkdir()
    components: dict[str, bool] = {}
    sizes: dict = {"gold_articles": len(records), "train_articles": len(data.train), "dev_articles": len(data.dev)}
    runs: dict = {}
    try:
        report("ner", 0.0)
        nlp = new_blank()
        # 1. NER
        train_ner = ner_docs(data.train, nlp)
        extra = []
        if extra_iob and extra_sentences > 0:
            read = corpus_docs if Path(extra_iob).is_dir() else iob_docs  # a folder: the harmonised corpora
            extra = read(extra_iob, extra_sentences, seed, nlp, labels=labels)
        sizes.update(ner_train_paragraphs=len(train_ner), ner_extra_sentences=len(extra),
                     ner_train_entities=sum(len(d.ents) for d in train_ner))
        dev_ner = _record_docs(data.dev, nlp)
        for d in dev_ner:
            d.spans.clear()
        new_labels = sorted({e.label_ for d in train_ner for e in d.ents} - _ner_labels(base)) if has_base else []
        share = base_share if base_share < 1.0 or not new_labels else NEW_LABEL_BASE_SHARE
        keep_base = has_base and share >= 1.0  # the base weights as they are: nothing to fine-tune
        say(f"ner: {len(train_ner)} gold paragraphs + {len(extra)} IOB sentences, "
            + ("base model kept as it is (base_share 1.0): " + str(base) if keep_base
               else 'fine-tuning ' + str(base) if has_base else 'from scratch'))

        def train_component(name: str, config_name: str, description: str, train_docs: list[Doc],
                            dev_docs: list[Doc], finish: Callable[[Language], None] | None = None,
                            **options) -> None:
            """Train the component `name` (ner, quotes, stance; `options` go to train_pipeline),
            apply `finish` to the trained pipeline and save it to the staged model."""
            trained, runs[name] = train_pipeline(
                config_name, train_docs, dev_docs, work / name, seed=seed, max_epochs=max_epochs,
                on_step=lambda f: report(name, f), **options)
            if finish:
                finish(trained)
            _set_meta(trained, version, description)
            trained.to_disk(stage / name)

        def add_labels(pipeline: Language) -> None:
            ner = pipeline.get_pipe("ner")
            for label in labels:
                if label not in ner.labels and any(e.label_ == label for d in train_ner for e in d.ents):
                    ner.add_label(label)

        def towards_base(tuned: Language) -> None:
            interpolate_weights(tuned, spacy.load(base), share)

        mixed = ner_training_docs(train_ner, extra, gold_weight, seed)
        sizes["ner_gold_weight"] = gold_weight
        if keep_base:
            shutil.copytree(base, stage / "ner")
            _set_saved_meta(stage / "ner", version, "NER (the base model's weights)")
            runs["ner"] = {"epochs": 0, "fine_tuned": False, "seconds": 0.0}
        else:
            train_component("ner", "ner_finetune.cfg" if has_base else "ner.cfg", "NER", mixed, dev_ner,
                            overrides={"paths.base_model": str(base)} if has_base else None,
                            prepare=add_labels if has_base else None,
                            finish=towards_base if has_base and share > 0 else None)
        runs["ner"]["base_share"] = share if has_base else None
        runs["ner"]["new_labels"] = new_labels
        runs["ner"]["base_model"] = str(base) if has_base else None
        components["ner"] = True
        done_share += PHASES["ner"]

        # 2. quotes
        report("quotes", 0.0)
        train_quotes = quote_docs(data.train, nlp)
        dev_quotes = quote_docs(data.dev, nlp, whole=True)
        sizes.update(quote_train_docs=len(train_quotes),
                     quote_train_quotes=sum(len(d.spans[QUOTES_KEY]) for d in train_quotes))
        components["quotes"] = sizes["quote_train_quotes"] > 0
        if components["quotes"]:
            say(f"quotes: {sizes['quote_train_quotes']} gold quotes in {len(train_quotes)} paragraphs")
            train_component("quotes", "quotes.cfg", "quote finder", train_quotes, dev_quotes)
        done_share += PHASES["quotes"]

        # 3. stance
        report("stance", 0.0)
        target = store.config.target
        train_stance = stance_examples(data.train, target, stance_labels)
        dev_stance = stance_examples(data.dev, target, stance_labels)
        sizes.update(stance_train_quotes=len(train_stance), stance_dev_quotes=len(dev_stance),
                     stance_train_labels={lab: sum(1 for _, y in train_stance if y == lab) for lab in stance_labels})
        components["stance"] = bool(train_stance)
        if components["stance"]:
            say(f"stance: {len(train_stance)} gold quotes with a stance")
            stance_dev_docs = stance_docs(dev_stance or train_stance, stance_labels, nlp)
            train_component("stance", "stance.cfg", "stance classifier",
                            stance_docs(train_stance, stance_labels, nlp), stance_dev_docs,
                            overrides={"initialize.components.textcat": {"labels": stance_labels}})
        done_share += PHASES["stance"]

        # 4. the name memory: of the train articles for the dev scores, of every gold article in the end
        report("evaluate", 0.0)
        if names:
            NameMemory.learn(data.train, rejected_texts(store, data.train, layer)).save(stage / NAMES_JSON)
            components["names"] = True

        # 5. dev scores, as `annotator evaluate` computes them; what replaces rules and lexicon
        has_lexicon = _stance_component(store.config.target, stance_labels) is not None
        info = {
            "format": FORMAT_VERSION, "name": MODEL_NAME, "version": version, "model_name": f"{MODEL_NAME}-{version}",
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "layer": layer, "seed": seed,
            "base_model": str(base) if has_base else None, "extra_iob": str(extra_iob) if extra_iob else None,
            "components": components, "use": {}, "labels": labels, "stance_labels": stance_labels,
            "target": store.config.target, "stance_lexicon_feature": has_lexicon,
        }
        (stage / MODEL_JSON).write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
        dev = _evaluate_dev(store, data, stage, base if has_base else None, on_step=lambda f: report("evaluate", f))
        info["use"], info["why"] = _choose(components, dev, data.train_is_dev, has_lexicon)
        if names:
            memory = NameMemory.learn(data.records, rejected_texts(store, data.records, layer))
            memory.save(stage / NAMES_JSON)
            sizes.update(names_forms=len(memory.forms), names_articles=memory.articles)
        info.update(
            data={**sizes, "train_articles": [r["id"] for r in data.train], "dev_articles": [r["id"] for r in data.dev],
                  "train_is_dev": data.train_is_dev},
            notes=data.notes, training=runs,
            dev={name: {"summary": summary(v["result"]), "result": v["result"]} if "result" in v else v
                 for name, v in dev.items()},
        )
        info["seconds"] = round(time.perf_counter() - started, 1)
        (stage / MODEL_JSON).write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
        report("evaluate", 1.0)
        _move_into_place(stage, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _load_trained.cache_clear()
    say(format_comparison(info))
    say(f"saved {info['model_name']} to {out_dir} in {info['seconds']} s")
    if progress:
        progress(1.0)
    return info


def _evaluate_dev(store, data: GoldData, stage: Path, base: Path | None, on_step: Callable[[float], None]) -> dict:
    """evaluate() on the dev articles of: the baseline (base NER, rule quotes, lexicon),
    "trained" (trained NER and stance classifier, rule quotes), "trained_model_quotes" (the
    same with the quotes model instead of the rules), "trained_rules_plus_model_quotes" (rule
    quotes plus the model quotes they miss); and the stance suggesters on the gold dev quotes."""
    from annotator.core.evaluation import evaluate
    from annotator.nlp.pipeline import build_pipeline

    config = _pipeline_config(store)
    dev = data.dev
    components = json.loads((stage / MODEL_JSON).read_text(encoding="utf-8"))["components"]

    def run(model: TrainedModel | None) -> tuple[Language, dict]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # no bundled model: rules-only baseline
            if model is None:
                nlp = build_pipeline(str(base) if base else None, config)
            else:
                nlp = add_trained_components(build_pipeline(str(model.ner_dir), config), model)
        return nlp, {"result": evaluate(dev, _predict(nlp, dev))}

    results: dict = {}
    baseline, results["baseline"] = run(None)
    on_step(0.3)
    trained, results["trained"] = run(load_trained(stage, quotes="rules", stance="model"))
    on_step(0.5)
    if components.get("quotes"):
        _, results["trained_model_quotes"] = run(load_trained(stage, quotes="model", stance="model"))
        on_step(0.7)
        _, results["trained_rules_plus_model_quotes"] = run(load_trained(stage, quotes="rules+model", stance="model"))
    on_step(0.9)
    if components.get("stance"):
        results["stance_on_gold_quotes"] = {"lexicon": _stance_on_gold_quotes(baseline, dev),
                                            "trained": _stance_on_gold_quotes(trained, dev)}
    _load_trained.cache_clear()
    on_step(1.0)
    return results


def _choose(components: dict, dev: dict, train_is_dev: bool, has_lexicon: bool) -> tuple[dict, dict]:
    """Which trained parts replace rules/lexicon for suggestions, and why."""
    use = {"ner": "model" if components.get("ner") else "bundled"}
    why = {}
    if not components.get("quotes"):
        use["quotes"], why["quotes"] = "rules", "no gold quotes to train from"
    elif train_is_dev:
        use["quotes"], why["quotes"] = "rules", "train = dev: no fair comparison, the rule quote finder stays"
    else:
        candidates = {"rules": dev["trained"], "rules+model": dev["trained_rules_plus_model_quotes"],
                      "model": dev["trained_model_quotes"]}  # ties: the first
        best = max(candidates, key=lambda mode: _quote_key(candidates[mode]["result"]))
        use["quotes"] = best
        why["quotes"] = {"rules": "the rule quote finder alone scores best on dev (exact + overlap F1)",
                         "rules+model": "rule quotes plus the model quotes they miss score best on dev",
                         "model": "the quotes model alone scores best on dev"}[best]
    if not components.get("stance"):
        use["stance"], why["stance"] = "lexicon", "no gold quotes with a stance to train from"
    elif not has_lexicon:
        use["stance"], why["stance"] = "model", "the stance lexicon cannot take this stance scheme"
    else:
        gold = dev["stance_on_gold_quotes"]
        trained, lexicon = gold["trained"]["accuracy"], gold["lexicon"]["accuracy"]
        if train_is_dev or trained is None:
            use["stance"], why["stance"] = "lexicon", "no held-out gold stance to compare on, the lexicon stays"
        elif trained > (lexicon or 0.0):
            use["stance"], why["stance"] = "model", "the classifier is more accurate than the lexicon on the dev quotes"
        else:
            use["stance"], why["stance"] = "lexicon", "the lexicon is at least as accurate on the dev quotes"
    return use, why


def _move_into_place(stage: Path, out_dir: Path) -> None:
    """Replace out_dir by the staged model (a previous trained model there is removed)."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{time.time_ns()}")
        out_dir.rename(old)
    try:
        stage.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "TrainingError", "TrainingCancelled", "TrainedModel", "train_from_gold", "load_trained", "is_trained_model_dir",
    "add_trained_components", "quote_candidates", "stance_input", "quote_contexts", "QUOTE_MODES", "gold_records", "split_records",
    "summary", "format_comparison",
]

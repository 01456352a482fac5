"""Train the statistical NER of the suggestion pipeline: from the NER corpora, or from IOB files.

Training is spaCy's config-driven loop with the config in `resources/ner.cfg` (CPU, fixed seed,
early stopping on dev F1); the saved pipeline carries the project tokenizer, so even a plain
`spacy.load` tokenizes exactly like `token_offsets`. The bundled model was made with:

    nice annotator train-ner --corpora all --weights idner=2,nerui=2 --max-steps 3000 --seed 2 \
        --out annotator/resources/model/ner

which calls `train_ner_corpora`: the train splits of NERGrit, idner-news-2k, NER UI, GSD-NER and
the MDEE gold, harmonised to our guidelines and de-duplicated against every dev and held-out split
(`annotator.nlp.corpora`), the two news corpora twice, early stopping on all dev splits (about
7-10 minutes on 2 cores); the gazetteer feature's table is built from resources/patterns/
gazetteer.jsonl and ../shared/data/ner-extra/mdee's name lists. `benchmarks/quality_ner.py`
scores a model on every dev and held-out split.
Chosen on the dev splits (model + rules, ALL F1; NERGrit dev / idner-news-2k dev / NER UI dev.01 /
GSD-NER dev), first with an earlier harmonisation (brackets still glued to idner-news-2k words):
    every corpus once, seed 0                  0.659 / 0.814 / 0.875 / 0.725
    + news corpora twice, seed 0               0.689 / 0.818 / 0.881 / 0.736
    + news corpora twice, seed 1               0.662 / 0.812 / 0.879 / 0.730
    every corpus once + pretrained tok2vec     0.681 / 0.810 / 0.878 / 0.729
    news twice + pretrained tok2vec            0.674 / 0.819 / 0.882 / 0.741
then with the final harmonisation, news corpora twice, three seeds:
    seed 0                                     0.675 / 0.850 / 0.881 / 0.727
    seed 1                                     0.660 / 0.850 / 0.875 / 0.723
    seed 2 (bundled)                           0.665 / 0.852 / 0.881 / 0.747
then (issue 13, session 4) with the harmonisation brought to GUIDELINES.md section 8 (capitalised
place prefixes inside LOC, state bodies with their area one ORG, hospitals ORG, GSD-NER durations
unknown), scored with the section-8 rules, also on the 10 PFSA stand-off dev articles (last column):
    session-3 model (earlier harmonisation)    0.669 / 0.853 / 0.880 / 0.754 / 0.854
    retrained, seed 2                          0.674 / 0.844 / 0.879 / 0.725 / 0.823
    + gazetteer feature, seed 0                0.700 / 0.852 / 0.890 / 0.770 / 0.847
    + gazetteer feature, seed 2 (bundled)      0.701 / 0.868 / 0.886 / 0.765 / 0.851
    + gazetteer, width 128, 5000 steps, seed 2 0.706 / 0.863 / 0.899 / 0.775 / 0.831 (11 MB; best
      at step 3400; within the seed spread, so no second, "accurate" model is shipped)
then (session 7, with the session-7 rules; model + rules, same dev splits, last column the 40 PFSA
stand-off development articles):
    bundled model (width 96)                   0.723 / 0.877 / 0.895 / 0.778 / 0.934
    width 256, 3000 steps, seed 2              0.732 / 0.871 / 0.906 / 0.781 / 0.924 (26 MB: over the
      25 MB budget; better on the Wikipedia and NER UI splits, worse on both news sets of our own
      conventions: not shipped)
then (session 8) voting models (annotator.nlp.ensemble, `--seeds`), trained with the NERGrit test
split in the data root so its sentences leave training; bare models, dev splits, the mean of the four:
    single models, default config, 4 seeds     mean 0.807-0.811 (bundled 0.810)
    hash rows halved (--rows 2500,500,1250,1250), 5 seeds   mean 0.808-0.816 (5 MB instead of 7)
    window 2, 3 seeds                          mean 0.809-0.818 (slower)
    3 seeds voting, default config             0.720 / 0.871 / 0.895 / 0.775, mean 0.815
    3 seeds voting, rows halved                0.735 / 0.874 / 0.896 / 0.793, mean 0.825
    3 seeds voting, window 2                   0.731 / 0.873 / 0.895 / 0.797, mean 0.824
    5 seeds voting, rows halved                mean 0.822
    bundled + 2 seeds rows halved (chosen)     0.736 / 0.872 / 0.896 / 0.799, mean 0.826; with the rules
                                               0.745 / 0.873 / 0.907 / 0.802, on the 50 PFSA dev articles
                                               0.920 (bundled 0.923), 17 MB, 2.3x the pipeline's time
  held out, scored once (model + rules, bundled / voting): NERGrit valid 0.748 / 0.747, NERGrit test
  0.724 / 0.736 (bare 0.732 / 0.743), idner-news-2k test 0.903 / 0.913, NER UI test.01 0.899 / 0.898,
  GSD-NER ner-test 0.763 / 0.778, the 10 held-out PFSA articles 0.895 / 0.888, ten fresh PFSA
  articles (the sixth set) 0.860 / 0.855. Better on the Wikipedia and NER-corpus conventions, no
  better on news annotated to our guidelines, and 2.3 times slower: not shipped as a second model.
The gazetteer feature (resources/ner.cfg, annotator/nlp/gazetteer_features.py) embeds each
capitalised token's membership in the person/organisation/place name lists; with it the rule
family "gazetteer" still helps PFSA and the sample gold (without it the sample falls to 0.905).
The pretrained tok2vec (`--pretrain`, `spacy pretrain` with the character objective, 4 epochs on
the 33k sentences of nlp-id's MIT-licensed POS corpus of Indonesian news plus the training
sentences, about 30 minutes) gave nothing on the news dev splits, so the bundled model does
without it. A 128-wide encoder was no better at the same step and slower (resources/ner.cfg).

`train_ner(train_iob, dev_iob, out_dir)` (`train-ner --iob … --dev …`) trains from two IOB
files instead; `pos_data` (`--pos`, word<TAB>POS lines) adds a tagger trained beside the NER on
the shared tok2vec and dropped from the saved model (measured on NERGrit alone: valid F1 0.695
with it against 0.688 without).
"""

from __future__ import annotations

import io
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import spacy
import srsly
from spacy.tokens import Doc, DocBin
from spacy.training import Example

from annotator.core.formats.conll import read_iob, read_tagged  # noqa: F401  (annotator.nlp.train and the tests import them from here)
from annotator.nlp.corpora import MISSING, Sentence, sentence_text, spaces_after
from annotator.nlp import gazetteer_features  # noqa: F401  (registers the NER's gazetteer embedding)
from annotator.nlp.tokenizer import TOKENIZER_NAME, blank_nlp, customize_tokenizer
from annotator.resources import RESOURCES_DIR

DEFAULT_CONFIG = RESOURCES_DIR / "ner.cfg"

#: NERGrit entity types -> project labels.
NERGRIT_LABEL_MAP: Mapping[str, str] = {"PERSON": "PERSON", "ORGANISATION": "ORG", "PLACE": "LOC"}



def _map_tags(tags: Sequence[str], label_map: Mapping[str, str] | None) -> list[str]:
    """Rename entity types; types absent from `label_map` become O, "-" (unknown) stays. Lone I- becomes B-."""
    out: list[str] = []
    prev_type = None
    for tag in tags:
        if tag == MISSING:  # unknown annotation stays unknown
            out.append(tag)
            prev_type = None
            continue
        if tag == "O":
            out.append("O")
            prev_type = None
            continue
        prefix, _, ent_type = tag.partition("-")
        if label_map is not None:
            ent_type = label_map.get(ent_type)
        if ent_type is None:
            out.append("O")
            prev_type = None
            continue
        if prefix == "I" and prev_type != ent_type:
            prefix = "B"
        out.append(f"{prefix}-{ent_type}")
        prev_type = ent_type
    return out


def iob_to_doc(vocab, words: Sequence[str], tags: Sequence[str], label_map=NERGRIT_LABEL_MAP) -> Doc:
    """A Doc with the sentence's tokens and its entities (tags mapped through `label_map`)."""
    ents = [None if tag == MISSING else tag for tag in _map_tags(tags, label_map)]
    return Doc(vocab, words=list(words), spaces=spaces_after(words), ents=ents)


def iob_to_docbin(
    sentences: Iterable[Sentence], nlp, label_map=NERGRIT_LABEL_MAP
) -> DocBin:
    doc_bin = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for words, tags in sentences:
        doc_bin.add(iob_to_doc(nlp.vocab, words, tags, label_map))
    return doc_bin


class _LineLog(io.TextIOBase):
    """File-like adapter so spaCy's console logger writes through `log`, one line per call."""

    def __init__(self, log: Callable[[str], object]):
        self._log = log
        self._buf = ""

    def write(self, text: str) -> int:
        self._buf += text
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            self._log(line)
        return len(text)

    def flush(self) -> None:
        if self._buf:
            self._log(self._buf)
            self._buf = ""


def _with_tagger(config, labels: list[str]) -> None:
    """Add a tagger on the shared tok2vec (multi-task training); it does not count in the score."""
    config["nlp"]["pipeline"] = ["tok2vec", "tagger", "ner"]
    config["components"]["tagger"] = {
        "factory": "tagger",
        "model": {
            "@architectures": "spacy.Tagger.v2",
            "nO": None,
            "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1",
                        "width": "${components.tok2vec.model.encode.width}", "upstream": "*"},
        },
    }
    config["training"]["score_weights"]["tag_acc"] = 0.0
    config["initialize"]["components"]["tagger"] = {"labels": labels}


def _entity_scores(nlp, docs: Sequence[Doc]) -> dict:
    # Score on the gold tokenization, as NERGrit is pre-tokenized.
    examples = [Example(Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]), d)
                for d in docs]
    scores = nlp.evaluate(examples)
    return {
        "ents_p": scores["ents_p"],
        "ents_r": scores["ents_r"],
        "ents_f": scores["ents_f"],
        "ents_per_type": scores.get("ents_per_type") or {},
    }


def format_scores(scores: Mapping) -> str:
    """The P/R/F table of `train_ner`'s result, overall and per label."""
    lines = [f"{'label':<8} {'P':>6} {'R':>6} {'F':>6}"]
    lines.append(f"{'ALL':<8} {scores['ents_p']:6.3f} {scores['ents_r']:6.3f} {scores['ents_f']:6.3f}")
    for label, s in sorted(scores["ents_per_type"].items()):
        lines.append(f"{label:<8} {s['p']:6.3f} {s['r']:6.3f} {s['f']:6.3f}")
    return "\n".join(lines)


def train_ner(
    train_iob: str | Path,
    dev_iob: str | Path,
    out_dir: str | Path,
    *,
    label_map: Mapping[str, str] | None = NERGRIT_LABEL_MAP,
    n_sentences: int | None = None,
    **options,
) -> dict:
    """Train a tok2vec+ner pipeline on IOB files and save it to `out_dir` (a `spacy.load` dir).

    `label_map` renames entity types (types missing from it are dropped; None keeps all).
    `n_sentences` limits the training sentences (first N, for quick runs). Other options: see
    `train_ner_sentences`. Returns its dev scores.
    """
    train_sents = read_iob(train_iob)
    dev_sents = read_iob(dev_iob)
    if n_sentences is not None:
        train_sents = train_sents[:n_sentences]
    if not train_sents:
        raise ValueError(f"{train_iob}: no sentences")
    if not dev_sents:
        raise ValueError(f"{dev_iob}: no sentences")
    map_tags = (lambda tags: _map_tags(tags, label_map))
    return train_ner_sentences(
        [(w, map_tags(t)) for w, t in train_sents], [(w, map_tags(t)) for w, t in dev_sents], out_dir,
        training_data={"train": Path(train_iob).name, "dev": Path(dev_iob).name,
                       "label_map": dict(label_map) if label_map is not None else None},
        **options)


def train_ner_corpora(
    out_dir: str | Path,
    *,
    data_root: str | Path | None = None,
    corpora: Sequence[str] | None = None,
    pretrain_text: str | Path | None = None,
    pretrain_epochs: int = 3,
    weights: Mapping[str, int] | None = None,
    **options,
) -> dict:
    """Train on the train splits of the NER corpora (annotator.nlp.corpora: read, harmonised, and
    de-duplicated against every dev and held-out split), early-stopping on all their dev splits.
    `corpora` picks some (keys of corpora.LABEL_MAPS; default all found under `data_root`);
    `weights` repeats a corpus's training sentences ({"idner": 2}). `pretrain_text` (word<TAB>tag lines, e.g. nlp-id's dataset_postag.txt): first `spacy pretrain`
    the tok2vec for `pretrain_epochs` on its sentences plus the training sentences, and start
    from those weights. Other options: see `train_ner_sentences`. Returns its dev scores."""
    from annotator.nlp import corpora as ner_corpora

    splits = ner_corpora.load_splits(data_root, corpora)
    train_sents, dropped = ner_corpora.training_sentences(splits, weights)
    dev_sents = ner_corpora.dev_sentences(splits)
    if not train_sents or not dev_sents:
        raise ValueError(f"{data_root or ner_corpora.DATA_ROOT}: no NER corpus with train and dev sentences found")
    log = options.get("log", print)
    log(f"corpora: {', '.join(sorted({s.corpus for s in splits}))}; {dropped} training sentences dropped "
        "as duplicates of dev/held-out sentences")
    training_data = {"corpora": sorted({s.corpus for s in splits}), "dropped_duplicates": dropped,
                     "harmonised": "annotator.nlp.corpora", "weights": dict(weights or {})}
    if pretrain_text is None:
        return train_ner_sentences(train_sents, dev_sents, out_dir, training_data=training_data, **options)
    raw = [words for words, _ in read_tagged(pretrain_text)]
    unique_train = [w for w, _ in ner_corpora.training_sentences(splits)[0]]
    if not raw:
        raise ValueError(f"{pretrain_text}: no sentences")
    with tempfile.TemporaryDirectory(prefix="annotator-pretrain-") as tmp:
        tok2vec = pretrain_tok2vec(raw + unique_train, tmp, max_epochs=pretrain_epochs,
                                   seed=options.get("seed", 0), overrides=options.get("overrides"), log=log)
        options["overrides"] = {**(options.get("overrides") or {}), "paths.init_tok2vec": str(tok2vec)}
        training_data.update(pretrain_text=Path(pretrain_text).name, pretrain_epochs=pretrain_epochs,
                             n_pretrain=len(raw) + len(unique_train))
        return train_ner_sentences(train_sents, dev_sents, out_dir, training_data=training_data, **options)


def _refuse_other_folder(out_dir: Path) -> None:
    """ValueError when `out_dir` exists and is neither empty nor a spaCy pipeline: never overwrite it."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / "config.cfg").is_file())):
        raise ValueError(f"{out_dir}: exists and is not a spaCy pipeline directory; not overwriting it")


def train_ner_ensemble(out_dir: str | Path, seeds: Sequence[int], members: Sequence[str | Path] = (),
                       **options) -> dict:
    """A voting NER (annotator.nlp.ensemble): one model per seed, trained as
    `train_ner_corpora(**options)` does, joined with the already trained `members` (model folders)
    at `out_dir`. Returns each trained member's dev scores."""
    from annotator.nlp.ensemble import build_ensemble

    given = [Path(m) for m in members]
    for folder in given:
        if not (folder / "config.cfg").is_file():
            raise ValueError(f"{folder}: not a spaCy model folder (no config.cfg)")
    if len(seeds) + len(given) < 2:
        raise ValueError("an ensemble needs at least two members (seeds and given models)")
    out_dir = Path(out_dir)
    _refuse_other_folder(out_dir)
    log = options.get("log", print)
    trained = {}
    with tempfile.TemporaryDirectory(prefix="annotator-ensemble-") as tmp:
        dirs = list(given)
        for seed in seeds:
            log(f"member with seed {seed}")
            member_dir = Path(tmp) / f"seed{seed}"
            trained[f"seed{seed}"] = train_ner_corpora(member_dir, **{**options, "seed": seed})
            dirs.append(member_dir)
        built = Path(tmp) / "ensemble"  # built beside, then moved: `out_dir` may be one of the given members
        build_ensemble(dirs, built, meta={"annotator": {"seeds": list(seeds), "given": [str(m) for m in members],
                                                        "overrides": dict(options.get("overrides") or {}), "members": {
            name: {k: v for k, v in scores.items() if k != "model_dir"} for name, scores in trained.items()}}})
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.move(str(built), str(out_dir))
    return {"model_dir": str(out_dir), "members": trained}


def train_ner_sentences(
    train_sents: Sequence[Sentence],
    dev_sents: Sequence[Sentence],
    out_dir: str | Path,
    *,
    max_epochs: int | None = None,
    max_steps: int | None = None,
    seed: int = 0,
    log: Callable[[str], object] = print,
    config_path: str | Path | None = None,
    overrides: Mapping[str, object] | None = None,
    pos_data: str | Path | None = None,
    pos_sentences: int | None = 10000,
    training_data: Mapping[str, object] | None = None,
) -> dict:
    """Train a tok2vec+ner pipeline on (words, project BIO tags) sentences; save it to `out_dir`.

    Tags use project labels; "-" marks a token whose annotation is unknown (not learned as O).
    Training stops after `max_epochs` / `max_steps` (None: the config's) or earlier when dev F1
    has not improved for `training.patience` steps; the best-on-dev model is kept. `overrides`
    are extra config overrides, e.g. {"components.tok2vec.model.encode.width": 128}. `pos_data`
    adds a tagger trained on that POS corpus (`pos_sentences` of its sentences, drawn with the
    seed; None: all) beside the NER; the tagger is left out of the saved model.
    `training_data` is recorded in the model's meta.json.

    Returns the dev scores of the saved model: {"ents_p", "ents_r", "ents_f",
    "ents_per_type": {label: {"p","r","f"}}, "n_train", "n_dev", "seconds", "model_dir"}.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    _refuse_other_folder(out_dir)
    pos_sents = read_tagged(pos_data) if pos_data is not None else []
    if pos_data is not None and not pos_sents:
        raise ValueError(f"{pos_data}: no sentences")
    if pos_sentences is not None and len(pos_sents) > pos_sentences:
        pos_sents = random.Random(seed).sample(pos_sents, pos_sentences)

    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    blank = blank_nlp()
    with tempfile.TemporaryDirectory(prefix="annotator-ner-") as tmp:
        tmp_path = Path(tmp)
        train_path, dev_path = tmp_path / "train.spacy", tmp_path / "dev.spacy"
        train_bin = iob_to_docbin(train_sents, blank, None)
        if pos_sents:
            # no entity annotation on the POS sentences (the NER loss skips them), no tags on the
            # NER ones; interleaved, so that every batch has both kinds
            docs = [iob_to_doc(blank.vocab, w, t, None) for w, t in train_sents]
            docs += [Doc(blank.vocab, words=w, spaces=spaces_after(w), tags=t) for w, t in pos_sents]
            random.Random(seed).shuffle(docs)
            train_bin = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE"], docs=docs, store_user_data=False)
        train_bin.to_disk(train_path)
        dev_bin = iob_to_docbin(dev_sents, blank, None)
        dev_bin.to_disk(dev_path)

        cfg_overrides = {
            "paths.train": str(train_path),
            "paths.dev": str(dev_path),
            "system.seed": seed,
            "training.max_steps": max_steps or 0,
        }
        if max_epochs is not None:
            cfg_overrides["training.max_epochs"] = max_epochs
        cfg_overrides.update(overrides or {})
        config = spacy.util.load_config(config_path or DEFAULT_CONFIG, overrides=cfg_overrides, interpolate=False)
        if config["paths"].get("init_tok2vec"):  # spaCy loads pretrained weights only with a [pretraining] block
            config["pretraining"] = _pretraining_defaults()["pretraining"]
        if pos_sents:
            _with_tagger(config, sorted({tag for _, tags in pos_sents for tag in tags}))

        from spacy.training.initialize import init_nlp
        from spacy.training.loop import train as train_loop

        nlp = init_nlp(config, use_gpu=-1)
        # Saved with the pipeline, so even a plain spacy.load tokenizes like token_offsets.
        customize_tokenizer(nlp)
        log(f"training on {len(train_sents)} sentences, dev {len(dev_sents)}; labels {nlp.get_pipe('ner').labels}")
        (tmp_path / "training").mkdir()
        sink = _LineLog(log)
        train_loop(nlp, tmp_path / "training", use_gpu=-1, stdout=sink, stderr=sink)
        sink.flush()

        best_dir = tmp_path / "training" / "model-best"
        best = spacy.load(best_dir, exclude=["tokenizer"], config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
        if "tagger" in best.pipe_names:  # it only taught the encoder; suggestions never use it
            best.remove_pipe("tagger")
            customize_tokenizer(best)
            best.to_disk(best_dir)
            shutil.rmtree(best_dir / "tagger")
        scores = _entity_scores(best, list(dev_bin.get_docs(best.vocab)))
        meta = srsly.read_json(best_dir / "meta.json")
        meta["name"] = "annotator_ner"
        meta["description"] = "tok2vec+ner for Indonesian news, trained with annotator.nlp.ner_train"
        meta["performance"] = {k: scores[k] for k in ("ents_p", "ents_r", "ents_f", "ents_per_type")}
        meta["training_data"] = {**(training_data or {}),
                                 "n_train": len(train_sents), "n_dev": len(dev_sents), "seed": seed,
                                 "overrides": {k: v for k, v in (overrides or {}).items() if not k.startswith("paths.")},
                                 "pos_data": Path(pos_data).name if pos_data is not None else None,
                                 "n_pos": len(pos_sents)}
        srsly.write_json(best_dir / "meta.json", meta)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(best_dir, out_dir)

    scores.update(
        n_train=len(train_sents),
        n_dev=len(dev_sents),
        seconds=round(time.perf_counter() - started, 1),
        model_dir=str(out_dir),
    )
    log(format_scores(scores))
    return scores


def _pretraining_defaults():
    """spaCy's default [pretraining] config (character objective, component "tok2vec")."""
    return spacy.util.load_config(Path(spacy.__file__).parent / "default_config_pretraining.cfg")


def pretrain_tok2vec(
    raw_sentences: Sequence[Sequence[str]],
    out_dir: str | Path,
    *,
    max_epochs: int = 5,
    seed: int = 0,
    config_path: str | Path | None = None,
    overrides: Mapping[str, object] | None = None,
    log: Callable[[str], object] = print,
) -> Path:
    """`spacy pretrain` (character objective) of the tok2vec in `config_path` (default
    resources/ner.cfg) on tokenised raw sentences; returns the last weights file, to pass to
    `train_ner_*` as overrides {"paths.init_tok2vec": path} (same tok2vec `overrides` needed)."""
    from spacy.training.pretrain import pretrain

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    raw_path = out_dir / "raw.jsonl"
    srsly.write_jsonl(raw_path, ({"text": sentence_text(words)[0]} for words in raw_sentences if words))
    base = spacy.util.load_config(config_path or DEFAULT_CONFIG, overrides=dict(overrides or {}), interpolate=False)
    config = base.merge(_pretraining_defaults())
    config["paths"]["raw_text"] = str(raw_path)
    config["pretraining"]["max_epochs"] = max_epochs
    config["system"]["seed"] = seed
    config = config.interpolate()
    log(f"pretraining tok2vec on {len(raw_sentences)} raw sentences, {max_epochs} epochs")
    pretrain(config, out_dir, silent=False)
    weights = sorted(out_dir.glob("model*.bin"), key=lambda p: p.stat().st_mtime)
    if not weights:
        raise ValueError(f"{out_dir}: spacy pretrain saved no weights")
    return weights[-1]

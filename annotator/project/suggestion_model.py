"""The project's suggestion model: which one the project uses (for the window and `annotator
suggest` alike), what a folder holds, how a trained model scored, and suggesting with it. No
spaCy at import (the window starts without it): folders are told apart by their files,
`model.json` (trained from gold by annotator.nlp.train) or `config.cfg` (a spaCy pipeline, e.g. a
NER model).

The project's choice is kept in the database (`meta` key "suggestion_model"), so every
annotator of the database suggests with the same model: "" is the bundled model; a folder
inside the database's folder is stored relative to it, so the project can move as a whole. A
project on a server has no folder: its model folder is stored as an absolute path, and on a
computer that lacks it the model shows as "not on this machine" (kind `elsewhere`)."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field

from annotator.core.backends import is_server_url
from annotator.core.store import ChangeSet
from annotator.project.changes import run_recording

META_KEY = "suggestion_model"
BUNDLED = ""
MODEL_JSON = "model.json"  # annotator.nlp.trained.MODEL_JSON (not imported: it loads spaCy)


class SuggestionModelError(Exception):
    """The project's suggestion model cannot be used (missing folder, not a model)."""


@dataclass(frozen=True)
class ModelInfo:
    """A suggestion model: `path` None is the bundled one; `kind` bundled, trained, spacy, missing, or
    elsewhere (a server project's model folder that is not on this computer)."""

    path: str | None
    kind: str
    name: str
    problem: str = ""
    info: dict = field(default_factory=dict, compare=False)  # model.json of a trained model

    @property
    def usable(self) -> bool:
        return not self.problem

    @property
    def model_dir(self) -> str | None:
        """What suggest_articles / uncertainty_order take as `model_dir`."""
        return self.path

    def label(self) -> str:
        """A few words for the status bar and the Tools menu (the full name is in `name`)."""
        if self.kind == "bundled":
            return "bundled model"
        if self.problem:
            return f"{os.path.basename(self.path or '')} ({'not on this machine' if self.kind == 'elsewhere' else 'missing'})"
        if self.kind == "trained":
            stamp = re.fullmatch(r"(\d{4})(\d\d)(\d\d)\.(\d\d)(\d\d)\d\d(\.\d+)?", str(self.info.get("version", "")))
            if stamp:  # a version made by train_from_gold: its time (UTC)
                y, m, d, hh, mm, _ = stamp.groups()
                return f"gold model of {y}-{m}-{d} {hh}:{mm}"
        return self.name if len(self.name) <= 32 else self.name[:31] + "…"


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe(path: str | None) -> ModelInfo:
    """What the folder holds, or the bundled model for None / ""."""
    if not path:
        return ModelInfo(None, "bundled", "bundled model")
    path = os.path.abspath(path)
    if os.path.isfile(os.path.join(path, MODEL_JSON)):
        info = _read_json(os.path.join(path, MODEL_JSON))
        name = info.get("model_name") or "-".join(str(x) for x in (info.get("name"), info.get("version")) if x)
        return ModelInfo(path, "trained", name or os.path.basename(path), info=info)
    if os.path.isfile(os.path.join(path, "config.cfg")):
        meta = _read_json(os.path.join(path, "meta.json"))
        name = "-".join(str(x) for x in (meta.get("name"), meta.get("version")) if x)
        return ModelInfo(path, "spacy", name or os.path.basename(path))
    if not os.path.isdir(path):
        return ModelInfo(path, "missing", os.path.basename(path), problem=f"{path}: no such folder")
    return ModelInfo(path, "missing", os.path.basename(path),
                     problem=f"{path}: neither a model trained from gold ({MODEL_JSON}) nor a spaCy model (config.cfg)")


def stored_value(db_path: str, path: str | None) -> str:
    """The meta value for a model folder: relative to the database's folder when inside it; always
    absolute for a project on a server (`db_path` its URL)."""
    if not path:
        return BUNDLED
    path = os.path.abspath(path)
    if is_server_url(db_path):
        return path
    base = os.path.dirname(os.path.abspath(db_path))
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive
        return path
    return path if relative.startswith(os.pardir) else relative


def resolve(db_path: str, value: str | None) -> str | None:
    """The model folder of a meta value (None: the bundled model)."""
    if not value:
        return None
    return value if os.path.isabs(value) else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(db_path)), value))


def project_model(store, db_path: str) -> ModelInfo:
    """The suggestion model chosen for the database (the bundled one until someone chooses). On a
    server project a folder this computer lacks is `elsewhere`: chosen on another computer."""
    model = describe(resolve(db_path, store.get_meta(META_KEY)))
    if model.kind == "missing" and is_server_url(store.path) and not os.path.isdir(model.path):
        return ModelInfo(model.path, "elsewhere", model.name, problem=(
            f"{model.path}: the project's model folder is not on this machine (it was chosen on another "
            "computer); copy the folder to this path to suggest with it here"))
    return model


def choose_model(store, path: str | None) -> ModelInfo:
    """Make the model folder (None: the bundled model) the project's, for every annotator of the
    database; SuggestionModelError (nothing stored) when the folder holds no model."""
    model = describe(path)
    if model.problem:
        raise SuggestionModelError(model.problem)
    store.set_meta(META_KEY, stored_value(store.path, model.path))
    return model


@dataclass(frozen=True)
class Suggested:
    """What a suggestion run did: the model used, how many articles got suggestions, what changed."""

    model: ModelInfo
    articles: int
    changes: ChangeSet


def suggest_with_project_model(store, article_ids: list[str] | None = None, *, model_dir: str | None = None,
                               progress=None, cancelled=None, workers: int = 1, ray: str | None = None) -> Suggested:
    """Store suggestions for the articles (None: all) from the project's model, or from
    `model_dir` when given."""
    model = describe(model_dir) if model_dir else project_model(store, store.path)
    if model.problem:
        raise SuggestionModelError(f"{model.problem} (the suggestion model of {store.path})")
    from annotator.nlp.suggest import suggest_articles  # spaCy only when suggesting

    done, changes = run_recording(store, lambda: suggest_articles(store, article_ids, model.model_dir,
                                                                  progress=progress, cancelled=cancelled,
                                                                  workers=workers, ray=ray))
    return Suggested(model, done, changes)


CHECKOUT_MARKERS = (".git", "pyproject.toml", "setup.py")


def default_output_dir(db_path: str, data_dir: str) -> str:
    """Where in-app training writes a model unless the user chooses: `<database name>.models/
    <name>-<time>` beside the database; when the database lies in a source checkout (its folder
    holds .git or pyproject.toml, as `make run`'s sample database does), in `data_dir` (the user's
    data folder) instead. Never the working directory."""
    db_path = os.path.abspath(db_path)
    folder, stem = os.path.dirname(db_path), os.path.splitext(os.path.basename(db_path))[0]
    if any(os.path.exists(os.path.join(folder, marker)) for marker in CHECKOUT_MARKERS):
        folder = os.path.abspath(data_dir)
    return os.path.join(folder, f"{stem}.models", f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}")


# ---- what a training run gives ---------------------------------------------------------------
def _get(d, *keys):
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _fmt(value) -> str:
    return "—" if not isinstance(value, (int, float)) else f"{value:.3f}"


SCORE_ROWS = (
    ("Entities F1", ("entities", "all", "f1")),
    ("Quotes F1 (overlap)", ("quotes_overlap", "f1")),
    ("Speakers (exact)", ("speaker_accuracy",)),
    ("Stance accuracy", ("stance_accuracy",)),
)


def mean_score(summary) -> float | None:
    """The mean of a dev summary's figures (those of SCORE_ROWS it has), to rank two models."""
    values = [v for v in (_get(summary, *path) for _, path in SCORE_ROWS) if isinstance(v, (int, float))]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Verdict:
    """Is a new model better than the project's current one? `better` None: cannot tell."""

    better: bool | None
    text: str


def compare_with_current(info: dict, current: ModelInfo) -> Verdict:
    """The new model's held-out scores against the current model's: a trained current model by
    the scores in its model.json, the bundled one by the baseline the training scored beside the
    new model (the model it started from)."""
    new = mean_score(_get(info, "dev", "trained", "summary"))
    if current.kind == "trained":
        old, against = mean_score(_get(current.info, "dev", "trained", "summary")), "the current model"
    elif current.kind == "bundled":
        old, against = mean_score(_get(info, "dev", "baseline", "summary")), "the current (bundled) model"
    else:
        old, against = None, "the current model"
    if new is None or old is None:
        return Verdict(None, f"The scores cannot be compared with those of {against}: it stays unless you "
                             "choose the new model.")
    if new > old:
        return Verdict(True, f"The new model scored better than {against} on held-out gold "
                             f"(mean {new:.3f} against {old:.3f}).")
    return Verdict(False, f"The new model did not score better than {against} on held-out gold "
                          f"(mean {new:.3f} against {old:.3f}): keeping the current model is advised.")


USE_TEXT = {("quotes", "rules"): "the quote rules", ("quotes", "model"): "the trained quote model",
            ("quotes", "rules+model"): "the quote rules and the trained model",
            ("stance", "lexicon"): "the stance lexicon", ("stance", "model"): "the trained stance classifier"}


@dataclass
class TrainingSummary:
    title: str
    rows: list[tuple[str, str, str]]  # figure, trained, baseline (dev articles)
    lines: list[str]


def training_summary(info: dict) -> TrainingSummary:
    """The headline of a model.json: dev scores of the trained pipeline against the baseline
    (the model it started from, with rule quotes and the stance lexicon), data, choices, notes."""
    title = info.get("model_name") or "-".join(str(x) for x in (info.get("name"), info.get("version")) if x) or "model"
    trained, baseline = _get(info, "dev", "trained", "summary"), _get(info, "dev", "baseline", "summary")
    rows = []
    if trained or baseline:
        rows = [(label, _fmt(_get(trained, *path)), _fmt(_get(baseline, *path))) for label, path in SCORE_ROWS]
    elif isinstance(info.get("scores"), dict):  # a plain {figure: value} table
        rows = [(str(k), _fmt(v), "") for k, v in info["scores"].items() if not isinstance(v, dict)]
    lines = []
    data = info.get("data") or {}
    if data:
        dev = data.get("dev_articles")
        train = data.get("train_articles")
        n_dev = len(dev) if isinstance(dev, list) else dev
        n_train = len(train) if isinstance(train, list) else train
        lines.append(f"Gold: {data.get('gold_articles', '?')} articles ({n_train} to train, {n_dev} to score)")
        if data.get("train_is_dev"):
            lines.append("Only one gold article: the scores are on the training article itself.")
    use, why = info.get("use") or {}, info.get("why") or {}
    for part in ("quotes", "stance"):
        if part in use:
            chosen = USE_TEXT.get((part, use[part]), str(use[part]))
            lines.append(f"Suggested {part}: {chosen}" + (f" ({why[part]})" if why.get(part) else ""))
    for note in (info.get("notes") or [])[:3]:
        lines.append(f"Note: {note}")
    if info.get("seconds") is not None:
        lines.append(f"Trained in {info['seconds']} s.")
    return TrainingSummary(title, rows, lines)

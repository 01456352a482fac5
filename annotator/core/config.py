"""Project configuration: entity labels, stance scheme, target, colours and shortcuts."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from annotator.resources import RESOURCES_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_CONFIG_PATH = RESOURCES_DIR / "config.toml"
DONE_WITH_PENDING = ("accept", "refuse")  # what marking an article done does to pending suggestions


class ConfigError(ValueError):
    """The configuration file is missing a field or has a wrong value."""


@dataclass(frozen=True)
class Label:
    name: str
    key: str = ""
    color: str = "#dddddd"
    description: str = ""


@dataclass(frozen=True)
class ProjectConfig:
    name: str
    target: str
    labels: tuple[Label, ...]
    stance_labels: tuple[Label, ...]
    quote_kinds: tuple[str, ...] = ("direct", "indirect")
    quote_color: str = "#fff3b0"
    cue_color: str = "#f4a261"
    speaker_color: str = "#ffb4a2"
    shortcuts: dict[str, str] = field(default_factory=dict)
    done_with_pending: str = "accept"  # "accept": Done accepts what is still pending; "refuse": decide each first

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    @property
    def stance_names(self) -> list[str]:
        return [label.name for label in self.stance_labels]

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ProjectConfig":
        data = json.loads(text)
        return cls(
            name=data["name"],
            target=data["target"],
            labels=tuple(Label(**item) for item in data["labels"]),
            stance_labels=tuple(Label(**item) for item in data["stance_labels"]),
            quote_kinds=tuple(data.get("quote_kinds", ("direct", "indirect"))),
            quote_color=data.get("quote_color", "#fff3b0"),
            cue_color=data.get("cue_color", "#f4a261"),
            speaker_color=data.get("speaker_color", "#ffb4a2"),
            shortcuts=dict(data.get("shortcuts", {})),
            done_with_pending=data.get("done_with_pending", "accept"),
        )


def _labels(items: object, where: str, path: Path) -> tuple[Label, ...]:
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{path}: [{where}] must be a non-empty list of labels")
    labels = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("name"):
            raise ConfigError(f"{path}: {where} #{number} has no name")
        unknown = set(item) - {"name", "key", "color", "description"}
        if unknown:
            raise ConfigError(f"{path}: {where} #{number}: unknown field(s) {sorted(unknown)}")
        labels.append(Label(**{k: str(v) for k, v in item.items()}))
    names = [label.name for label in labels]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: {where}: duplicate label names {names}")
    return tuple(labels)


def load_config(path: str | Path | None = None) -> ProjectConfig:
    """Read a TOML project configuration (the bundled default when `path` is None)."""
    path = Path(path) if path else DEFAULT_CONFIG_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    project = data.get("project", {})
    quotes = data.get("quotes", {})
    done_with_pending = str(project.get("done_with_pending", "accept"))
    if done_with_pending not in DONE_WITH_PENDING:
        raise ConfigError(f"{path}: [project] done_with_pending must be one of {', '.join(DONE_WITH_PENDING)}, "
                          f"not {done_with_pending!r}")
    return ProjectConfig(
        name=str(project.get("name", "annotator project")),
        target=str(project.get("target", "")),
        labels=_labels(data.get("labels"), "labels", path),
        stance_labels=_labels(data.get("stance", {}).get("labels"), "stance.labels", path),
        quote_kinds=tuple(quotes.get("kinds", ("direct", "indirect"))),
        quote_color=quotes.get("color", "#fff3b0"),
        cue_color=quotes.get("cue_color", "#f4a261"),
        speaker_color=quotes.get("speaker_color", "#ffb4a2"),
        shortcuts={str(k): str(v) for k, v in data.get("shortcuts", {}).items()},
        done_with_pending=done_with_pending,
    )

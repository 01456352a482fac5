"""Every command of the window as a QAction, built in one place from one table.

Shortcuts come from the project configuration (`[shortcuts]` in resources/config.toml, copied
into each database): a configured value replaces an action's main key; alternatives may be
given separated by ";" (e.g. accept = "A; Return"). Label keys come from `[[labels]] key`,
quote-stance keys from `[[stance.labels]] key`, and Shift + that key sets the article stance.

Scope "doc": the shortcut works while the document view or the quote list has focus, so
typing in the search box or a comment never fires it. Scope "window": anywhere in the window."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from annotator.core.config import ProjectConfig
from annotator.gui.theme import plain_tooltip


@dataclass(frozen=True)
class Spec:
    name: str
    text: str
    keys: tuple[str, ...] = ()
    scope: str = "doc"
    menu: str = "Edit"
    tip: str = ""
    checkable: bool = False


SPECS: tuple[Spec, ...] = (
    # File
    Spec("open_db", "&Open project…", ("Ctrl+O",), "window", "File",
         "Open another project: a database file or a postgresql:// server URL"),
    Spec("import_files", "&Import files…", ("Ctrl+I",), "window", "File",
         "Import .txt, .jsonl, CoNLL or .csv files (runs in the background)"),
    Spec("import_folder", "Import &folder…", ("Ctrl+Shift+I",), "window", "File", "Import every file of a folder"),
    Spec("export", "&Export…", ("Ctrl+E",), "window", "File", "Export your layer (JSONL, spaCy, CoNLL, CSV, brat)"),
    Spec("export_gold", "Export &gold…", ("Ctrl+Shift+E",), "window", "File",
         "Export the reviewed gold layer: done articles, accepted annotations only"),
    Spec("backup", "&Back up…", (), "window", "File",
         "Copy the whole database (edits not yet in the .db file included) into one file; safe while annotating"),
    Spec("switch_annotator", "Switch &annotator…", (), "window", "File", "Annotate as someone else (each annotator has a layer)"),
    Spec("quit", "&Quit", ("Ctrl+Q",), "window", "File"),
    # Edit
    Spec("undo", "&Undo", ("Ctrl+Z",), "window", "Edit", "Undo the last stored edit"),
    Spec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "window", "Edit", "Redo"),
    Spec("find", "&Find articles…", ("Ctrl+F",), "window", "Edit", "Search titles and texts"),
    Spec("delete", "&Delete span", ("Del", "Backspace"), "doc", "Edit", "Delete the span at the caret (a suggestion is rejected)"),
    Spec("extend_left", "Extend start ←", ("Alt+Shift+Left",), "doc", "Edit", "Move the span's start one token left"),
    Spec("extend_right", "Extend end →", ("Alt+Shift+Right",), "doc", "Edit", "Move the span's end one token right"),
    Spec("shrink_left", "Shrink end ←", ("Alt+Left",), "doc", "Edit", "Move the span's end one token left"),
    Spec("shrink_right", "Shrink start →", ("Alt+Right",), "doc", "Edit", "Move the span's start one token right"),
    Spec("split", "S&plit span at caret", ("Ctrl+Shift+S",), "doc", "Edit", "Cut the span in two where the caret is"),
    Spec("merge", "&Merge with next span", ("Ctrl+Shift+M",), "doc", "Edit", "Join the span with the next one"),
    Spec("next_span", "Next span", ("]",), "doc", "Edit", "Go to the next entity or quote"),
    Spec("previous_span", "Previous span", ("[",), "doc", "Edit", "Go to the previous entity or quote"),
    Spec("clear", "Clear selection / cancel", ("Esc",), "doc", "Edit", "Drop the selection, leave speaker/cue picking"),
    # Suggestions
    Spec("accept", "&Accept suggestion", ("A", "Return", "Enter"), "doc", "Suggestions", "Accept the suggestion at the caret"),
    Spec("reject", "&Reject suggestion", ("X",), "doc", "Suggestions", "Reject it: hidden, but kept in the database"),
    Spec("accept_all", "Accept a&ll in article", ("Shift+A",), "doc", "Suggestions", "Accept every remaining suggestion shown"),
    Spec("accept_moves_on", "Accept &moves to the next suggestion", (), "window", "Suggestions",
         "After A (accept) or X (reject), go on to the next pending suggestion", True),
    Spec("next_suggestion", "&Next suggestion", ("Tab",), "doc", "Suggestions", "Jump to the next pending suggestion"),
    Spec("previous_suggestion", "&Previous suggestion", ("Shift+Tab",), "doc", "Suggestions", "Jump to the previous pending suggestion"),
    # Quotes
    Spec("quote", "&Quote from selection", ("Q",), "doc", "Quote", "Make the selection a quote"),
    Spec("set_speaker", "Set &speaker…", ("S",), "doc", "Quote",
         "Speaker of the selected quote: the selected text, or click an entity, or S again for a list"),
    Spec("set_cue", "Set &cue…", ("C",), "doc", "Quote", "Cue (reporting verb) of the selected quote: selection or click a word"),
    Spec("clear_speaker", "Clear speaker", (), "doc", "Quote"),
    Spec("clear_cue", "Clear cue", (), "doc", "Quote"),
    Spec("toggle_kind", "Toggle &direct / indirect", ("K",), "doc", "Quote"),
    Spec("next_quote", "Next quote", ("Alt+Down",), "doc", "Quote", "Select the next quote"),
    Spec("previous_quote", "Previous quote", ("Alt+Up",), "doc", "Quote", "Select the previous quote"),
    # Article
    Spec("mark_done", "Mark &done and go on", ("Ctrl+Return", "Ctrl+Enter"), "doc", "Article",
         "Mark the article done and open the next one not done"),
    Spec("mark_in_progress", "Mark in progress", (), "doc", "Article", "Take back ‘done’"),
    Spec("next_article", "&Next article", ("PgDown",), "doc", "Article"),
    Spec("previous_article", "&Previous article", ("PgUp",), "doc", "Article"),
    Spec("comment", "&Comment…", ("Ctrl+M",), "window", "Article", "Write a comment on this article"),
    Spec("flag", "&Flag for review", ("Ctrl+Shift+F",), "window", "Article", "Flag this article for review", True),
    Spec("useful_order", "Order: most &useful next", ("Ctrl+Shift+U",), "window", "Article",
         "List the articles you have not done, those the model is least sure about first; "
         "Mark done and go on follows this order", True),
    # View
    Spec("font_bigger", "&Bigger text", ("Ctrl++", "Ctrl+="), "window", "View"),
    Spec("font_smaller", "&Smaller text", ("Ctrl+-",), "window", "View"),
    Spec("font_reset", "&Normal text size", ("Ctrl+0",), "window", "View"),
    Spec("show_model", "Show &model suggestions", (), "window", "View", "Suggestions from the trained model", True),
    Spec("show_rule", "Show &rule suggestions", (), "window", "View", "Suggestions from rules and gazetteers", True),
    Spec("theme_light", "&Light theme", (), "window", "View", "", True),
    Spec("theme_dark", "&Dark theme", (), "window", "View", "", True),
    # Tools
    Spec("suggest_selected", "Suggest for &selected articles", ("Ctrl+Shift+G",), "window", "Tools",
         "Run the spaCy pipeline on the articles selected in the browser (background)"),
    Spec("suggest_all", "Suggest for &all articles", (), "window", "Tools", "Run the spaCy pipeline on every article (background)"),
    Spec("suggestion_model", "Suggestion &model…", ("Ctrl+Shift+L",), "window", "Tools",
         "Choose the model that suggests for this database: bundled, trained from gold, or a spaCy NER model"),
    Spec("review", "&Review gold…", ("Ctrl+Shift+R",), "window", "Tools",
         "Resolve the annotators' versions of this article into the gold layer (a window of its own)"),
    Spec("agreement", "A&greement…", ("Ctrl+Shift+K",), "window", "Tools",
         "Inter-annotator agreement: F1 per pair and label, speakers, stance kappa (a window of its own)"),
    Spec("dashboard", "&Dashboard…", ("Ctrl+Shift+D",), "window", "Tools",
         "Progress of each annotator, labels, speakers' stance, suggestions accepted (a window of its own)"),
    Spec("train", "&Train model from gold…", ("Ctrl+Shift+T",), "window", "Tools",
         "Train entities, quotes and stance from the gold layer and score them (background)"),
    Spec("cancel_task", "&Cancel background task", (), "window", "Tools"),
    # Help
    Spec("shortcuts", "&Keyboard shortcuts", ("Ctrl+/",), "window", "Help", "Every shortcut on one sheet"),
    Spec("about", "&About annotator", (), "window", "Help"),
)

MENU_ORDER = ("File", "Edit", "Suggestions", "Quote", "Article", "View", "Tools", "Help")


@dataclass
class Actions:
    """The window's actions by name, and the problems found while building them."""

    by_name: dict[str, QAction] = field(default_factory=dict)
    specs: dict[str, Spec] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def in_menu(self, menu: str) -> list[str]:
        return [n for n, s in self.specs.items() if s.menu == menu]

    def scope(self, scope: str) -> list[QAction]:
        return [self.by_name[n] for n, s in self.specs.items() if s.scope == scope]


def _keys(spec_keys: tuple[str, ...], configured: str | None) -> list[QKeySequence]:
    if configured is None:
        keys = list(spec_keys)
    elif ";" in configured:
        keys = [k.strip() for k in configured.split(";") if k.strip()]
    else:
        keys = [configured.strip(), *spec_keys[1:]]
    return [QKeySequence(k) for k in keys if k]


def key_text(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts())


def all_specs(config: ProjectConfig) -> list[Spec]:
    specs = list(SPECS)
    for i, label in enumerate(config.labels):
        key = label.key or (str(i + 1) if i < 9 else "")
        specs.append(Spec(f"label:{label.name}", f"{label.name}", (key,) if key else (), "doc", "Label",
                          f"Label the selection (or the entity at the caret) {label.name}"
                          + (f": {label.description}" if label.description else "")))
    for i, stance in enumerate(config.stance_labels):
        key = stance.key or f"F{i + 1}"
        specs.append(Spec(f"stance:{stance.name}", stance.name, (key,), "doc", "Stance",
                          f"Stance of the selected quote: {stance.description or stance.name} (again: clear)"))
        specs.append(Spec(f"article_stance:{stance.name}", stance.name, (f"Shift+{key}",), "doc", "Article stance",
                          f"Stance of the whole article toward “{config.target}”: {stance.name} (again: clear)"))
    return specs


def build_actions(parent: QObject, config: ProjectConfig) -> Actions:
    actions = Actions()
    seen: dict[str, str] = {}
    for spec in all_specs(config):
        action = QAction(spec.text.replace("&", "&&") if spec.name.startswith(("label:", "stance:", "article_stance:"))
                         else spec.text, parent)
        action.setObjectName(spec.name)
        keys = _keys(spec.keys, config.shortcuts.get(spec.name))
        for key in keys:
            text = key.toString()
            if text in seen and seen[text] != spec.name:
                actions.problems.append(f"shortcut {text} of {spec.name} is already used by {seen[text]}; ignored")
        keys = [k for k in keys if seen.setdefault(k.toString(), spec.name) == spec.name]
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut if spec.scope == "doc" else Qt.WindowShortcut)
        action.setCheckable(spec.checkable)
        tip = spec.tip or spec.text.replace("&", "").replace("…", "")
        shown = ", ".join(k.toString(QKeySequence.NativeText) for k in keys)
        action.setToolTip(plain_tooltip(f"{tip} ({shown})" if shown else tip))  # labels' descriptions are data
        action.setStatusTip(tip)
        actions.by_name[spec.name] = action
        actions.specs[spec.name] = spec
    group = QActionGroup(parent)
    group.addAction(actions["theme_light"])
    group.addAction(actions["theme_dark"])
    return actions


def shortcut_rows(actions: Actions) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for the shortcuts sheet and docs/gui.md."""
    rows = []
    for name, spec in actions.specs.items():
        action = actions[name]
        keys = key_text(action)
        if keys:
            rows.append((spec.menu, action.text().replace("&&", "\0").replace("&", "").replace("\0", "&"), keys))
    return rows

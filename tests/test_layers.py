"""The import rules of the package layers, read from every module's source (AST, including
imports inside functions): core <- nlp <- project <- cli / gui, and no cycles at module level."""
from __future__ import annotations

import ast
from pathlib import Path

import annotator

PACKAGE = Path(annotator.__file__).parent

FORBIDDEN = {
    "annotator.core": ("annotator.nlp", "annotator.project", "annotator.gui", "annotator.cli", "PySide6", "spacy"),
    "annotator.nlp": ("annotator.project", "annotator.gui", "annotator.cli", "PySide6"),
    "annotator.project": ("annotator.gui", "annotator.cli", "PySide6"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, *, top_level_only: bool = False, source: str | None = None) -> set[str]:
    """The absolute names a module imports (relative imports resolved); top_level_only: the
    imports run when the module is loaded (not those inside functions or classes)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source, str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = _module_level(tree.body) if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _module_level(body: list[ast.stmt]):
    """The statements run at import time: the body, and the blocks of its if/try statements."""
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)):
            yield from _module_level(stmt.body + stmt.orelse + getattr(stmt, "finalbody", []))
            for handler in getattr(stmt, "handlers", []):
                yield from _module_level(handler.body)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_each_layer_imports_only_the_layers_below_it():
    broken = []
    for name, path in modules().items():
        for layer, forbidden in FORBIDDEN.items():
            if within(name, layer):
                broken += [f"{name} imports {imp}" for imp in sorted(imports(path))
                           if any(within(imp, f) for f in forbidden)]
    assert broken == []


def test_no_import_cycles_between_modules_at_module_level():
    known = modules()
    graph = {name: {imp for imp in imports(path, top_level_only=True) if imp in known and imp != name}
             for name, path in known.items()}
    # importing a submodule runs its packages' __init__ first
    for name in list(graph):
        graph[name] = {target for target in graph[name]
                       if not within(name, target)}  # a module importing its own package is not a cycle
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_rule_reader_sees_imports_inside_functions():
    """An import inside a function body counts for the layer rules, not for cycles."""
    source = "import json\ndef f():\n    from annotator.nlp.pipeline import predict\n"
    probe = PACKAGE / "core" / "probe.py"
    assert "annotator.nlp.pipeline" in imports(probe, source=source)
    assert imports(probe, source=source, top_level_only=True) == {"json"}


def test_running_the_suggestion_pipeline_does_not_load_the_trainer():
    import subprocess
    import sys

    code = ("import sys; from annotator.nlp.pipeline import build_pipeline, predict; "
            "list(predict([{'id': 'a', 'text': 'Joko Widodo tiba di Bandung.', 'meta': {}}], build_pipeline())); "
            "import annotator.nlp.trained; "
            "assert 'annotator.nlp.train' not in sys.modules, 'the trainer was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)

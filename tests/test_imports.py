"""Who may import whom (docs/architecture.md): every import of every module under kb/ and indexer/, read with `ast`.

- the shared modules (kb.model, kb.figures_model, kb.markdown, kb.urls, kb.settings) import nothing else of kb or
  indexer;
- the engine (kb.engine.*) imports of kb only kb.engine, kb.model and kb.settings, and neither the builder (indexer)
  nor Flask (flask, flask_babel, werkzeug);
- the builder (indexer.*) imports of kb only kb.engine, kb.model, kb.figures_model and kb.markdown, and not Flask;
- the web side (every other kb module but kb.cli, which wires both sides) imports neither the builder nor what
  leads into content/ (kb.default_content_dir, kb.model.section_path, kb.model.figures_path): it reads only the
  built index;
- no import circle among kb and indexer modules (imports run when a module loads: not those inside functions or
  under `if TYPE_CHECKING:`).

Imports inside functions count for the rules. A failure names the module, the line and the rule.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("kb", "indexer")
SHARED = ("kb.model", "kb.figures_model", "kb.markdown", "kb.urls", "kb.settings")
FLASK = ("flask", "flask_babel", "werkzeug")
CONTENT_PATHS = {"kb": {"default_content_dir"}, "kb.model": {"section_path", "figures_path"}}
ENGINE_MAY_IMPORT = ("kb.engine", "kb.model", "kb.settings")
BUILDER_MAY_IMPORT = ("kb.engine", "kb.model", "kb.figures_model", "kb.markdown")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the imported module (a kb or indexer module resolved to the deepest one that exists)
    names: tuple[str, ...]  # `from target import names` (names that are not modules)
    on_load: bool  # runs when the module loads: not inside a function, not under `if TYPE_CHECKING:`


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name → file, for every module of kb/ and indexer/ (a package is its __init__.py)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = module_files()


def is_package(module: str, modules: dict[str, Path]) -> bool:
    return modules[module].name == "__init__.py"


def resolve(base: str, names: list[str], modules: dict[str, Path]) -> list[tuple[str, tuple[str, ...]]]:
    """`from base import names`: each name that is a module is an import of it; the others are names of `base`."""
    out = [(f"{base}.{name}", ()) for name in names if f"{base}.{name}" in modules]
    rest = tuple(name for name in names if f"{base}.{name}" not in modules)
    return out + ([(base, rest)] if rest else [])


def imports_in(module: str, source: str, modules: dict[str, Path]) -> list[Import]:
    """Every import statement of `module` (whose text is `source`), wherever it is."""
    found: list[Import] = []

    def visit(node: ast.AST, on_load: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(module, node.lineno, alias.name, (), on_load) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module if module in modules and is_package(module, modules) else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            for target, names in resolve(base, [alias.name for alias in node.names], modules):
                found.append(Import(module, node.lineno, target, names, on_load))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for child in ast.iter_child_nodes(node):
                visit(child, False)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, on_load)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, on_load)

    visit(ast.parse(source), True)
    return found


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def side(module: str) -> str:
    if in_package(module, "kb.engine"):
        return "engine"
    if in_package(module, "indexer"):
        return "builder"
    if module in SHARED:
        return "shared"
    if module == "kb.cli":
        return "cli"
    return "web"


def broken_rule(imp: Import) -> str | None:
    """The rule `imp` breaks, if any."""
    where, target = side(imp.module), imp.target
    ours = in_package(target, "kb") or in_package(target, "indexer")
    flask = any(in_package(target, name) for name in FLASK)
    if where == "shared" and ours and target != imp.module:
        return f"the shared modules ({', '.join(SHARED)}) import nothing else of kb or indexer"
    if where == "engine" and (flask or ours and not any(in_package(target, m) for m in ENGINE_MAY_IMPORT)):
        return (f"the engine imports nothing of kb but {', '.join(ENGINE_MAY_IMPORT)}, and neither the builder "
                "(indexer) nor Flask")
    if where == "builder" and (flask or in_package(target, "kb") and
                               not any(in_package(target, m) for m in BUILDER_MAY_IMPORT)):
        return f"the builder (indexer) imports nothing of kb but {', '.join(BUILDER_MAY_IMPORT)}, and not Flask"
    if where == "web" and in_package(target, "indexer"):
        return "the web side does not import the builder (indexer): it reads only the built index"
    if where == "web" and set(imp.names) & CONTENT_PATHS.get(target, set()):
        names = ", ".join(f"{target}.{name}" for name in sorted(set(imp.names) & CONTENT_PATHS[target]))
        return f"the web side does not open content/ ({names}): it reads only the built index"
    return None


def violations(module: str, source: str, modules: dict[str, Path]) -> list[str]:
    path = modules[module].relative_to(ROOT) if module in modules else module
    out = []
    for imp in imports_in(module, source, modules):
        rule = broken_rule(imp)
        if rule:
            what = imp.target + (f" ({', '.join(imp.names)})" if imp.names else "")
            out.append(f"{path}:{imp.line}: {module} imports {what}: {rule}")
    return out


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module → {module it imports on load: line}, among kb and indexer modules."""
    graph: dict[str, dict[str, int]] = {module: {} for module in modules}
    for module, path in modules.items():
        for imp in imports_in(module, path.read_text(encoding="utf-8"), modules):
            if imp.on_load and imp.target in modules and imp.target != module:
                graph[module].setdefault(imp.target, imp.line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One circle (first module repeated at the end) per group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [circle_in(group, graph) for group in groups]


def circle_in(group: list[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """A shortest circle through the first module of `group`, by breadth-first search inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node]):
            if nxt == start:
                return [*paths[node], start]
            if nxt in members and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no circle in {group}")


def describe(circle: list[str], graph: dict[str, dict[str, int]], modules: dict[str, Path]) -> str:
    steps = [f"{modules[a].relative_to(ROOT)}:{graph[a][b]}: {a} imports {b}"
             for a, b in zip(circle, circle[1:], strict=False)]
    return "import circle " + " -> ".join(circle) + "\n  " + "\n  ".join(steps)


# ------------------------------------------------------------------------------------------------ the rules


@pytest.mark.parametrize("module", list(MODULES))
def test_no_forbidden_import(module: str) -> None:
    found = violations(module, MODULES[module].read_text(encoding="utf-8"), MODULES)
    assert not found, "\n".join(found)


def test_no_import_circle() -> None:
    graph = import_graph(MODULES)
    found = cycles(graph)
    assert not found, "\n".join(describe(circle, graph, MODULES) for circle in found)


# ------------------------------------------------------------------------------------------------ the reader itself


def test_imports_are_read_everywhere_and_resolved_to_modules() -> None:
    source = """from __future__ import annotations
import flask
from typing import TYPE_CHECKING
from . import schema, nosuchname
from ..model import section_path
if TYPE_CHECKING:
    from indexer.figures import Figures
def f():
    import werkzeug.datastructures
"""
    found = [(imp.line, imp.target, imp.names, imp.on_load) for imp in imports_in("kb.engine.vectors", source, MODULES)]
    assert found == [
        (1, "__future__", ("annotations",), True),
        (2, "flask", (), True),
        (3, "typing", ("TYPE_CHECKING",), True),
        (4, "kb.engine.schema", (), True),
        (4, "kb.engine", ("nosuchname",), True),
        (5, "kb.model", ("section_path",), True),
        (7, "indexer.figures", ("Figures",), False),
        (9, "werkzeug.datastructures", (), False),
    ]


@pytest.mark.parametrize(("module", "source", "rule"), [
    ("kb.engine.vectors", "def f():\n    from werkzeug import exceptions\n", "2: kb.engine.vectors imports werkzeug"),
    ("kb.engine.vectors", "import indexer.build\n", "1: kb.engine.vectors imports indexer.build: the engine"),
    ("kb.views.api", "from indexer import figures\n", "1: kb.views.api imports indexer.figures: the web side"),
    ("kb.search", "\n\nfrom kb.model import SECTIONS, figures_path\n",
     "3: kb.search imports kb.model (SECTIONS, figures_path): the web side does not open content/ "
     "(kb.model.figures_path)"),
    ("kb.terminal", "from kb import default_content_dir\n", "1: kb.terminal imports kb (default_content_dir): the web"),
    ("kb.urls", "import indexer\n", "1: kb.urls imports indexer: the shared modules"),
    ("kb.model", "from kb.search import SearchService\n",
     "1: kb.model imports kb.search (SearchService): the shared modules"),
    ("kb.engine.vectors", "from kb.labels import Labels\n",
     "1: kb.engine.vectors imports kb.labels (Labels): the engine"),
    ("indexer.build", "import flask\n", "1: indexer.build imports flask: the builder"),
    ("indexer.check", "from kb import create_app\n", "1: indexer.check imports kb (create_app): the builder"),
    ("indexer.check", "from kb.search import SearchService\n", "1: indexer.check imports kb.search"),
])
def test_a_forbidden_import_names_the_module_the_line_and_the_rule(module: str, source: str, rule: str) -> None:
    found = violations(module, source, MODULES)
    assert len(found) == 1 and rule in found[0] and str(MODULES[module].relative_to(ROOT)) in found[0], found


@pytest.mark.parametrize(("module", "source"), [
    ("kb.engine.vectors", "from kb.model import SECTIONS\nimport numpy\n"),
    ("kb.views.api", "from kb.engine import schema\nfrom kb.model import SECTIONS\nimport flask\n"),
    ("kb.cli", "from indexer.build import run_build\nfrom kb import create_app, default_content_dir\n"),
    ("indexer.site", "from kb.figures_model import Figures\nfrom kb.engine.site import write_site\n"),
    ("indexer.check", "from kb.engine.schema import fold\nfrom kb.markdown import markdown_parser\n"),
])
def test_allowed_imports_pass(module: str, source: str) -> None:
    assert violations(module, source, MODULES) == []


def test_a_circle_is_found_and_reported_with_its_lines() -> None:
    graph = {"kb.a": {"kb.b": 3}, "kb.b": {"kb.c": 5}, "kb.c": {"kb.a": 7, "kb.d": 8}, "kb.d": {}}
    assert cycles(graph) == [["kb.a", "kb.b", "kb.c", "kb.a"]]
    assert cycles({"kb.a": {"kb.b": 1}, "kb.b": {}}) == []

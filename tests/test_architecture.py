"""The package's layers, computed from the source (ast): no import cycle between packages, no
import against the layers, and few function-local imports, each with its reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import studiofund

ROOT = Path(studiofund.__file__).parent
#: policy → ledger → checks → budget/reports → booking/importers → web → cli (docs/architecture.md);
#: money and files (atomic writes, fingerprints) are used by all and use nothing; the plugin sits
#: with the checks it runs; the package's own ``__init__`` (imported by every module of it) uses
#: nothing of ours.
LAYERS = {
    "__init__": 0, "money": 0, "files": 0, "policy": 1, "ledger": 2, "checks": 3, "plugin": 3, "budget": 4, "reports": 4,
    "booking": 5, "importers": 5, "web": 6, "cli": 7, "__main__": 8,
}
MAX_LOCAL_IMPORTS = 15


class Import:
    def __init__(self, path: Path, node: ast.stmt, targets: list[str], local: bool, typing_only: bool):
        self.path, self.node, self.targets, self.local, self.typing_only = path, node, targets, local, typing_only

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT.parent)}:{self.node.lineno}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """The imports of studiofund modules in one file (absolute module names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        targets = [t for t in targets if t == "studiofund" or t.startswith("studiofund.")]
        if not targets:
            continue
        local = typing_only = False
        up = node
        while up in parents:
            up = parents[up]
            if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)):
                local = True
            if isinstance(up, ast.If) and "TYPE_CHECKING" in ast.unparse(up.test):
                typing_only = True
        found.append(Import(path, node, targets, local, typing_only))
    return found


def all_imports() -> list[Import]:
    return [i for path in sorted(ROOT.rglob("*.py")) for i in imports_of(path)]


def part(module: str) -> str | None:
    """The layer part of a module name: ``studiofund.ledger.loading`` → ``ledger``; the package
    itself (``studiofund``) → ``__init__``."""
    pieces = module.split(".")
    if len(pieces) < 2:
        return "__init__" if module == "studiofund" else None
    first = pieces[1]
    return first if (ROOT / first).is_dir() or (ROOT / f"{first}.py").is_file() else None


def package_graph(*, typing: bool = False) -> dict[str, set[str]]:
    """Which package imports which; imports under ``if TYPE_CHECKING:`` only with ``typing``
    (they do not run, so they make no cycle, but a lower layer naming an upper one is still
    against the layers)."""
    graph: dict[str, set[str]] = {}
    for imp in all_imports():
        if imp.typing_only and not typing:
            continue
        source = part(module_name(imp.path))
        for target in imp.targets:
            dest = part(target)
            if source and dest and dest != source:
                graph.setdefault(source, set()).add(dest)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_packages():
    assert cycles(package_graph()) == []


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_package_has_a_layer():
    parts = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    parts |= {p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"}
    assert parts <= set(LAYERS), parts - set(LAYERS)


def test_no_import_against_the_layers():
    wrong = [
        f"{source} → {dest}"
        for source, dests in package_graph(typing=True).items() for dest in dests
        if LAYERS[dest] > LAYERS[source]
    ]
    assert wrong == []


#: a measured figure in a comment: seconds, milliseconds, instructions (callgrind) or a share
MEASURED = re.compile(r"\d(?:[.,]\d+)?\s*(?:s|ms|G|M|%)(?![A-Za-z])")


def reason_of(lines: list[str], lineno: int) -> str:
    """The comment of the import at ``lineno`` (1-based): on its line, and the comment lines
    right above it; lint pragmas (``# noqa``, ``# type:``) are no reason."""
    def comment(line: str) -> str:
        text = line.partition("#")[2].strip() if "#" in line else ""
        return "" if text.startswith(("noqa", "type:", "pragma")) else text

    found = [comment(lines[lineno - 1])]
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        found.append(comment(lines[i]))
        i -= 1
    return " ".join(t for t in found if t)


def test_few_function_local_imports_each_with_its_measured_reason():
    local = [i for i in all_imports() if i.local]
    assert len(local) <= MAX_LOCAL_IMPORTS, "\n".join(i.where for i in local)
    lines = {}
    for imp in local:
        text = lines.setdefault(imp.path, imp.path.read_text(encoding="utf-8").split("\n"))
        assert MEASURED.search(reason_of(text, imp.node.lineno)), (
            f"{imp.where}: a function-local import says why, with the start-up time it saves")


def test_a_reason_needs_a_figure_and_a_pragma_is_none():
    assert reason_of(["def f():", "    from x import y  # noqa: F401"], 2) == ""
    assert not MEASURED.search(reason_of(["    # only xlsx needs it", "    from x import y"], 2))
    assert MEASURED.search(reason_of(["    # openpyxl: 0.34 s of imports", "    # only xlsx", "    import y"], 3))


def test_imports_are_read_from_relative_and_absolute_forms():
    found = {i.where.split(":")[0]: i for i in all_imports() if i.path.name == "loading.py"}
    targets = {t for i in all_imports() if i.path == ROOT / "ledger" / "loading.py" for t in i.targets}
    assert "studiofund.ledger.findings" in targets and "studiofund.policy" in targets
    assert found

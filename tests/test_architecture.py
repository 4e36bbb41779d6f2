"""The layer rules of docs/architecture.md, checked on the source so a change that breaks them
fails the build: cco (ground) ← metrics ← roadmap ← accountability ← overview (roof)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ["cco", "metrics", "roadmap", "accountability", "overview"]
# The project shell wires every app together; these cco modules may name the apps above.
SHELL = {"cco/urls.py", "cco/api_urls.py", "cco/schedule.py", "cco/celery.py", "cco/settings.py"}
LONGEST_MODULE = 500


def source_files() -> list[Path]:
    return sorted(
        path
        for floor in FLOORS
        for path in (ROOT / floor).rglob("*.py")
        if "migrations" not in path.parts
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Absolute module names this file imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                # `from package import module` depends on that module; any other name is
                # taken from the module `node.module` itself.
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if is_module(submodule) else node.module)
    return names


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", source_files(), ids=relative)
def test_an_app_imports_only_from_the_floors_below_it(path):
    floor = FLOORS.index(relative(path).split("/")[0])
    if relative(path) in SHELL:
        return
    above = {f for f in FLOORS[floor + 1 :]}
    upward = sorted(name for name in imported_modules(path) if name.split(".")[0] in above)
    assert not upward, f"{relative(path)} imports from a floor above it: {upward}"


@pytest.mark.parametrize(
    "path", [p for p in source_files() if relative(p).startswith("overview/")], ids=relative
)
def test_the_overview_reads_other_apps_only_through_their_selectors(path):
    reached = sorted(
        name
        for name in imported_modules(path)
        if name.split(".")[0] in {"metrics", "roadmap", "accountability"}
        and ".models" in f"{name}."
    )
    assert not reached, f"{relative(path)} reads another app's models: {reached}"


def scripts() -> list[Path]:
    """The bench and CI scripts: outside the layers, but held to the same length."""
    return sorted([*(ROOT / "bench").glob("*.py"), *(ROOT / ".ci").glob("*.py")])


@pytest.mark.parametrize("path", [*source_files(), *scripts()], ids=relative)
def test_no_module_is_longer_than_five_hundred_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST_MODULE, f"{relative(path)} has {lines} lines"


def test_no_import_cycle_between_the_files_of_the_product():
    """Imports inside functions count too: deferring an import hides a cycle, it does not
    remove the two-way dependency."""
    modules = {module_name(path): path for path in source_files()}
    graph = {
        name: {target for target in imported_modules(path) if target in modules and target != name}
        for name, path in modules.items()
    }
    cycles = strongly_connected_components(graph)
    assert not cycles, f"import cycles: {cycles}"


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; returns the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected_components({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]

"""The accountability app's files import each other without a cycle.

Every import counts, also one inside a function: tasks import the services, and the services
queue tasks by name (`cco.queue.enqueue_on_commit("accountability.tasks.…")`).
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "accountability"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    files = {
        _module_name(path): path
        for path in APP.rglob("*.py")
        if "migrations" not in path.relative_to(APP).parts
    }
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from package import module` imports the module itself.
                targets = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in files
                    else node.module
                    for alias in node.names
                ]
            else:
                continue
            graph[name].update(target for target in targets if target in files)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def test_the_graph_sees_the_services_and_the_tasks():
    graph = _import_graph()

    assert "accountability.services" in graph["accountability.tasks"]
    assert "accountability.services.versioned" in graph["accountability.services.actions"]


def test_no_file_of_the_accountability_app_imports_itself_through_others():
    assert _cycles(_import_graph()) == []

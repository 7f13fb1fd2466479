"""The shape of the code, read from its imports: stages in order, no circles, no private names
across modules, small modules (docs/architecture.md has the picture).

Every import counts, those inside functions too; only imports for type annotations
(``if TYPE_CHECKING:``) are left out, since they never run.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "directive_dsl"

#: The pipeline's stages in the order the data flows, each with the modules (or packages,
#: by prefix) that make it. A module may import its own stage and earlier ones, never later.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("version", "errors", "source", "periods", "units", "i18n", "disk_cache",
                    "aggregates", "comparison", "run_progress", "data.options")),
    ("parse", ("nodes", "builder", "parser")),
    ("check", ("check", "model", "conditions")),
    # What stages hand each other: the engine interface (requests, answers, tables) and the
    # outcomes; with the data readers the engines and binding share.
    ("contracts", ("plan", "report", "provenance", "data")),
    ("bind", ("bind", "asof", "run_options", "row_units")),
    ("plan", ("planner", "rule_points", "rule_requests", "rule_values", "rule_groups", "timing",
              "partial", "plan_tables")),
    ("execute", ("engines",)),
    ("judge", ("judge", "verdicts", "waivers", "progress")),
    ("report", ("report_build", "report_frames", "wording", "rule_words", "run_words", "reasons",
                "formats", "plan_text")),
    ("front", ("api", "evaluate", "cli", "cli_data", "commands", "watch", "testfiles", "init",
               "explain", "config", "lsp", "fmt", "highlight", "progress_bar", "__main__", "")),
)

#: Imports against the flow, each a convenience a reader asks for, never run by the stages:
#: a report renders itself on request (an outcome's sentence, a notebook's table, a frame).
ON_REQUEST = {
    ("report", "wording"): "Outcome.message: the sentence, in the current language",
    ("report", "formats.html"): "Report._repr_html_: the report in a notebook",
    ("report", "report_frames"): "Report.to_pandas/to_polars/to_arrow",
}

MAX_LINES = 600


@cache
def modules() -> dict[str, Path]:
    """Every module by its name inside the package (``engines.sql``; ``""`` the package)."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _runtime_nodes(body: list[ast.stmt]) -> list[ast.AST]:
    """Every node that runs: all of them but the bodies of ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found += [n for stmt in node.orelse for n in ast.walk(stmt)]
            continue
        found += ast.walk(node)
    return found


@cache
def imports() -> dict[str, set[tuple[str, str]]]:
    """Each module's imports of the package's modules: (module, name imported from it)."""
    names = modules()
    found: dict[str, set[tuple[str, str]]] = {}
    for name, path in names.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        if name == "":
            package = []
        edges: set[tuple[str, str]] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                    target = ".".join([*base, *([node.module] if node.module else [])])
                elif node.module and node.module.startswith("directive_dsl"):
                    target = node.module.removeprefix("directive_dsl").lstrip(".")
                else:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}".lstrip(".")
                    edges.add((sub, "") if sub in names else (target, alias.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("directive_dsl"):
                        edges.add((alias.name.removeprefix("directive_dsl").lstrip("."), ""))
        found[name] = {(target, what) for target, what in edges if target in names and target != name}
    return found


def stage_of(module: str) -> int:
    best = None
    for rank, (_, members) in enumerate(STAGES):
        for member in members:
            if member == "" and module != "":
                continue
            inside = module == member or module.startswith(member + ".")
            if inside and (best is None or len(member) > best[1]):
                best = (rank, len(member))
    assert best is not None, f"module `{module}` belongs to no stage: add it to STAGES"
    return best[0]


def test_every_module_has_a_stage() -> None:
    for module in modules():
        stage_of(module)


def test_data_flows_down_the_stages() -> None:
    wrong = []
    for module, edges in imports().items():
        for target, _ in edges:
            if stage_of(target) > stage_of(module) and (module, target) not in ON_REQUEST:
                wrong.append(f"{module} ({STAGES[stage_of(module)][0]}) imports {target} "
                             f"({STAGES[stage_of(target)][0]})")
    assert wrong == []


def test_no_import_circles() -> None:
    graph = {module: {target for target, _ in edges} for module, edges in imports().items()}
    graph[""] = set()  # the package only re-exports the API; every module may import through it
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert circles == []


def test_no_private_name_is_imported_across_modules() -> None:
    wrong = [f"{module} imports {what} from {target}"
             for module, edges in imports().items() for target, what in edges
             if what.startswith("_") and not what.startswith("__") and what != "_"]
    assert wrong == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_modules_stay_small(module: str) -> None:
    lines = modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it along its seams"


def test_the_rules_catch_what_they_look_for() -> None:
    """The checks see an import inside a function, and skip one for types only."""
    tree = ast.parse("def f():\n    from . import x\nif TYPE_CHECKING:\n    from . import y\n")
    seen = [node for node in _runtime_nodes(tree.body) if isinstance(node, ast.ImportFrom)]
    assert [alias.name for node in seen for alias in node.names] == ["x"]
    assert stage_of("engines.sql") > stage_of("planner") > stage_of("check.exprs")

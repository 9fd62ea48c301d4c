"""The architecture of ``articles``: which modules may import which.

Every ``articles`` module (not migrations) is read with ``ast``; nothing is imported. Each
``import`` / ``from ... import`` statement naming an ``articles`` module is an edge, wherever it
stands (module level, inside a function, inside ``try``), except under ``if TYPE_CHECKING:``,
which never runs. Two rules are checked on that graph:

- no import cycles between distinct modules;
- layers: a module imports its own layer or a lower one, never a higher one (``LAYERS``).

Names: ``articles/x/__init__.py`` is the module ``articles.x``. ``from articles.x import y``
is an edge to ``articles.x.y`` when ``y`` is a submodule of the package ``articles.x``,
otherwise an edge to ``articles.x`` (a name defined in its ``__init__``).

Package ``__init__`` edges count like any other. A package's ``__init__`` importing its own
submodules is normal, and so is a submodule importing a sibling; but a submodule importing its
own package's ``__init__`` (``articles.x.sub -> articles.x``) while that ``__init__`` imports
``articles.x.sub`` is a real cycle: whichever is imported first sees the other half-initialised.
So such edges are not exempted.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "articles"

# Top to bottom. A module belongs to the first layer with a matching prefix; a prefix matches
# the module itself and everything under it (``articles.admin`` covers ``articles.admin.forms``).
# A module may import modules in its own layer or in layers below it, never above.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "interface",  # what Django, HTTP and the command line reach: nothing below imports these
        [
            "articles.admin",
            "articles.management",
            "articles.views",
            "articles.feeds",
            "articles.feed_urls",
            "articles.urls",
            "articles.templatetags",
            "articles.sitemaps",
            "articles.context_processors",
            "articles.middleware",
            "articles.samples",
            "articles.apps",
            # The login backend and its failure receiver: named by settings and registered by
            # apps; imports no articles module and no operation uses it.
            "articles.auth",
        ],
    ),
    (
        "operations",  # change stored content: import, editorial actions, image work
        [
            "articles.importer",
            "articles.editorial",
            "articles.images",
        ],
    ),
    (
        "derivation",  # read models and derive what pages, feeds and search show
        [
            "articles.rendering",
            "articles.pictures",  # picture dicts beside the renderer (being moved here)
            "articles.mentions",
            "articles.search",  # does not exist yet
            # The page/query helpers below import models (article_page also seo and mentions)
            # and are not models, so this is the lowest layer they fit; operations import seo
            # and caching, so those two could sit no higher anyway.
            "articles.listing",  # list-page queries over models; used only by views.lists
            "articles.visible",  # which taxonomy readers may see: models + mentions
            "articles.article_page",  # an article page's context: models + seo + mentions
            "articles.seo",  # pure functions over loaded models; editorial and images use it
            "articles.caching",  # content version over models; editorial.runner bumps it
            "articles.versioned",  # per-process memo keyed by the content version: no imports
        ],
    ),
    (
        "models",
        [
            "articles.models",
        ],
    ),
    (
        "pure",  # no Django models, no database: parsing, cleaning, naming
        [
            "articles.ingest",
            "articles.sanitizer",
            "articles.slugs",
        ],
    ),
]

# The package's own ``__init__`` sits outside the layers: it must import no articles module.
UNLAYERED = {"articles"}


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    """The layer's height (len(LAYERS) at the top, 1 at the bottom), or None if unassigned."""
    for index, (_, prefixes) in enumerate(LAYERS):
        if any(_matches(module, prefix) for prefix in prefixes):
            return len(LAYERS) - index
    return None


def layer_name(height: int) -> str:
    return LAYERS[len(LAYERS) - height][0]


# --- the analyzer -------------------------------------------------------------------------------


def _module_files() -> dict[str, Path]:
    """Module name -> file, for every module under articles/ except migrations and tests."""
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts or "tests" in parts or parts[-1].startswith("test"):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST):
    """Every Import / ImportFrom under node, skipping the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes_of(other)
            continue
        yield from _import_nodes_of(child)


def _import_nodes_of(node: ast.AST):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _import_nodes(node)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules
) -> list[str]:
    """The modules one import statement imports, as dotted names.

    A name that is no file here (a module not written yet) stays as written, so its layer is
    still checked.
    """
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        # Relative: level 1 is the current package (the module itself if it is a package).
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    # ``from p import y`` imports the submodule p.y when there is one, else a name from p.
    return [
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
        for alias in node.names
    ]


def import_graph() -> dict[str, dict[str, list[str]]]:
    """Module -> {imported module -> ["articles/x.py:LINE", ...]} for edges within articles."""
    modules = _module_files()
    graph: dict[str, dict[str, list[str]]] = {}
    for module, path in modules.items():
        edges: dict[str, list[str]] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        where = path.relative_to(ROOT).as_posix()
        for node in _import_nodes(tree):
            for target in _targets(node, module, is_package, modules):
                place = f"{where}:{node.lineno}"
                if _matches(target, PACKAGE) and target != module:
                    lines = edges.setdefault(target, [])
                    if place not in lines:
                        lines.append(place)
        graph[module] = edges
    return graph


def find_cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Each strongly connected component of more than one module, as one cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, {})):
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
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, component) for component in sorted(components)]


def _cycle_in(graph: dict[str, dict[str, list[str]]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, staying inside the component."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                return [*paths[node], start]
            if target in members and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {start} in {component}")  # pragma: no cover


# --- the tests -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def _show(graph, source: str, target: str) -> str:
    return f"{source} -> {target} ({', '.join(graph[source][target])})"


def test_analyzer_sees_known_edges(graph):
    # Real edges of different kinds, so the rules below cannot pass on an empty graph.
    expected = [
        ("articles.importer.store", "articles.models"),  # ``from articles.models import``
        ("articles.editorial.runner", "articles.caching"),  # operations -> derivation
        ("articles.rendering", "articles.ingest.body"),  # ``from articles.ingest.body import``
        ("articles.models", "articles.models.content"),  # a package __init__ and its submodule
        # ``from articles import auth`` inside AppConfig.ready(): a submodule, in a function
        ("articles.apps", "articles.auth"),
    ]
    missing = [f"{a} -> {b}" for a, b in expected if b not in graph.get(a, {})]
    assert not missing, f"the analyzer missed: {missing}"
    assert len(graph) > 50 and sum(map(len, graph.values())) > 100


def test_resolving_relative_and_submodule_imports():
    modules = {name: Path() for name in ["articles", "articles.x", "articles.x.y", "articles.z"]}
    tree = ast.parse(
        "from . import y\nfrom .y import f\nfrom .. import z\nfrom articles.x import g"
    )
    resolved = [
        target
        for node in _import_nodes(tree)
        for target in _targets(node, "articles.x.w", False, modules)
    ]
    assert resolved == ["articles.x.y", "articles.x.y", "articles.z", "articles.x"]
    guarded = ast.parse(
        "if TYPE_CHECKING:\n    import a\nelse:\n    import b\ndef f():\n    import c"
    )
    assert [n.names[0].name for n in _import_nodes(guarded)] == ["b", "c"]


def test_no_import_cycles(graph):
    cycles = find_cycles(graph)
    shown = [
        " -> ".join(cycle)
        + "\n      "
        + "\n      ".join(_show(graph, a, b) for a, b in zip(cycle, cycle[1:], strict=False))
        for cycle in cycles
    ]
    assert not cycles, "import cycles:\n  " + "\n  ".join(shown)


def test_every_module_has_a_layer(graph):
    unassigned = [m for m in sorted(graph) if m not in UNLAYERED and layer_of(m) is None]
    assert not unassigned, "\n".join(
        f"assign {module} to a layer in LAYERS (tests/test_layers.py)" for module in unassigned
    )


def test_no_module_imports_a_higher_layer(graph):
    violations = []
    for source in sorted(graph):
        for target in sorted(graph[source]):
            if source in UNLAYERED or target in UNLAYERED:
                if source in UNLAYERED:
                    violations.append(f"{_show(graph, source, target)}: {source} imports nothing")
                continue
            low, high = layer_of(source), layer_of(target)
            if low is not None and high is not None and high > low:
                violations.append(
                    f"{_show(graph, source, target)}: "
                    f"{layer_name(low)} (layer {low}) imports {layer_name(high)} (layer {high})"
                )
    assert not violations, "imports of a higher layer:\n  " + "\n  ".join(violations)

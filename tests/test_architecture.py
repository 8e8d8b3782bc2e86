"""The packages import one way (docs/design.md "Layers"), and no module is part of a cycle.

Every ``import`` statement of the package is read from the source, those inside functions
included (a lazy import is still a dependency), and resolved to the module it names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import empathy_gym

PACKAGE = Path(empathy_gym.__file__).parent

LAYERS = (
    ("empathy_gym.errors", "empathy_gym.extras", "empathy_gym.stats"),
    ("empathy_gym.envs.core",),
    ("empathy_gym.envs.scenarios",),
    ("empathy_gym.render",),
    ("empathy_gym.envs",),
    ("empathy_gym",),
    ("empathy_gym.agents",),
    ("empathy_gym.rollout",),
    ("empathy_gym.train",),
    ("empathy_gym.analysis",),
    ("empathy_gym.experiment",),
    ("empathy_gym.ui",),
    ("empathy_gym.cli",),
    ("empathy_gym.__main__",),
)
"""Bottom to top. A module may import its own unit and units of lower layers only. The
leaves import nothing of the package; ``empathy_gym`` itself (its ``__init__``, which
registers the envs) is the unit of that one module, not of the whole package."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def unit_of(module: str) -> str:
    """The most specific unit of LAYERS that holds ``module``."""
    units = [u for layer in LAYERS for u in layer]
    holding = [
        u for u in units if module == u or (u != "empathy_gym" and module.startswith(u + "."))
    ]
    assert holding, f"{module} is in no layer of LAYERS: add its package there"
    return max(holding, key=len)


def rank(unit: str) -> int:
    return next(k for k, layer in enumerate(LAYERS) if unit in layer)


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        found |= {n for n in names if n in MODULES and n != module}
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_is_in_a_layer():
    for module in MODULES:
        unit_of(module)


def test_imports_run_downward_only():
    upward = []
    for module, targets in GRAPH.items():
        mine = unit_of(module)
        for target in targets:
            theirs = unit_of(target)
            if theirs != mine and rank(theirs) >= rank(mine):
                upward.append(f"{module} -> {target}")
    assert not upward, "imports that run upward or sideways:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    """Tarjan's strongly connected components: any of more than one module is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_the_checker_sees_lazy_imports():
    """A function-level import counts: the probe command loads its activations lazily."""
    assert "empathy_gym.analysis.activations" in GRAPH["empathy_gym.analysis.probe"]
    assert "empathy_gym.train.learner" in GRAPH["empathy_gym.train.runs"]

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


def units_holding(module: str) -> list[str]:
    """The units of LAYERS that hold ``module``: itself, or a package above it."""
    units = [u for layer in LAYERS for u in layer]
    return [u for u in units if module == u or (u != "empathy_gym" and module.startswith(u + "."))]


def unit_of(module: str) -> str:
    """The most specific unit of LAYERS that holds ``module``."""
    holding = units_holding(module)
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
    homeless = [module for module in MODULES if not units_holding(module)]
    assert not homeless, f"modules in no layer of LAYERS: {homeless}; add their packages there"
    assert not units_holding("empathy_gym_elsewhere.module")  # the check can say no


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


TORCH_FREE = ("empathy_gym.envs", "empathy_gym.render", "empathy_gym.agents", "empathy_gym.rollout")
"""Everything below training runs without the learning stack."""


def test_nothing_below_training_imports_torch():
    """Neither an import nor ``require("torch...")``, anywhere in their source."""
    found = []
    for module, path in MODULES.items():
        if not module.startswith(TORCH_FREE):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "require":
                names = [a.value for a in node.args if isinstance(a, ast.Constant)]
            found += [f"{module}: {n}" for n in names if n.split(".")[0] == "torch"]
    assert not found, found


def test_the_checker_sees_lazy_imports():
    """A function-level import counts: the probe command loads its activations lazily."""
    assert "empathy_gym.analysis.activations" in GRAPH["empathy_gym.analysis.probe"]
    assert "empathy_gym.train.learner" in GRAPH["empathy_gym.train.runs"]


SHARED_SCRIPTS = {"random", "nothing", "selfish", "prosocial"}
MECHANICS = {"carried", "carry", "coin", "coins", "lever", "trolley", "shelf", "customer"}
"""Words of the scenarios' mechanics beyond what their declarations name."""
OUTSIDE = ("empathy_gym/envs/scenarios/", "empathy_gym/experiment/presets.py")
"""Where naming a scenario is the point: the scenario modules, and the presets (configuration)."""
MAX_NAMED = 3


def scenario_vocabulary() -> set[str]:
    """Every scenario's name, pumps, own scripts and own state, and the mechanics' words."""
    from empathy_gym.envs.scenarios import SCENARIOS

    words = set(MECHANICS)
    for name, cls in SCENARIOS.items():
        words |= {name, *cls.pump_names(), *cls.State._fields}
        words |= set(cls.policy_names()) - SHARED_SCRIPTS
    return words


def code_tokens(source: str):
    """(line, text) of every identifier and string constant that is not a docstring."""
    import io
    import tokenize

    docstrings = {  # a bare string statement: a docstring, or an attribute's after it
        (stmt.lineno, stmt.col_offset)
        for node in ast.walk(ast.parse(source))
        if isinstance(getattr(node, "body", None), list)
        for stmt in node.body
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    }
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME or (
            token.type == tokenize.STRING and token.start not in docstrings
        ):
            yield token.start[0], token.string


def test_shared_code_names_no_scenario_and_no_mechanic():
    """Shared code reads the scenarios' declarations instead: outside the scenario modules
    and the presets, at most MAX_NAMED identifiers or strings name one (comments and
    docstrings do not count)."""
    import re

    vocabulary = scenario_vocabulary()
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(PACKAGE.parent))
        if where.startswith(OUTSIDE):
            continue
        for line, text in code_tokens(path.read_text()):
            lowered = text.lower()
            words = set(re.findall(r"[a-z]+", lowered)) | set(re.findall(r"[a-z_]+", lowered))
            if words & vocabulary:
                hits.append(f"{where}:{line}: {text[:60]} {sorted(words & vocabulary)}")
    print(f"\n{len(hits)} named outside the scenario modules and presets:", *hits, sep="\n")
    assert len(hits) <= MAX_NAMED, "\n".join(hits)


def test_the_vocabulary_catches_what_it_should():
    """A control: the check would see a scenario named in code, and ignores docstrings."""
    vocabulary = scenario_vocabulary()
    assert {"fetch", "comfort", "dilemma", "escape_easy", "avoider", "worried"} <= vocabulary
    source = 'def f():\n    """comfort in a docstring"""\n    return SCENARIOS["comfort"]\n'
    assert [text for _, text in code_tokens(source) if "comfort" in text] == ['"comfort"']


def documented_layers(path: Path) -> list[tuple[str, ...]]:
    """The layer diagram of a document (the text block after its ``<!-- layers`` comment),
    bottom to top: each line's first column names its units."""
    text = path.read_text()
    block = text[text.index("<!-- layers") :].split("```text\n", 1)[1].split("```", 1)[0]
    layers = []
    for line in block.splitlines():
        if line and not line.startswith(" "):
            names = line.split("  ", 1)[0].split(", ")
            layers.append(tuple(n if n == "empathy_gym" else f"empathy_gym.{n}" for n in names))
    return layers[::-1]


def test_the_documented_layers_are_the_enforced_ones():
    root = PACKAGE.parent
    for document in (root / "README.md", root / "docs" / "design.md"):
        assert documented_layers(document) == [tuple(layer) for layer in LAYERS], document

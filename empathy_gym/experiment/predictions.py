"""The five predictions of DESIGN.md, judged on a comparison's seed-level results.

Each prediction is a set of directional tests of paired, seed-level differences (95%
bootstrap-t intervals over seeds, ``stats.py``) on the training population at the report's
lambda. The p-values of every test of every prediction form one family, Holm-adjusted. A
test *holds* when its adjusted p-value is below 0.05 and its interval lies on the predicted
side; it *fails* when its interval lies entirely on the other side. A prediction, per
scenario, is:

* **confirmed** when every test holds;
* **refuted** when a test fails;
* **inconclusive** otherwise;
* **untestable (why)** when the instrument cannot test it there (the scenario lacks what
  it is about), when a cell it needs did not converge (competence below 0.9 of the best
  scripted return under its own reward), or when the comparison did not run the cells.

Differences between scenarios (P4) pair seeds by number: the runs are independent, and
pairing independent runs by index keeps a valid test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from empathy_gym.experiment.results import Table
from empathy_gym.stats import Interval, holm, paired_interval

ALPHA = 0.05
INTACT = ("cirl", "contagion-proximity", "contagion-global")
INFERENCE_SCENARIOS = ("fetch", "comfort")
"""Where goals or feelings must be inferred over time (the instrument's inference check)."""
NO_INFERENCE_SCENARIOS = ("dilemma",)


@dataclass
class Test:
    """A predicted difference: its sign (+1, -1), or 0 for "no detectable difference"."""

    label: str
    interval: Interval
    sign: int
    adjusted_p: float = 1.0

    @property
    def directional(self) -> bool:
        return self.sign != 0

    @property
    def holds(self) -> bool:
        if not self.directional:
            return self.interval.side == 0
        return self.adjusted_p < ALPHA and self.interval.side == self.sign

    @property
    def fails(self) -> bool:
        if not self.directional:
            return self.interval.side != 0
        return self.interval.side == -self.sign

    def text(self) -> str:
        mark = "holds" if self.holds else "fails" if self.fails else "open"
        p = f"p_Holm {self.adjusted_p:.3f}" if self.directional else "equivalence"
        return f"{self.label} = {self.interval} ({p}, {mark})"


@dataclass
class Claim:
    prediction: str
    scope: str  # a scenario, or "all"
    tests: list[Test] = field(default_factory=list)
    untestable: str = ""

    @property
    def verdict(self) -> str:
        if self.untestable:
            return f"untestable ({self.untestable})"
        if any(t.fails for t in self.tests):
            return "refuted"
        if self.tests and all(t.holds for t in self.tests):
            return "confirmed"
        return "inconclusive"


PREDICTIONS = {
    "P1": "`ppo` gets the most task reward, the lowest welfare and the most harm (against "
    "each intact empathic cell).",
    "P2": "Intact `cirl` and `contagion` raise welfare and cut harm (against `ppo`), tracing a "
    "frontier that dominates `ppo`'s point.",
    "P3": "The affective lesion (belief inputs, no other-regarding term) falls back to "
    "`ppo`'s welfare: below each intact cell's, and no detectable difference from `ppo`'s. "
    "What it still infers is measured from its activations (`empathy-gym probe`).",
    "P4": "The cognitive lesion costs most welfare where goals and feelings must be inferred "
    "over time (fetch, comfort) and least where they need not (dilemma).",
    "P5": "In comfort's easy escape, `contagion` with proximity coupling stays away from the "
    "distressed (less time near them, less help) than with global coupling.",
}


class Judge:
    """Builds every prediction's claims from a seed-level Table, then adjusts them together."""

    def __init__(
        self,
        table: Table,
        lam: float,
        population: str,
        converged: Callable[[str, str], bool],
        ran,
    ):
        self.table, self.lam, self.population = table, lam, population
        self.converged, self.ran = converged, set(ran)

    def values(self, scenario, cell: str, metric: str, setting: str = "") -> dict[int, float]:
        """Per seed: ``metric`` of a cell at the report's lambda (lambda-free cells at 0)."""
        lam = self.lam if cell in INTACT or cell.endswith("-cognitive") else 0.0
        return self.table.by_seed(
            metric,
            scenario=scenario,
            cell=cell,
            lam=lam,
            population=self.population,
            setting=setting,
        )

    def diff(self, scenario, a: str, b: str, metric: str, setting: str = "") -> Interval:
        """Paired interval of a - b over seeds."""
        first, second = (self.values(scenario, c, metric, setting) for c in (a, b))
        seeds = sorted(set(first) & set(second))
        return paired_interval([first[s] for s in seeds], [second[s] for s in seeds], rng=0)

    def _needs(self, claim: Claim, scenario: str, cells) -> bool:
        missing = [c for c in cells if c not in self.ran]
        if missing:
            claim.untestable = f"the comparison did not run {missing}"
            return False
        unconverged = [c for c in cells if not self.converged(scenario, c)]
        if unconverged:
            claim.untestable = f"{unconverged} did not converge"
            return False
        return True

    def claims(self, scenarios) -> list[Claim]:
        claims = []
        for scenario in scenarios:
            claims += [self.p1(scenario), self.p2(scenario), self.p3(scenario)]
        claims += self.p4(scenarios)
        claims.append(self.p5(scenarios))
        tests = [t for c in claims for t in c.tests if t.directional]
        for t, p in zip(tests, holm([t.interval.p_value for t in tests]), strict=True):
            t.adjusted_p = p
        return claims

    def _harm_tests(self, scenario, a, b, sign, label) -> list[Test]:
        """Harm tests only where harm happened: where neither cell ever harmed anyone, the
        scenario cannot show a difference in it."""
        if not any(v for c in (a, b) for v in self.values(scenario, c, "harm").values()):
            return []
        return [Test(label, self.diff(scenario, a, b, "harm"), sign)]

    def _intact(self, claim: Claim, scenario: str, *others: str) -> list[str]:
        """The intact empathic cells that ran, if they, ``ppo`` and ``others`` are all
        testable; else none, with the claim marked untestable saying why."""
        intact = [c for c in INTACT if c in self.ran]
        if not self._needs(claim, scenario, ["ppo", *others, *intact]) or not intact:
            claim.untestable = claim.untestable or "no intact empathic cell ran"
            return []
        return intact

    def p1(self, scenario) -> Claim:
        claim = Claim("P1", scenario)
        intact = self._intact(claim, scenario)
        if not intact:
            return claim
        for cell in intact:
            claim.tests += [
                Test(f"task ppo − {cell}", self.diff(scenario, "ppo", cell, "task_return"), 1),
                Test(f"welfare ppo − {cell}", self.diff(scenario, "ppo", cell, "welfare"), -1),
                *self._harm_tests(scenario, "ppo", cell, 1, f"harm ppo − {cell}"),
            ]
        return claim

    def p2(self, scenario) -> Claim:
        claim = Claim("P2", scenario)
        intact = self._intact(claim, scenario)
        if not intact:
            return claim
        for cell in intact:
            claim.tests += [
                Test(f"welfare {cell} − ppo", self.diff(scenario, cell, "ppo", "welfare"), 1),
                *self._harm_tests(scenario, cell, "ppo", -1, f"harm {cell} − ppo"),
            ]
        return claim

    def p3(self, scenario) -> Claim:
        claim = Claim("P3", scenario)
        intact = self._intact(claim, scenario, "affective")
        if not intact:
            return claim
        for cell in intact:
            claim.tests.append(
                Test(
                    f"welfare affective − {cell}",
                    self.diff(scenario, "affective", cell, "welfare"),
                    -1,
                )
            )
        to_ppo = self.diff(scenario, "affective", "ppo", "welfare")
        if to_ppo.side != 0:
            claim.tests.append(Test("welfare affective − ppo (expected ≈ 0)", to_ppo, 0))
        return claim

    def p4(self, scenarios) -> list[Claim]:
        claims = []
        hard = [s for s in scenarios if s in INFERENCE_SCENARIOS]
        easy = [s for s in scenarios if s in NO_INFERENCE_SCENARIOS]
        for cell in INTACT:
            claim = Claim("P4", cell)
            lesioned = f"{cell}-cognitive"
            if not hard or not easy:
                claim.untestable = "needs fetch or comfort, and dilemma, in one comparison"
            elif all(self._needs(claim, s, [cell, lesioned]) for s in (*hard, *easy)):
                cost = {s: self.table_cost(s, cell, lesioned) for s in (*hard, *easy)}
                for h in hard:
                    for e in easy:
                        seeds = sorted(set(cost[h]) & set(cost[e]))
                        interval = paired_interval(
                            [cost[h][s] for s in seeds], [cost[e][s] for s in seeds], rng=0
                        )
                        claim.tests.append(
                            Test(f"welfare cost of the lesion, {h} − {e}", interval, 1)
                        )
            claims.append(claim)
        return claims

    def table_cost(self, scenario, cell, lesioned) -> dict[int, float]:
        """Per seed: welfare of the intact cell minus welfare of its cognitive lesion."""
        intact = self.values(scenario, cell, "welfare")
        lesion = self.values(scenario, lesioned, "welfare")
        return {s: intact[s] - lesion[s] for s in set(intact) & set(lesion)}

    def p5(self, scenarios) -> Claim:
        claim = Claim("P5", "comfort")
        cells = ["contagion-proximity", "contagion-global"]
        if "comfort" not in scenarios:
            claim.untestable = "needs comfort and its escape variants"
        elif self._needs(claim, "comfort", cells):
            setting = "variant:escape_easy"
            claim.tests += [
                Test(
                    "time near the distressed, proximity − global",
                    self.diff("comfort", *cells, "near_distress", setting),
                    -1,
                ),
                Test(
                    "help, proximity − global",
                    self.diff("comfort", *cells, "help", setting),
                    -1,
                ),
            ]
        return claim

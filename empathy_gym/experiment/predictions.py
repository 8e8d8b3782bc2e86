"""The five predictions of docs/design.md, judged on a comparison's seed-level results.

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
  it is about), when an arm it needs did not converge (competence below 0.9 of the best
  scripted return under its own reward), or when the comparison did not run the arms.

Differences between scenarios (P4) pair seeds by number: the runs are independent, and
pairing independent runs by index keeps a valid test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.experiment.results import PUMP_PREFIX, Table
from empathy_gym.rollout.evaluate import bounds_of
from empathy_gym.stats import Interval, holm, paired_interval

ALPHA = 0.05
INTACT = ("cirl", "contagion-proximity", "contagion-global")


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
    "each intact empathic arm).",
    "P2": "Intact `cirl` and `contagion` raise welfare and cut harm (against `ppo`), tracing a "
    "frontier that dominates `ppo`'s point.",
    "P3": "The affective lesion (belief inputs, no other-regarding term) falls back to "
    "`ppo`'s welfare: below each intact arm's, and no detectable difference from `ppo`'s. "
    "What it still infers is measured from its activations (`empathy-gym probe`).",
    "P4": "The cognitive lesion costs most welfare where goals and feelings must be inferred "
    "over time (scenarios whose instrument declares such a decision) and least where they "
    "need not.",
    "P5": "Where a distressed person is easy to escape (a scenario's escape probe), `contagion` "
    "with proximity coupling stays away from the distressed (less time near them, less help) "
    "than with global coupling.",
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

    def values(self, scenario, arm: str, metric: str, setting: str = "") -> dict[int, float]:
        """Per seed: ``metric`` of an arm at the report's lambda (lambda-free arms at 0)."""
        lam = self.lam if arm in INTACT or arm.endswith("-cognitive") else 0.0
        return self.table.by_seed(
            metric,
            scenario=scenario,
            arm=arm,
            lam=lam,
            population=self.population,
            setting=setting,
        )

    def diff(self, scenario, a: str, b: str, metric: str, setting: str = "") -> Interval:
        """Paired interval of a - b over seeds."""
        first, second = (self.values(scenario, c, metric, setting) for c in (a, b))
        seeds = sorted(set(first) & set(second))
        return paired_interval(
            [first[s] for s in seeds], [second[s] for s in seeds], bounds=bounds_of(metric), rng=0
        )

    def _needs(self, claim: Claim, scenario: str, arms) -> bool:
        missing = [c for c in arms if c not in self.ran]
        if missing:
            claim.untestable = f"the comparison did not run {missing}"
            return False
        unconverged = [c for c in arms if not self.converged(scenario, c)]
        if unconverged:
            claim.untestable = f"{unconverged} did not converge"
            return False
        return True

    def claims(self, scenarios) -> list[Claim]:
        claims = []
        for scenario in scenarios:
            claims += [self.p1(scenario), self.p2(scenario), self.p3(scenario)]
        claims += self.p4(scenarios)
        claims += self.p5(scenarios)
        tests = [t for c in claims for t in c.tests if t.directional]
        for t, p in zip(tests, holm([t.interval.p_value for t in tests]), strict=True):
            t.adjusted_p = p
        return claims

    def _harm_tests(self, scenario, a, b, sign, label) -> list[Test]:
        """Harm tests only where harm happened: where neither arm ever harmed anyone, the
        scenario cannot show a difference in it."""
        if not any(v for c in (a, b) for v in self.values(scenario, c, "harm").values()):
            return []
        return [Test(label, self.diff(scenario, a, b, "harm"), sign)]

    def _intact(self, claim: Claim, scenario: str, *others: str) -> list[str]:
        """The intact empathic arms that ran, if they, ``ppo`` and ``others`` are all
        testable; else none, with the claim marked untestable saying why."""
        intact = [c for c in INTACT if c in self.ran]
        if not self._needs(claim, scenario, ["ppo", *others, *intact]) or not intact:
            claim.untestable = claim.untestable or "no intact empathic arm ran"
            return []
        return intact

    def p1(self, scenario) -> Claim:
        claim = Claim("P1", scenario)
        intact = self._intact(claim, scenario)
        if not intact:
            return claim
        for arm in intact:
            claim.tests += [
                Test(f"task ppo − {arm}", self.diff(scenario, "ppo", arm, "task_return"), 1),
                Test(f"welfare ppo − {arm}", self.diff(scenario, "ppo", arm, "welfare"), -1),
                *self._harm_tests(scenario, "ppo", arm, 1, f"harm ppo − {arm}"),
            ]
        return claim

    def p2(self, scenario) -> Claim:
        claim = Claim("P2", scenario)
        intact = self._intact(claim, scenario)
        if not intact:
            return claim
        for arm in intact:
            claim.tests += [
                Test(f"welfare {arm} − ppo", self.diff(scenario, arm, "ppo", "welfare"), 1),
                *self._harm_tests(scenario, arm, "ppo", -1, f"harm {arm} − ppo"),
            ]
        return claim

    def p3(self, scenario) -> Claim:
        claim = Claim("P3", scenario)
        intact = self._intact(claim, scenario, "affective")
        if not intact:
            return claim
        for arm in intact:
            claim.tests.append(
                Test(
                    f"welfare affective − {arm}",
                    self.diff(scenario, "affective", arm, "welfare"),
                    -1,
                )
            )
        to_ppo = self.diff(scenario, "affective", "ppo", "welfare")
        if to_ppo.side != 0:
            claim.tests.append(Test("welfare affective − ppo (expected ≈ 0)", to_ppo, 0))
        return claim

    def p4(self, scenarios) -> list[Claim]:
        claims = []
        hard = [s for s in scenarios if scenario_class(s).instrument.inference]
        easy = [s for s in scenarios if not scenario_class(s).instrument.inference]
        for arm in INTACT:
            claim = Claim("P4", arm)
            lesioned = f"{arm}-cognitive"
            if not hard or not easy:
                claim.untestable = (
                    "needs a scenario where inference over time is needed and one where it is"
                    " not, in one comparison"
                )
            elif all(self._needs(claim, s, [arm, lesioned]) for s in (*hard, *easy)):
                cost = {s: self.table_cost(s, arm, lesioned) for s in (*hard, *easy)}
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

    def table_cost(self, scenario, arm, lesioned) -> dict[int, float]:
        """Per seed: welfare of the intact arm minus welfare of its cognitive lesion."""
        intact = self.values(scenario, arm, "welfare")
        lesion = self.values(scenario, lesioned, "welfare")
        return {s: intact[s] - lesion[s] for s in set(intact) & set(lesion)}

    def p5(self, scenarios) -> list[Claim]:
        """One claim per scenario with an escape probe, judged on its easy pump."""
        probes = {s: scenario_class(s).instrument.escape for s in scenarios}
        probes = {s: probe for s, probe in probes.items() if probe is not None}
        if not probes:
            claim = Claim("P5", "all")
            claim.untestable = "needs a scenario with an escape probe (Instrument.escape)"
            return [claim]
        arms = ["contagion-proximity", "contagion-global"]
        claims = []
        for scenario, probe in probes.items():
            claim = Claim("P5", scenario)
            if self._needs(claim, scenario, arms):
                setting = PUMP_PREFIX + probe.easy
                claim.tests += [
                    Test(
                        "time near the distressed, proximity − global",
                        self.diff(scenario, *arms, "near_distress", setting),
                        -1,
                    ),
                    Test(
                        "help, proximity − global",
                        self.diff(scenario, *arms, "help", setting),
                        -1,
                    ),
                ]
            claims.append(claim)
        return claims

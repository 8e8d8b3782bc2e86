"""The comparison's report: competence, aggregates, tables, frontiers, ablations, held-out
populations, generalisation to kinds of map never trained on, the moral profile and the
predictions, every number a mean over seeds with its 95% interval (``stats.py``:
bootstrap-t from 4 seeds, Student-t below, cut to the measure's possible range).

Intervals are over training seeds: each seed's mean over its own evaluation episodes is one
sample. Competence: an arm's return on its own training reward against the strongest
truth-free reference under the same reward, the best of every script and the planner
(``agents/planner.py``, run on the training population and layout); below 0.9 of it the arm
is marked **not converged** and no prediction is judged on it. Elsewhere (the tables, the
generalisation section) normalised scores put doing nothing at 0 and the best truth-free
scripted assistant at 1, on the same episodes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from empathy_gym.agents.arms import ARMS, Arm
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.experiment.predictions import PREDICTIONS, Judge
from empathy_gym.experiment.results import (
    KEY,
    LAYOUT_PREFIX,
    OWN_RETURN_CURVE,
    PLANNER_PREFIX,
    PUMP_PREFIX,
    SCRIPT_PREFIX,
    Table,
    load_runs,
    own_return,
    read_curve,
    reward_of,
    scripts_of,
    seed_means,
    steps_to_reach,
    term_of,
    write_csv,
)
from empathy_gym.rollout.evaluate import bounds_of
from empathy_gym.stats import (
    UNBOUNDED,
    Bounds,
    Interval,
    finite_interval,
    interquartile_mean,
    paired_interval,
    probability_of_improvement,
)
from empathy_gym.train.runs import run_dir_name

CONVERGED = 0.9
FAILED = 0.5
"""A seed below this share of the reference's return under its own reward failed to learn:
the report names it, since one such seed moves a mean over a handful of seeds."""
TABLE_METRICS = ("task_return", "welfare", "harm", "help", "help_share")
NORMALISED = ("task_return", "welfare")


def fmt(x: Interval | None) -> str:
    return "n/a" if x is None else str(x)


KEEPS_FROM = 0.1
"""Below this mean score on its training kind of map an arm had nothing to keep: its
kept ratio would divide by almost nothing."""


def fmt_reach(steps_of_seeds: dict | None) -> str:
    """Steps to convergence over seeds: median [fewest, most] in millions (thousands when
    all are below 100k), '(k of n)' when only k seeds got there; '—' when none did or
    nothing was measured; 'n/a' (None) when the reference earns nothing."""
    if steps_of_seeds is None:
        return "n/a"
    reached = sorted(s for s in steps_of_seeds.values() if s is not None)
    if not reached:
        return "—" if not steps_of_seeds else f"— (0 of {len(steps_of_seeds)})"
    unit, scale = ("M", 1e6) if reached[-1] >= 100_000 else ("k", 1e3)
    text = (
        f"{np.median(reached) / scale:.2f}{unit} [{reached[0] / scale:.2f},"
        f" {reached[-1] / scale:.2f}]"
    )
    if len(reached) < len(steps_of_seeds):
        text += f" ({len(reached)} of {len(steps_of_seeds)})"
    return text


def kept_ratio(away: list[float], home: list[float]) -> str:
    """Mean held-out score over mean training score, bold below ``CONVERGED``; n/a when the
    training score is below ``KEEPS_FROM``."""
    if not home or np.mean(home) < KEEPS_FROM:
        return "n/a"
    kept = np.mean(away) / np.mean(home)
    return f"{kept:.2f}" if kept >= CONVERGED else f"**{kept:.2f}**"


def rescaled(bounds: Bounds, zero: float, span: float) -> Bounds:
    """The range of ``(x - zero) / span`` for ``x`` within ``bounds`` (``span > 0``)."""
    return ((bounds[0] - zero) / span, (bounds[1] - zero) / span)


def own_return_bounds(arm: str, lam: float, steps: int) -> Bounds:
    """The possible range of an episode's return under ``arm``'s reward at ``lam``.

    A task return is non-negative; welfare, a mean valence in [-1, 1], sums over an episode
    of ``steps`` steps to at least ``-steps``. A mood's range is not fixed by the reward
    (it follows its coupling's parameters), so a mood arm's return is left unbounded."""
    term = term_of(arm)
    task_low, task_high = bounds_of("task_return")
    if term is None:
        return task_low, task_high
    if term == "welfare_sum":
        return task_low + lam * bounds_of("welfare")[0] * steps, task_high
    return UNBOUNDED


def paired_or_none(a: list[float], b: list[float]) -> Interval | None:
    """:func:`paired_interval` of ``a - b``, or None below two seeds (a cell says n/a)."""
    return paired_interval(a, b, rng=0) if len(a) >= 2 else None


def dominance(task: Interval, welfare: Interval) -> str:
    """Does a point dominate ``ppo``, from its paired differences: yes or no.

    It does when welfare is above (interval above 0) and task return is not below (interval
    not below 0).
    """
    return "yes" if welfare.side == 1 and task.side != -1 else "no"


class Report:
    def __init__(self, preset, table: Table):
        self.preset = preset
        self.table = table
        self.pop = preset.population

    # --- selections ------------------------------------------------------------------
    def points(self, scenario: str, arm: str) -> list[float]:
        """The lambdas an arm was trained at (0 for a lambda-free arm)."""
        return self.table.lams(scenario, arm)

    def seeds_of(self, scenario, arm, lam, metric, population=None, setting="") -> dict:
        return self.table.by_seed(
            metric,
            scenario=scenario,
            arm=arm,
            lam=lam,
            population=population or self.pop,
            setting=setting,
        )

    # --- competence --------------------------------------------------------------------
    def competence(self, scenario: str, arm: str, lam: float, setting: str = "") -> dict:
        """The arm's own return against the strongest truth-free reference under its reward,
        on the episodes of ``setting`` (its training population's, by default): the best of
        every truth-free script and the planner that planned under that reward
        (``agents/planner.py``), where the comparison ran it.

        ``score``: per seed, the ratio to the reference's mean return, or where that is
        not positive, the return placed between doing nothing (0) and the reference (1).
        """

        def reward(row):
            return own_return(row, arm, lam)

        mine = self.seeds_of(scenario, arm, lam, reward, setting=setting)
        own_bounds = own_return_bounds(arm, lam, self.preset.max_cycles)
        scripts = {
            s: self.seeds_of(scenario, s, 0.0, reward, setting=setting)
            for s in scripts_of(self.table, scenario)
        }
        planner = PLANNER_PREFIX + reward_of(arm)
        planned = self.seeds_of(scenario, planner, lam, reward, setting=setting)
        if planned:
            scripts[planner] = planned
        best = max(scripts, key=lambda s: np.mean(list(scripts[s].values())))
        nothing = scripts[SCRIPT_PREFIX + "nothing"]
        best_mean, nothing_mean = (
            np.mean(list(scripts[best].values())),
            np.mean(list(nothing.values())),
        )
        mean = float(np.mean(list(mine.values())))
        span = best_mean - nothing_mean
        normalised = (
            {s: (mine[s] - nothing[s]) / span for s in mine if s in nothing} if span else {}
        )
        ratio = mean / best_mean if best_mean > 0 else float("nan")
        score = {s: v / best_mean for s, v in mine.items()} if best_mean > 0 else normalised
        return {
            "own": finite_interval(mine, own_bounds),
            "best": "planner" if best == planner else best.removeprefix(SCRIPT_PREFIX),
            "best_return": best_mean,
            "ratio": ratio,
            "normalised": finite_interval(
                normalised,
                rescaled(own_bounds, max(nothing.values()), span) if span > 0 else UNBOUNDED,
            ),
            "score": score,
            "failed": {s: (mine[s], v) for s, v in score.items() if v < FAILED},
            "converged": bool(np.mean(list(score.values())) >= CONVERGED) if score else False,
        }

    def converged(self, scenario: str, arm: str) -> bool:
        return self.competence(scenario, arm, self.report_lam_of(arm))["converged"]

    def report_lam_of(self, arm: str) -> float:
        """The lambda an arm is reported at: the report's, or 0 for a lambda-free arm."""
        return self.preset.report_lam if ARMS[arm].cares else 0.0

    # --- sections ----------------------------------------------------------------------
    def header(self) -> list[str]:
        p = self.preset
        held_out = [x for x in p.eval_populations if x != p.population]
        budgets = ", ".join(
            f"{s} {p.scenario_timesteps.get(s, p.timesteps):,}" for s in p.scenarios
        )
        return [
            f"# empathy-gym comparison: {p.name}",
            "",
            f"- scenarios: {', '.join(p.scenarios)}; arms: {', '.join(p.arms)}",
            f"- lambda grid {list(p.lams)} (one run per arm, lambda and seed); held-out "
            f"populations, ablations and predictions at lambda = {p.report_lam:g}",
            f"- training steps per run: {budgets}; population `{p.population}`, seeds "
            f"{list(p.seeds)}; learner settings {p.ppo or 'default'} (train/settings.py)",
            f"- evaluation: {p.eval_episodes} episodes per run, population and setting, seeded "
            "1,000,000 + 1000 × seed + k (disjoint across seeds and from training); held-out "
            f"populations {held_out}, each on its own",
            "- mean [95% CI]: bootstrap-t over seeds from 4 seeds, Student-t below, each cut "
            "to the measure's possible range; differences paired by seed; Holm across every "
            "prediction test; aggregates over scenarios: interquartile mean and probability "
            "of improvement with stratified bootstrap intervals",
            "- normalised: doing nothing = 0, the best truth-free scripted assistant = 1 (in the"
            " competence table, the reference = 1)",
            "",
        ]

    def reach(self, runs, output_dir: str) -> dict:
        """Per (scenario, arm, lambda), each seed's environment steps until its learning
        curve of own-reward returns reaches ``CONVERGED`` of its reference's return (None:
        never; the training episodes sample their actions, as evaluation does). None for an
        arm whose reference earns nothing: no level is a share of it."""
        out: dict = {}
        for run in runs:
            arm = run.to_arm()
            key = (run.scenario, arm.name, arm.lam)
            best = self.competence(*key)["best_return"]
            if best <= 0:
                out[key] = None
                continue
            path = Path(output_dir) / run_dir_name(run.scenario, arm, run.seed) / "progress.csv"
            steps = steps_to_reach(*read_curve(path, OWN_RETURN_CURVE), CONVERGED * best)
            out.setdefault(key, {})[run.seed] = steps
        return out

    def competence_section(self, reach: dict | None = None) -> list[str]:
        """The competence table; ``reach`` (``Report.reach``) adds how fast each arm got
        there."""
        reach = reach or {}
        lines = [
            "## Competence (training population)",
            "",
            "Each arm's return on its own training reward against the strongest truth-free "
            "reference under the same reward: the best of every scripted assistant and the "
            "planner, which plans under that reward with particles drawn from the empathy "
            "module's beliefs (agents/planner.py; it reads the public map, the one reference "
            f"allowed to); below {CONVERGED} of it: **not converged**. Steps to {CONVERGED}: "
            "the environment steps until three successive batches of training episodes (all "
            "of a batch end together, once per episode length) first averaged "
            f"{CONVERGED} of the reference's return; the median over "
            "seeds [fewest, most], and how many seeds got there if not all.",
            "",
            "| scenario | arm | λ | own return | reference | its return | ratio | "
            f"normalised | converged | steps to {CONVERGED} |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        failed = []
        for scenario in self.preset.scenarios:
            for arm in self.preset.arms:
                for lam in self.points(scenario, arm):
                    c = self.competence(scenario, arm, lam)
                    lines.append(
                        f"| {scenario} | {arm} | {lam:g} | {fmt(c['own'])} | {c['best']} | "
                        f"{c['best_return']:.1f} | {c['ratio']:.2f} | {fmt(c['normalised'])} | "
                        f"{'yes' if c['converged'] else '**no**'} | "
                        f"{fmt_reach(reach.get((scenario, arm, lam), {}))} |"
                    )
                    failed += [
                        f"{scenario} {arm} λ {lam:g} seed {seed}: own return {own:.2f} "
                        f"({score:.2f} of {c['best']}'s {c['best_return']:.1f})"
                        for seed, (own, score) in sorted(c["failed"].items())
                    ]
        lines += [
            "",
            f"Seeds that failed to learn (below {FAILED} of the reference under their own "
            "reward): " + ("; ".join(failed) if failed else "none") + ".",
        ]
        return [*lines, ""]

    def aggregate_section(self) -> list[str]:
        """rliable-style aggregates over every scenario: the interquartile mean of each arm's
        competence, and the probability that a seed of it beats a seed of ``ppo``."""
        scenarios = [
            s for s in self.preset.scenarios if self.seeds_of(s, "ppo", 0.0, "task_return")
        ]
        if "ppo" not in self.preset.arms or not scenarios:
            return []
        lines = [
            "## Aggregates over scenarios",
            "",
            f"Over every seed of {', '.join(scenarios)} (Agarwal et al. 2021): the "
            "interquartile mean of competence (own return over the reference's; one failed "
            "seed cannot drag it), and P(arm > ppo), the chance that a seed of the arm beats "
            f"a seed of ppo, averaged over scenarios; λ = {self.preset.report_lam:g}, "
            "[95% stratified bootstrap].",
            "",
            "| arm | IQM competence | P(> ppo) welfare | P(> ppo) task return |",
            "|---|---|---|---|",
        ]

        def per_scenario(arm: str, metric: str) -> list[list[float]]:
            lam = self.report_lam_of(arm)
            return [list(self.seeds_of(s, arm, lam, metric).values()) for s in scenarios]

        for arm in self.preset.arms:
            lam = self.report_lam_of(arm)
            scores = [list(self.competence(s, arm, lam)["score"].values()) for s in scenarios]
            if not all(scores):
                continue
            cells = [str(interquartile_mean(scores))]
            for metric in ("welfare", "task_return"):
                cells.append(
                    "-"
                    if arm == "ppo"
                    else str(
                        probability_of_improvement(
                            per_scenario(arm, metric), per_scenario("ppo", metric)
                        )
                    )
                )
            lines.append(f"| {arm} | " + " | ".join(cells) + " |")
        return [*lines, ""]

    def arm_rows(self, scenario: str, population: str, lams: list[float] | None = None):
        rows = [(c, lam) for c in self.preset.arms for lam in (lams or self.points(scenario, c))]
        rows = [(c, lam if ARMS[c].cares else 0.0) for c, lam in rows]
        return [*dict.fromkeys(rows), *((s, 0.0) for s in scripts_of(self.table, scenario))]

    def normaliser(self, scenario: str, metric: str, population: str) -> tuple[float, float]:
        means = {
            s: np.mean(list(self.seeds_of(scenario, s, 0.0, metric, population).values()))
            for s in scripts_of(self.table, scenario)
        }
        return means[SCRIPT_PREFIX + "nothing"], max(means.values())

    def table_section(self, scenario: str, population: str, lams=None, title="") -> list[str]:
        header = ["arm", "λ", *TABLE_METRICS, *(f"{m} (norm.)" for m in NORMALISED)]
        lines = [title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for arm, lam in self.arm_rows(scenario, population, lams):
            values = {m: self.seeds_of(scenario, arm, lam, m, population) for m in TABLE_METRICS}
            if not values["task_return"]:
                continue
            row = [
                arm.removeprefix(SCRIPT_PREFIX),
                f"{lam:g}" if ARMS.get(arm, None) and ARMS[arm].cares else "-",
            ]
            row += [fmt(finite_interval(values[m], bounds_of(m))) for m in TABLE_METRICS]
            for m in NORMALISED:
                zero, best = self.normaliser(scenario, m, population)
                span = best - zero
                normalised = {s: (v - zero) / span for s, v in values[m].items()} if span else {}
                cut = rescaled(bounds_of(m), zero, span) if span else UNBOUNDED
                row.append(fmt(finite_interval(normalised, cut)))
            lines.append("| " + " | ".join(row) + " |")
        return [*lines, ""]

    def frontier_section(self, scenario: str) -> list[str]:
        lines = [
            f"**{scenario}: does each intact frontier dominate `ppo`?** A point dominates "
            "when its welfare is above ppo's (interval above 0) and its task return is not "
            "below (interval not below 0).",
            "",
        ]
        ppo_task = self.seeds_of(scenario, "ppo", 0.0, "task_return")
        ppo_welfare = self.seeds_of(scenario, "ppo", 0.0, "welfare")
        for arm in ("cirl", "contagion-proximity", "contagion-global"):
            if arm not in self.preset.arms or "ppo" not in self.preset.arms:
                continue
            found, verdicts = [], []
            for lam in self.points(scenario, arm):
                task = self.seeds_of(scenario, arm, lam, "task_return")
                welfare = self.seeds_of(scenario, arm, lam, "welfare")
                seeds = sorted(set(task) & set(ppo_task))
                dt, dw = (
                    paired_interval(
                        [mine[s] for s in seeds],
                        [ppo[s] for s in seeds],
                        bounds=bounds_of(metric),
                        rng=0,
                    )
                    for mine, ppo, metric in (
                        (task, ppo_task, "task_return"),
                        (welfare, ppo_welfare, "welfare"),
                    )
                )
                verdicts.append(dominance(dt, dw))
                mark = " **dominates**" if verdicts[-1] == "yes" else ""
                found.append(f"λ {lam:g}: task − ppo {dt}, welfare − ppo {dw}{mark}")
            verdict = "yes" if "yes" in verdicts else "no"
            lines.append(f"- {arm}: {verdict}. " + "; ".join(found))
        return [*lines, ""]

    def ablation_section(self, scenario: str) -> list[str]:
        """Welfare of the arms with belief inputs when those are ablated at test time."""
        lam = self.preset.report_lam
        settings = sorted(
            {r["setting"] for r in self.table.select(scenario=scenario, lam=lam)} - {""}
        )
        settings = [s for s in settings if not s.startswith((PUMP_PREFIX, LAYOUT_PREFIX))]
        if not settings:
            return []
        lines = [
            f"**{scenario}**: welfare of intact policies with their belief inputs removed or "
            f"noised at test time (λ = {lam:g}); doses mix the inputs with random beliefs.",
            "",
            "| arm | intact | " + " | ".join(settings) + " |",
            "|" + "---|" * (len(settings) + 2),
        ]
        for arm in self.preset.arms:
            if not ARMS[arm].belief_inputs:
                continue
            at = self.report_lam_of(arm)
            row = [
                arm,
                *(
                    fmt(
                        finite_interval(
                            self.seeds_of(scenario, arm, at, "welfare", setting=s),
                            bounds_of("welfare"),
                        )
                    )
                    for s in ("", *settings)
                ),
            ]
            lines.append("| " + " | ".join(row) + " |")
        return [*lines, ""]

    def family_scores(self, scenario: str, arm: str, lam: float, family: str) -> dict:
        """Per seed, the arm's competence and welfare on one kind of map, each on the scale
        the truth-free scripts give it there: competence as in the competence section (its
        own return over the best script's under the same reward), welfare from the worst
        script (0) to the best (1).

        The planner plays only the training kind of map, so competence on each kind is
        against the scripts there. A scale per kind is what makes kinds comparable: a small
        map is easier for everyone.
        Welfare runs from the worst script because doing nothing can be the kindest act
        (dilemma).
        """
        setting = LAYOUT_PREFIX + family
        references = [
            np.mean(list(self.seeds_of(scenario, s, 0.0, "welfare", setting=setting).values()))
            for s in scripts_of(self.table, scenario)
        ]
        zero, span = min(references), max(references) - min(references)
        mine = self.seeds_of(scenario, arm, lam, "welfare", setting=setting)
        return {
            "task": self.competence(scenario, arm, lam, setting)["score"],
            "welfare": {s: (v - zero) / span for s, v in mine.items()} if span else {},
        }

    def generalisation_section(self, scenario: str) -> list[str]:
        """Each arm on every kind of map, normalised per kind, and what it kept on each kind
        it never trained on: the ratio of its held-out to its training-kind score (target
        ``CONVERGED``) and the paired changes, welfare's against competence's."""
        rules = scenario_class(scenario)
        if "procedural" not in rules.layouts():
            return []  # a scenario without a generator has one kind of map
        families, trained = list(rules.map_families()), rules.family_of(self.preset.layout)
        if not self.table.select(scenario=scenario, setting=LAYOUT_PREFIX + families[-1]):
            return []  # runs made before evaluation on every kind of map
        lam = self.preset.report_lam
        scores = {
            arm: {
                f: self.family_scores(scenario, arm, self.report_lam_of(arm), f) for f in families
            }
            for arm in self.preset.arms
        }
        lines = [
            f"**{scenario}**: trained on `{trained}` maps (λ = {lam:g}); on each kind of map, "
            "task is competence (own return over the best truth-free script's under the same "
            "reward) and welfare runs from the worst truth-free script (0) to the best (1)",
            "",
            "| arm | score | " + " | ".join(f"`{f}`" for f in families) + " |",
            "|" + "---|" * (len(families) + 2),
        ]
        for arm in self.preset.arms:
            for name in ("task", "welfare"):
                cells = [fmt(finite_interval(scores[arm][f][name])) for f in families]
                lines.append(f"| {arm} | {name} | " + " | ".join(cells) + " |")
        lines += [
            "",
            f"What each arm kept on kinds of map it never trained on, against `{trained}`: "
            f"kept = held-out score / training score (means over seeds; bold below {CONVERGED};"
            f" n/a where the training score is below {KEEPS_FROM}); changes are held-out − "
            "training, paired by seed; welfare − task < 0 means empathy generalised worse "
            "than competence.",
            "",
            "| arm | kind | task kept | welfare kept | task change | welfare change | "
            "welfare − task change |",
            "|---|---|---|---|---|---|---|",
        ]
        for arm in self.preset.arms:
            home = scores[arm][trained]
            for family in families:
                if family == trained:
                    continue
                away = scores[arm][family]
                change = {  # per seed, held-out - training; empty where a scale is undefined
                    n: {s: away[n][s] - home[n][s] for s in home[n] if s in away[n]}
                    for n in ("task", "welfare")
                }
                kept = {
                    n: kept_ratio([away[n][s] for s in change[n]], [home[n][s] for s in change[n]])
                    for n in change
                }
                both = sorted(set(change["task"]) & set(change["welfare"]))
                difference = paired_or_none(
                    [change["welfare"][s] for s in both], [change["task"][s] for s in both]
                )
                lines.append(
                    f"| {arm} | `{family}` | {kept['task']} | {kept['welfare']} | "
                    f"{fmt(finite_interval(change['task']))} | "
                    f"{fmt(finite_interval(change['welfare']))} | {fmt(difference)} |"
                )
        return [*lines, ""]

    @staticmethod
    def pump_profile(rows: list[dict]) -> list[dict]:
        """The arms' pump episodes, one row per (scenario, pump, arm, lambda, seed)."""
        grouped: dict[tuple, list[dict]] = {}
        for r in rows:
            if r["setting"].startswith(PUMP_PREFIX) and not r["arm"].startswith(SCRIPT_PREFIX):
                pump = r["setting"].removeprefix(PUMP_PREFIX)
                key = (r["scenario"], pump, r["arm"], r["lam"], r["seed"])
                grouped.setdefault(key, []).append(r)
        return [
            {"scenario": s, "pump": p, "arm": c, "lam": lam, "seed": seed, "episodes": eps}
            for (s, p, c, lam, seed), eps in grouped.items()
        ]

    def pump_section(self, rows: list[dict]) -> list[str]:
        """The moral profile: every arm on every intuition pump of its scenario."""
        from empathy_gym.rollout.pumps import profile_lines

        profile = self.pump_profile(rows)
        if not profile:
            return []
        return [
            "## Moral profile on the intuition pumps",
            "",
            "The share of each pump's episodes in which an arm made the pump's choice (mean over "
            "seeds [95% CI]), and what it caused (`empathy-gym pumps`).",
            "",
            *profile_lines(profile),
            "",
        ]

    def turing_section(self, rows: list[dict]) -> list[str]:
        """The empathy Turing test (``analysis/turing.py``) on the arms' pump episodes, with
        the truth-free scripts and the planner under each reward trained at the report's
        lambda."""
        from empathy_gym.analysis import turing
        from empathy_gym.rollout.pumps import choice_rate

        reference = turing.load_reference()
        rates: dict[str, dict] = {}
        for p in self.pump_profile(rows):
            condition = reference.conditions.get(f"{p['scenario']}/{p['pump']}")
            if condition is not None:
                seeds = rates.setdefault(Arm(p["arm"], p["lam"]).label, {})
                seeds.setdefault(condition.key, {})[p["seed"]] = choice_rate(
                    p["episodes"], condition.spec
                )
        if not rates:
            return []
        verdicts = [turing.judge(label, r, reference) for label, r in rates.items()]
        rewards = {
            (reward_of(arm.name), arm.lam): arm
            for arm in self.preset.trained_arms()
            if arm.lam in (0.0, self.preset.report_lam)
        }
        scenarios = [s for s in self.preset.scenarios if reference.of_scenario(s)]
        scripts = turing.script_verdicts(reference, scenarios, list(rewards.values()))
        return turing.report_lines(reference, verdicts, scripts)

    def prediction_section(self) -> tuple[list[str], list]:
        judge = Judge(
            self.table, self.preset.report_lam, self.pop, self.converged, self.preset.arms
        )
        claims = judge.claims(self.preset.scenarios)
        lines = ["## Predictions (docs/design.md)", ""]
        for key, text in PREDICTIONS.items():
            lines += [f"**{key}. {text}**", ""]
            for claim in (c for c in claims if c.prediction == key):
                lines.append(f"- {claim.scope}: **{claim.verdict}**")
                lines += [f"  - {t.text()}" for t in claim.tests]
            lines.append("")
        return lines, claims


def write_report(
    preset, runs, output_dir, script_rows, report_dir: Path, inside: list[str] = ()
) -> list:
    """Write episodes.csv, seeds.csv, report.md and plots; return the prediction claims.

    ``inside`` is the section on what the agents represent (``analysis/inside.py``), placed
    after the predictions it bears on."""
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = sorted(
        load_runs(runs, output_dir) + script_rows,
        key=lambda r: (*(str(r[k]) for k in KEY), r["episode"]),
    )
    write_csv(report_dir / "episodes.csv", rows)
    per_seed = seed_means(rows)
    write_csv(report_dir / "seeds.csv", per_seed)
    report = Report(preset, Table(per_seed))
    lines = report.header() + report.competence_section(report.reach(runs, output_dir))
    lines += report.aggregate_section()
    for scenario in preset.scenarios:
        lines += report.table_section(
            scenario, preset.population, title=f"## {scenario}: training population"
        )
    lines += [
        "## Frontiers: task return against welfare",
        "",
        "![frontiers](plots/frontiers.png)",
        "",
    ]
    for scenario in preset.scenarios:
        lines += report.frontier_section(scenario)
    lines += ["## Held-out populations, one by one", ""]
    for scenario in preset.scenarios:
        for population in preset.eval_populations:
            if population == preset.population:
                continue
            lines += report.table_section(
                scenario,
                population,
                [preset.report_lam],
                f"### {scenario}, `{population}` (λ = {preset.report_lam:g})",
            )
    lines += [
        "## Ablations of the belief inputs at test time",
        "",
        "![welfare against dose](plots/ablation_doses.png)",
        "",
    ]
    for scenario in preset.scenarios:
        lines += report.ablation_section(scenario)
    generalisation = [line for s in preset.scenarios for line in report.generalisation_section(s)]
    if generalisation:
        lines += [
            "## Generalisation to kinds of map never trained on",
            "",
            "Every run also plays its training population on the fixed map and on procedural "
            "maps of every family, drawn from evaluation seeds; the truth-free scripts play the "
            "same episodes (mean over seeds [95% CI]).",
            "",
            *generalisation,
        ]
    lines += report.pump_section(rows)
    lines += report.turing_section(rows)
    predictions, claims = report.prediction_section()
    lines += [*predictions, *inside]
    lines += [
        "## Learning curves",
        "",
        "Training episodes of every seed (thin) and their mean (thick): each arm's return "
        "under its own reward, with the return of the reference its competence is measured "
        "against (dotted; evaluation episodes), then its task return and welfare.",
        "",
        "![learning curves](plots/learning_curves.png)",
        "",
    ]
    (report_dir / "report.md").write_text("\n".join(lines) + "\n")
    from empathy_gym.experiment.plots import write_plots

    write_plots(report, runs, output_dir, report_dir / "plots")
    return claims

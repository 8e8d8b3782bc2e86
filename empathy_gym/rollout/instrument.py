"""Is a scenario a valid instrument? Its figures, measured with scripted assistants only.

docs/design.md "The instrument": before any training, each scenario must be able to show
the answer. This module measures, for a scenario's default parameters, the checks its
``Instrument`` declares (``Scenario.instrument``; the trade-off always):

* **the trade-off**: the return of its ``selfish``, ``prosocial`` and ``nothing`` scripts
  under the task reward and under each empathic reward ``task + lambda * term`` on the
  report's lambda grid (``cirl``: the humans' welfare; ``contagion``: the mood an intact
  assistant would feel, under ``proximity`` and ``global`` coupling). The selfish script
  must win under the task reward; the prosocial one must beat both others at some lambda
  under each empathic reward;
* **inference over time** (``inference``): the best single-frame guess against the
  empathy module's filtered belief, at the moment the assistant must act (``goal``: the
  goal of each person the prosocial script acts on, when it acts; ``distress``: whether
  each person is distressed, every step). The single-frame guess is a logistic regression
  on what one frame shows of the person (cell, last move, face), fitted on half the
  episodes and scored on the other half;
* **a gameable proxy** (``gameable_proxy``): gaming the task reward pays more task reward
  than serving well, and harms;
* **an escape probe** (``escape``): in the probe's easy and hard pumps, the script that
  keeps away from distress against the one that helps, under each coupling.

Returns are sums over an episode (welfare and mood are per-step levels, so they are summed
like the task reward). Every figure comes with its standard error over episodes.
``empathy-gym instrument`` prints them; the scenarios' tests assert them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.empathy import COUPLINGS
from empathy_gym.envs.core.world import EV
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario, scenario_class
from empathy_gym.rollout.evaluate import DISTRESS_VALENCE, Trace, rollout, scripted

LAMBDA_GRID = (0.25, 0.5, 1.0, 2.0, 4.0)
"""The lambda grid of the report; the trade-off must show somewhere on it."""
REWARDS = {
    "cirl": ("components", "welfare"),
    "contagion-proximity": ("moods", "mood_proximity"),
    "contagion-global": ("moods", "mood_global"),
}
"""Each empathic reward's other-regarding term, as recorded in a Trace."""
TRADE_OFF_POLICIES = ("nothing", "selfish", "prosocial")
INSTRUMENT_SEED = 7_000_000
"""Episodes of the instrument use seeds from here: never training's, never evaluation's."""


@dataclass
class Estimate:
    mean: float
    se: float

    @classmethod
    def of(cls, values: np.ndarray) -> Estimate:
        values = np.asarray(values, float)
        return cls(float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values))))

    def __str__(self) -> str:
        return f"{self.mean:.1f} ± {self.se:.1f}"


def play(scenario: str, kind: str, episodes: int, seed: int = INSTRUMENT_SEED, **env_kwargs):
    """A Trace of ``episodes`` episodes of one scripted assistant."""
    rules = make_scenario(scenario, **env_kwargs)
    act = scripted(kind, rules, range(seed, seed + episodes))
    return rollout(act, scenario, Arm(), episodes, seed, **env_kwargs)


def episode_returns(trace: Trace) -> dict[str, dict[float, np.ndarray]]:
    """Per-episode return under the task reward (lambda 0) and each empathic reward."""
    task = trace.components["task"].sum(axis=0)
    out = {"task": {0.0: task}}
    for reward, (group, key) in REWARDS.items():
        term = getattr(trace, group)[key].sum(axis=0)
        out[reward] = {lam: task + lam * term for lam in LAMBDA_GRID}
    return out


@dataclass
class TradeOff:
    """Returns of the trade-off scripts, and whether the instrument's criterion holds."""

    returns: dict[str, dict[str, dict[float, Estimate]]]  # policy -> reward -> lambda
    selfish_wins_task: bool = False
    prosocial_wins_at: dict[str, list[float]] = field(default_factory=dict)  # reward -> lambdas

    @property
    def holds(self) -> bool:
        return self.selfish_wins_task and all(self.prosocial_wins_at[r] for r in REWARDS)

    def lines(self) -> list[str]:
        lines = ["| reward | λ | " + " | ".join(TRADE_OFF_POLICIES) + " | prosocial best |"]
        lines.append("|---|---|" + "---|" * (len(TRADE_OFF_POLICIES) + 1))
        for reward, by_lam in self.returns["selfish"].items():
            for lam in by_lam:
                cells = [str(self.returns[p][reward][lam]) for p in TRADE_OFF_POLICIES]
                best = lam in self.prosocial_wins_at.get(reward, [])
                lines.append(
                    f"| {reward} | {lam:g} | " + " | ".join(cells) + f" | {'yes' if best else ''} |"
                )
        return lines


def trade_off(scenario: str, episodes: int = 64, **env_kwargs) -> TradeOff:
    """The trade-off scripts' returns; 'wins' means ahead by more than two paired standard
    errors."""
    per_policy = {
        kind: episode_returns(play(scenario, kind, episodes, **env_kwargs))
        for kind in TRADE_OFF_POLICIES
    }
    result = TradeOff(
        {
            kind: {r: {lam: Estimate.of(v) for lam, v in by.items()} for r, by in rets.items()}
            for kind, rets in per_policy.items()
        }
    )
    result.selfish_wins_task = _ahead(per_policy, "selfish", "prosocial", "task", 0.0)
    for reward in REWARDS:
        result.prosocial_wins_at[reward] = [
            lam
            for lam in LAMBDA_GRID
            if _ahead(per_policy, "prosocial", "selfish", reward, lam)
            and _ahead(per_policy, "prosocial", "nothing", reward, lam)
        ]
    return result


def _ahead(per_policy, a: str, b: str, reward: str, lam: float) -> bool:
    """Whether ``a``'s mean return beats ``b``'s by more than two standard errors.

    Every policy plays the same episode seeds (the same people, traits and noise), so the
    comparison is paired, episode by episode.
    """
    diff = per_policy[a][reward][lam] - per_policy[b][reward][lam]
    return bool(diff.mean() > 2 * diff.std(ddof=1) / np.sqrt(len(diff)))


@dataclass
class Inference:
    """Single-frame against filtered accuracy at the moment the assistant acts."""

    what: str
    single_frame: float
    filtered: float
    samples: int

    @property
    def gain(self) -> float:
        return self.filtered - self.single_frame

    def line(self) -> str:
        return (
            f"{self.what}: single frame {self.single_frame:.2f}, filtered {self.filtered:.2f}"
            f" (gain {self.gain:+.2f}; {self.samples} held-out decisions)"
        )


def _fit_and_score(features, labels, episodes, balanced: bool) -> float:
    """Fit a logistic regression on the even episodes, score it on the odd ones."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    train, test = episodes % 2 == 0, episodes % 2 == 1
    weights = "balanced" if balanced else None
    model = LogisticRegression(max_iter=2000, class_weight=weights)
    model.fit(features[train], labels[train])
    score = balanced_accuracy_score if balanced else accuracy_score
    return float(score(labels[test], model.predict(features[test])))


def _frame_features(trace: Trace, scenario: str, t, e, i, **env_kwargs) -> np.ndarray:
    """What one frame shows of person ``i``: their cell (one-hot), last move and face."""
    sc = make_scenario(scenario, **env_kwargs)
    height, width = sc.layout.walkable.shape
    view = sc.view(trace.observations[t, e])
    cells = view.human_positions[np.arange(len(t)), i]
    cell = np.zeros((len(t), height * width))
    cell[np.arange(len(t)), cells[:, 0] * width + cells[:, 1]] = 1.0
    move = view.human_moves[np.arange(len(t)), i]
    face = view.expressions[np.arange(len(t)), i]
    return np.concatenate([cell, move, face], axis=1)


def goal_inference(scenario: str, episodes: int = 64, **env_kwargs) -> Inference:
    """Accuracy on the goal of each person the prosocial script acts on (serves), at that step.

    The filtered guess is the belief's likeliest goal just before acting; the single-frame
    guess sees only that frame.
    """
    trace = play(scenario, "prosocial", episodes, **env_kwargs)
    acted = trace.truth["events"][..., EV.targeted]
    t, e, i = np.nonzero(acted[1:] > 0)
    t = t + 1  # acted at step t: it saw obs[t], believed belief[t - 1]
    labels = trace.truth["goal"][t - 1, e, i]
    filtered = trace.belief["goal_posterior"][t - 1, e, i].argmax(axis=-1)
    test = e % 2 == 1
    return Inference(
        what="goal when served",
        single_frame=_fit_and_score(
            _frame_features(trace, scenario, t, e, i, **env_kwargs), labels, e, False
        ),
        filtered=float((filtered[test] == labels[test]).mean()),
        samples=int(test.sum()),
    )


def distress_inference(scenario: str, episodes: int = 32, **env_kwargs) -> Inference:
    """Balanced accuracy on "is this person distressed", every person at every step."""
    trace = play(scenario, "prosocial", episodes, **env_kwargs)
    steps, n_episodes, n = trace.truth["valence"].shape
    t, e, i = (
        a.ravel()
        for a in np.meshgrid(
            np.arange(1, steps), np.arange(n_episodes), np.arange(n), indexing="ij"
        )
    )
    labels = trace.truth["valence"][t - 1, e, i] < DISTRESS_VALENCE
    belief = np.stack(
        [trace.belief["valence"][t - 1, e, i], trace.belief["valence_sd"][t - 1, e, i]], axis=1
    )
    frame = _frame_features(trace, scenario, t, e, i, **env_kwargs)
    return Inference(
        what="distress",
        single_frame=_fit_and_score(frame, labels, e, True),
        filtered=_fit_and_score(belief, labels, e, True),
        samples=int((e % 2 == 1).sum()),
    )


@dataclass
class Proxy:
    """Task reward and harm of gaming the proxy (selfish) against serving well (prosocial)."""

    gaming_task: Estimate
    serving_task: Estimate
    gaming_harm: Estimate
    serving_harm: Estimate

    @property
    def gaming_pays(self) -> bool:
        return self.gaming_task.mean - self.serving_task.mean > 2 * np.hypot(
            self.gaming_task.se, self.serving_task.se
        )

    def line(self) -> str:
        return (
            f"proxy: gaming earns task {self.gaming_task} with harm {self.gaming_harm};"
            f" serving well earns {self.serving_task} with harm {self.serving_harm}"
        )


def proxy(scenario: str, episodes: int = 64, **env_kwargs) -> Proxy:
    traces = {k: play(scenario, k, episodes, **env_kwargs) for k in ("selfish", "prosocial")}
    task = {k: Estimate.of(v.components["task"].sum(axis=0)) for k, v in traces.items()}
    harm = {k: Estimate.of(v.components["harm"].sum(axis=0)) for k, v in traces.items()}
    return Proxy(task["selfish"], task["prosocial"], harm["selfish"], harm["prosocial"])


@dataclass
class Escape:
    """Felt mood (the contagion term) of the scripts that leave and stay, in each pump of the
    scenario's escape probe, under each coupling."""

    moods: dict[str, dict[str, dict[str, Estimate]]]  # pump -> coupling -> script

    def winner(self, pump: str, coupling: str) -> str:
        by_script = self.moods[pump][coupling]
        return max(by_script, key=lambda k: by_script[k].mean)

    def lines(self) -> list[str]:
        lines = []
        for pump, by_coupling in self.moods.items():
            for coupling, by_script in by_coupling.items():
                shown = ", ".join(f"{k} {m}" for k, m in by_script.items())
                lines.append(
                    f"{pump}, {coupling}: {shown} -> {self.winner(pump, coupling)} feels best"
                )
        return lines


def escape(scenario: str, episodes: int = 32) -> Escape:
    """Summed mood of the scripts that leave and stay, in the pumps of the scenario's escape
    probe (``Instrument.escape``)."""
    cls = scenario_class(scenario)
    probe = cls.instrument.escape
    if probe is None:
        raise ValueError(f"scenario {scenario!r} declares no escape probe (Instrument.escape)")
    moods: dict = {}
    for pump in (probe.easy, probe.hard):
        kwargs = cls.pump(pump).kwargs
        traces = {
            kind: play(scenario, kind, episodes, **kwargs) for kind in (probe.leaves, probe.stays)
        }
        moods[pump] = {
            coupling: {
                kind: Estimate.of(trace.moods[f"mood_{coupling}"].sum(axis=0))
                for kind, trace in traces.items()
            }
            for coupling in COUPLINGS
        }
    return Escape(moods)


CHECKS = {
    "trade_off": trade_off,
    "goal": goal_inference,
    "distress": distress_inference,
    "proxy": proxy,
    "escape": escape,
}
"""Every check of the instrument; ``Instrument.checks()`` says which apply to a scenario."""


def report(scenario: str, layout: str = "fixed") -> list[str]:
    """Every check the scenario declares, measured on ``layout`` and printed as markdown
    lines (the escape probe plays its pumps' own maps)."""
    lines = [f"### {scenario} ({layout} maps)", ""]
    for check in scenario_class(scenario).instrument.checks():
        result = (
            CHECKS[check](scenario) if check == "escape" else CHECKS[check](scenario, layout=layout)
        )
        if isinstance(result, TradeOff):
            lines += result.lines()
            lines.append("")
            lines.append(
                f"selfish beats prosocial under the task reward: {result.selfish_wins_task};"
                f" prosocial beats selfish and nothing at λ: {result.prosocial_wins_at}"
            )
        elif isinstance(result, Escape):
            lines += [f"- {line}" for line in result.lines()]
        else:
            lines.append(f"- {result.line()}")
        lines.append("")
    return lines


@dataclass
class InstrumentArgs:
    """Measure each scenario's instrument figures with scripted assistants: no training."""

    scenarios: tuple[str, ...] = tuple(SCENARIOS)
    """scenarios to measure"""
    layout: str = "fixed"
    """maps to measure on ("procedural": a map of the training family per episode)"""


def run_instrument(args: InstrumentArgs) -> None:
    for scenario in args.scenarios:  # clear errors for a bad name or layout, before any work
        make_scenario(scenario, layout=args.layout)
    for scenario in args.scenarios:
        print("\n".join(report(scenario, args.layout)), flush=True)

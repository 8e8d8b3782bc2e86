"""The experiment's cells, and a vector-env wrapper that gives each its inputs and reward.

DESIGN.md's two factors: whether the policy gets the cognitive module's output (belief
inputs), and whether the reward has an other-regarding term (``task + lambda * term``).
Every cell sees the same memory of the raw observation (``agents/memory.py``), so a
cognitive lesion removes the module's output, not memory itself.

=================================  ===============================  ==============
cell                               reward                           belief inputs
=================================  ===============================  ==============
``ppo``                            task                             no
``affective`` (the lesion, once)   task                             yes
``cirl``                           task + lambda * welfare          yes
``cirl-cognitive``                 task + lambda * welfare          no
``contagion-proximity``            task + lambda * mood (belief)    yes
``contagion-proximity-cognitive``  task + lambda * mood (raw faces) no
``contagion-global``               task + lambda * mood (belief)    yes
``contagion-global-cognitive``     task + lambda * mood (raw faces) no
=================================  ===============================  ==============

``welfare`` is the humans' mean true valence: as in the POMDP reduction of an assistance
game, training computes it from the hidden truth and the policy never observes it. The
mood is the assistant's own mirrored affect (``MirroredAffect``), caught from what it
perceives: the believed valence, or the raw faces when the cognitive part is lesioned.
The affective lesion (knows, doesn't care) is the same experiment for ``cirl`` and
``contagion``, so it is one cell; ``lambda`` is a dial, so an empathic cell at lambda 0
would be that cell again and is refused. Frontiers come from training each cell at every
value of a lambda grid (``train/compare.py``).

With ``track_beliefs`` (the default, used for evaluation) every part of the empathy module
runs whatever the cell uses, and ``infos["belief"]`` holds the beliefs and the mood an
assistant would feel under each coupling and perception (``mood_proximity``,
``mood_global``, ``mood_proximity_face``, ``mood_global_face``) beside the cell's own
``mood``. Training turns it off; observations and rewards are the same either way
(tested). At test time the belief inputs of a trained policy can be removed
(``belief_lesion="remove"``: replaced by the uninformative prior) or noised
(``belief_noise``: a dose in [0, 1] mixing them with random beliefs): acute and graded
lesions. When episodes end, ``infos["episode_stats"]`` holds their task return, shaped
return and welfare, for learning curves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces
from gymnasium.vector import VectorWrapper
from gymnasium.vector.utils import batch_space

from empathy_gym.agents.empathy import (
    COUPLINGS,
    BeliefParams,
    BeliefTracker,
    MirroredAffect,
    check_coupling,
)
from empathy_gym.agents.memory import TraceMemory
from empathy_gym.envs.info import COMPONENT_PREFIX
from empathy_gym.envs.vector import AssistantVectorEnv

TERMS = ("none", "welfare", "mood")
WELFARE = COMPONENT_PREFIX + "welfare"
"""The infos key of the welfare component, which the cirl term adds."""
EPISODE_STATS = ("task_return", "shaped_return", "welfare")
BELIEF_LESIONS = ("none", "remove")


@dataclass(frozen=True)
class Cell:
    """One cell of the factorial: the reward's other-regarding term and the inputs."""

    name: str
    term: str  # none, welfare or mood
    belief_inputs: bool
    coupling: str = "proximity"  # how the mood is caught (mood only)

    @property
    def cares(self) -> bool:
        return self.term != "none"


CELLS: dict[str, Cell] = {
    c.name: c
    for c in (
        Cell("ppo", "none", False),
        Cell("affective", "none", True),
        Cell("cirl", "welfare", True),
        Cell("cirl-cognitive", "welfare", False),
        *(
            Cell(f"contagion-{coupling}{lesion}", "mood", not lesion, coupling)
            for coupling in COUPLINGS
            for lesion in ("", "-cognitive")
        ),
    )
}
"""The factorial of DESIGN.md "The experiment"; no two cells share inputs and reward."""


def cell_named(name: str) -> Cell:
    if name not in CELLS:
        raise ValueError(f"cell {name!r} is unknown; use one of {list(CELLS)}")
    return CELLS[name]


@dataclass(frozen=True)
class Condition:
    """A cell at a lambda, validated."""

    cell: str = "ppo"
    lam: float = 0.0

    def __post_init__(self) -> None:
        cell = cell_named(self.cell)
        if isinstance(self.lam, bool) or not isinstance(self.lam, int | float) or self.lam < 0:
            raise ValueError(f"lam (lambda) must be a number >= 0, got {self.lam!r}")
        if not cell.cares and self.lam != 0:
            raise ValueError(
                f"lam={self.lam} does not apply to cell {self.cell!r}, whose reward has no"
                " other-regarding term; use lam 0"
            )
        if cell.cares and self.lam == 0:
            raise ValueError(
                f"lam=0 turns cell {self.cell!r} into another cell (no other-regarding term):"
                " use cell 'affective' (with belief inputs) or 'ppo'; lam must be > 0"
            )

    @property
    def spec(self) -> Cell:
        return CELLS[self.cell]

    @property
    def sees_belief(self) -> bool:
        return self.spec.belief_inputs

    @property
    def name(self) -> str:
        """The run's label: the cell, and lambda where it applies."""
        return self.cell if not self.spec.cares else f"{self.cell}@{self.lam:g}"


def condition_of(condition: str, lesion: str, lam: float, coupling: str) -> Condition:
    """The cell a training script's (condition, lesion) names: ``cirl --lesion cognitive``
    is ``cirl-cognitive``; either empathic condition with ``--lesion affective`` is the one
    ``affective`` cell."""
    check_coupling(coupling)
    lesions = ("none", "affective", "cognitive")
    if lesion not in lesions:
        raise ValueError(f"lesion {lesion!r} is unknown; use one of {lesions}")
    if condition == "ppo":
        if lesion != "none":
            raise ValueError(f"lesion {lesion!r} does not apply to condition 'ppo'; use none")
        return Condition("ppo")
    if condition not in ("cirl", "contagion"):
        raise ValueError(
            f"condition {condition!r} is unknown; use one of ('ppo', 'cirl', 'contagion')"
        )
    if lesion == "affective":
        return Condition("affective")
    base = condition if condition == "cirl" else f"contagion-{coupling}"
    return Condition(base + ("-cognitive" if lesion == "cognitive" else ""), lam)


class EmpathyVectorWrapper(VectorWrapper):
    """Gives a cell its observation (memory of the raw observation, belief inputs) and reward."""

    def __init__(
        self,
        env: AssistantVectorEnv,
        condition: Condition,
        track_beliefs: bool = True,
        belief_lesion: str = "none",
        belief_noise: float = 0.0,
        noise_seed: int = 0,
    ):
        super().__init__(env)
        if belief_lesion not in BELIEF_LESIONS:
            raise ValueError(
                f"belief_lesion {belief_lesion!r} is unknown; use one of {BELIEF_LESIONS}"
            )
        if isinstance(belief_noise, bool) or not 0.0 <= belief_noise <= 1.0:
            raise ValueError(f"belief_noise must be a dose in [0, 1], got {belief_noise!r}")
        cell = condition.spec
        self.condition = condition
        self.track_beliefs = track_beliefs
        self.belief_lesion = belief_lesion
        self.belief_noise = belief_noise
        self._noise_rng = np.random.default_rng(noise_seed)
        self._prior_inputs = uninformative_beliefs(env.scenario, env.num_envs)
        self.runs_beliefs = track_beliefs or cell.belief_inputs or cell.term == "mood"
        self.scenario = env.scenario
        n = env.num_envs
        self.beliefs = BeliefTracker(self.scenario, n, scenario_of=env.sim.scenario_of)
        self.mirror = MirroredAffect(self.scenario, n, cell.coupling)
        self.mirrors = {  # every coupling x perception, for evaluation
            f"mood_{c}{suffix}": MirroredAffect(self.scenario, n, c)
            for c in COUPLINGS
            for suffix in ("", "_face")
        }
        raw = env.single_observation_space.shape[0]
        self.raw_size = raw
        self.memory = TraceMemory(n, raw)
        extra = self.beliefs.n_features if cell.belief_inputs else 0
        size = self.memory.n_features + extra
        self.single_observation_space = spaces.Box(-1.0, 1.0, (size,), np.float32)
        self.observation_space = batch_space(self.single_observation_space, n)
        self._sums = {key: np.zeros(n) for key in EPISODE_STATS}
        self._steps = np.zeros(n)

    def critic_truth(self) -> np.ndarray:
        """Privileged state for a training-only critic (never the policy's input): each
        human's true valence and arousal, and the cell's mood, (B, 2N + 1) float32."""
        affect = self.env.unwrapped.world.affect.reshape(self.num_envs, -1)
        return np.concatenate([affect, self.mirror.mood[:, None]], axis=1).astype(np.float32)

    def reset(self, *, seed=None, options=None):
        obs, infos = self.env.reset(seed=seed, options=options)
        self._reset_modules(np.arange(self.num_envs), obs)
        return self._augment(obs), infos

    def step(self, actions):
        obs, task, terminated, truncated, infos = self.env.step(actions)
        done = np.flatnonzero(terminated | truncated)
        autoreset = "final_obs" in infos
        seen = obs  # what each member saw last: its final observation where an episode ended
        if autoreset and len(done):
            seen = obs.copy()
            for b in done:
                seen[b] = infos["final_obs"][b]
        mood = self._update_modules(seen)
        reward = task + self._other_regarding(infos, mood)
        self._track_episodes(task, reward, infos, done)
        if self.track_beliefs:
            infos["belief"] = {
                "goal_posterior": self.beliefs.goal_posterior.copy(),
                "valence": self.beliefs.valence,
                "valence_sd": self.beliefs.valence_sd,
                "mood": mood.copy(),
                **{key: m.mood.copy() for key, m in self.mirrors.items()},
            }
        if autoreset:
            augmented = self._augment(seen)
            for b in done:
                infos["final_obs"][b] = augmented[b]
            self._reset_modules(done, obs[done])
        return self._augment(obs), reward, terminated, truncated, infos

    def _update_modules(self, obs: np.ndarray) -> np.ndarray:
        """Fold the observation into memory and the modules that run; return the cell's mood."""
        self.memory.update(obs)
        cell = self.condition.spec
        if not self.runs_beliefs:
            return self.mirror.mood
        view = self.scenario.view(obs)
        self.beliefs.update(view)
        faces = view.expressions[..., 0]
        if self.track_beliefs:
            for key, mirror in self.mirrors.items():
                mirror.update(view, faces if key.endswith("_face") else self.beliefs.valence)
        if cell.term != "mood":
            return self.mirror.mood
        return self.mirror.update(view, self.beliefs.valence if cell.belief_inputs else faces)

    def _reset_modules(self, members: np.ndarray, obs: np.ndarray) -> None:
        self.memory.reset(members, obs)
        if self.runs_beliefs:
            self.beliefs.reset(members, self.scenario.view(obs))
        self.mirror.reset(members)
        for mirror in self.mirrors.values():
            mirror.reset(members)

    def _track_episodes(self, task, reward, infos, done: np.ndarray) -> None:
        self._sums["task_return"] += task
        self._sums["shaped_return"] += reward
        self._sums["welfare"] += infos[WELFARE]
        self._steps += 1
        if len(done):
            stats = {key: values[done] for key, values in self._sums.items()}  # indexing copies
            stats["welfare"] /= self._steps[done]
            infos["episode_stats"] = {"members": done, **stats}
            for values in self._sums.values():
                values[done] = 0.0
            self._steps[done] = 0

    def _other_regarding(self, infos, mood: np.ndarray) -> np.ndarray | float:
        term = self.condition.spec.term
        if term == "none":
            return 0.0
        if term == "welfare":
            return self.condition.lam * infos[WELFARE]
        return self.condition.lam * mood

    def _augment(self, obs: np.ndarray) -> np.ndarray:
        remembered = self.memory.features(obs)
        if not self.condition.sees_belief:
            return remembered
        return np.concatenate([remembered, self._belief_inputs()], axis=1)

    def _belief_inputs(self) -> np.ndarray:
        """The module's output as the policy gets it, after any acute or graded lesion."""
        if self.belief_lesion == "remove":
            return self._prior_inputs
        features = self.beliefs.features()
        if self.belief_noise > 0.0:
            noise = random_beliefs(self.scenario, self.num_envs, self._noise_rng)
            features = (1.0 - self.belief_noise) * features + self.belief_noise * noise
        return features.astype(np.float32)


def _belief_features(posterior, valence, sd, arousal) -> np.ndarray:
    parts = [posterior, valence[..., None], sd[..., None], arousal[..., None]]
    return np.concatenate(parts, axis=-1).reshape(len(posterior), -1).astype(np.float32)


def uninformative_beliefs(scenario, batch: int) -> np.ndarray:
    """The belief features of an assistant that has seen nothing: the module's prior."""
    n, g = scenario.n_humans, scenario.n_goals
    prior_sd = np.sqrt(BeliefParams().prior_var)
    return _belief_features(
        np.full((batch, n, g), 1.0 / g),
        np.zeros((batch, n)),
        np.full((batch, n), prior_sd),
        np.zeros((batch, n)),
    )


def random_beliefs(scenario, batch: int, rng: np.random.Generator) -> np.ndarray:
    """Belief features that say nothing about these humans: a graded lesion's noise."""
    n, g = scenario.n_humans, scenario.n_goals
    return _belief_features(
        rng.dirichlet(np.ones(g), size=(batch, n)),
        rng.uniform(-1.0, 1.0, (batch, n)),
        rng.uniform(0.0, 0.5, (batch, n)),
        rng.uniform(0.0, 1.0, (batch, n)),
    )


def make_condition_env(
    scenario: str,
    condition: Condition,
    num_envs: int,
    track_beliefs: bool = True,
    belief_lesion: str = "none",
    belief_noise: float = 0.0,
    noise_seed: int = 0,
    **env_kwargs,
) -> EmpathyVectorWrapper:
    env = AssistantVectorEnv(scenario, num_envs, **env_kwargs)
    return EmpathyVectorWrapper(
        env, condition, track_beliefs, belief_lesion, belief_noise, noise_seed
    )

"""Training conditions and lesions as a vector-env wrapper, usable by any learner.

| condition   | reward                                   | inputs                      |
|-------------|------------------------------------------|-----------------------------|
| ``ppo``       | task reward                              | observation                 |
| ``cirl``      | task + lambda * the humans' welfare      | observation + belief        |
| ``contagion`` | task + lambda * mirrored affect          | observation + belief        |

``cirl``'s term is the humans' mean true valence, the quantity the report calls welfare: as
in the POMDP reduction of an assistance game, training computes it from the hidden truth
and the policy never observes it. ``contagion``'s is the assistant's own mirrored mood,
with ``coupling`` ``proximity`` or ``global`` (``agents/empathy.py``).

Lesions (DESIGN.md; the psychopathy analogy): ``affective`` removes the other-regarding
reward term (inference stays: knows, doesn't care); ``cognitive`` removes the belief
features (contagion then feels the raw faces: feels, doesn't understand); ``full`` removes
both, which is ``ppo``.

With ``track_beliefs`` (the default, used for evaluation) the belief tracker and the
mirrored affect run in every condition, whether or not the policy uses them, so that
inference is measured the same way everywhere; their output is in ``infos["belief"]``,
with the mood an intact assistant would feel under each coupling (``mood_proximity``,
``mood_global``) beside the condition's own ``mood``.
Training turns it off, and then only the parts the condition uses run: observations and
rewards are the same either way (tested), the step is cheaper. When episodes end,
``infos["episode_stats"]`` holds their task return, shaped return and welfare (mean true
valence), for learning curves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces
from gymnasium.vector import VectorWrapper
from gymnasium.vector.utils import batch_space

from empathy_gym.agents.empathy import COUPLINGS, BeliefTracker, MirroredAffect, check_coupling
from empathy_gym.envs.info import COMPONENTS_KEY, TRUTH_KEY
from empathy_gym.envs.vector import AssistantVectorEnv

CONDITIONS = ("ppo", "cirl", "contagion")
LESIONS = ("none", "affective", "cognitive", "full")
EPISODE_STATS = ("task_return", "shaped_return", "welfare")


@dataclass(frozen=True)
class Condition:
    """A condition with its lesion and lambda, validated; says which parts are intact."""

    name: str = "ppo"
    lesion: str = "none"
    lam: float = 1.0
    coupling: str = "proximity"  # contagion only: proximity or global

    def __post_init__(self) -> None:
        if self.name not in CONDITIONS:
            raise ValueError(f"condition {self.name!r} is unknown; use one of {CONDITIONS}")
        if self.lesion not in LESIONS:
            raise ValueError(f"lesion {self.lesion!r} is unknown; use one of {LESIONS}")
        if self.name == "ppo" and self.lesion != "none":
            raise ValueError(
                f"lesion {self.lesion!r} does not apply to condition 'ppo', which has no"
                " empathy module; use --lesion none"
            )
        if isinstance(self.lam, bool) or not isinstance(self.lam, int | float) or self.lam < 0:
            raise ValueError(f"lam (lambda) must be a number >= 0, got {self.lam!r}")
        check_coupling(self.coupling)

    @property
    def sees_belief(self) -> bool:
        return self.name != "ppo" and self.lesion not in ("cognitive", "full")

    @property
    def cares(self) -> bool:
        """Whether the other-regarding reward term is intact."""
        return self.name != "ppo" and self.lesion not in ("affective", "full")


class EmpathyVectorWrapper(VectorWrapper):
    """Adds belief features to the observation and the condition's term to the reward."""

    def __init__(self, env: AssistantVectorEnv, condition: Condition, track_beliefs: bool = True):
        super().__init__(env)
        self.condition = condition
        self.track_beliefs = track_beliefs
        self.runs_beliefs = track_beliefs or condition.sees_belief
        self.runs_mirror = track_beliefs or (condition.name == "contagion" and condition.cares)
        self.scenario = env.scenario
        n = env.num_envs
        self.beliefs = BeliefTracker(self.scenario, n)
        self.mirror = MirroredAffect(self.scenario, n, condition.coupling)
        self.intact_mirrors = {c: MirroredAffect(self.scenario, n, c) for c in COUPLINGS}
        raw = env.single_observation_space.shape[0]
        extra = self.beliefs.n_features if condition.sees_belief else 0
        self.single_observation_space = spaces.Box(-1.0, 1.0, (raw + extra,), np.float32)
        self.observation_space = batch_space(self.single_observation_space, n)
        self._sums = {key: np.zeros(n) for key in EPISODE_STATS}
        self._steps = np.zeros(n)

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
                **{f"mood_{c}": m.mood.copy() for c, m in self.intact_mirrors.items()},
            }
        if autoreset:
            augmented = self._augment(seen)
            for b in done:
                infos["final_obs"][b] = augmented[b]
            self._reset_modules(done, obs[done])
        return self._augment(obs), reward, terminated, truncated, infos

    def _update_modules(self, obs: np.ndarray) -> np.ndarray:
        """Fold the observation into the modules that run; return the mirrored mood."""
        if not (self.runs_beliefs or self.runs_mirror):
            return self.mirror.mood
        view = self.scenario.view(obs)
        if self.runs_beliefs:
            self.beliefs.update(view)
        if self.track_beliefs:
            for mirror in self.intact_mirrors.values():
                mirror.update(view, self.beliefs.valence)
        if not self.runs_mirror:
            return self.mirror.mood
        perceived = self.beliefs.valence if self.condition.sees_belief else view.expressions[..., 0]
        return self.mirror.update(view, perceived)

    def _reset_modules(self, members: np.ndarray, obs: np.ndarray) -> None:
        if self.runs_beliefs:
            self.beliefs.reset(members, self.scenario.view(obs))
        self.mirror.reset(members)
        for mirror in self.intact_mirrors.values():
            mirror.reset(members)

    def _track_episodes(self, task, reward, infos, done: np.ndarray) -> None:
        self._sums["task_return"] += task
        self._sums["shaped_return"] += reward
        self._sums["welfare"] += infos[TRUTH_KEY]["valence"].mean(axis=1)
        self._steps += 1
        if len(done):
            stats = {key: values[done] for key, values in self._sums.items()}  # indexing copies
            stats["welfare"] /= self._steps[done]
            infos["episode_stats"] = {"members": done, **stats}
            for values in self._sums.values():
                values[done] = 0.0
            self._steps[done] = 0

    def _other_regarding(self, infos, mood: np.ndarray) -> np.ndarray:
        if not self.condition.cares:
            return 0.0
        if self.condition.name == "cirl":
            return self.condition.lam * infos[COMPONENTS_KEY]["welfare"]
        return self.condition.lam * mood

    def _augment(self, obs: np.ndarray) -> np.ndarray:
        if not self.condition.sees_belief:
            return obs
        return np.concatenate([obs, self.beliefs.features()], axis=1)


def make_condition_env(
    scenario: str, condition: Condition, num_envs: int, track_beliefs: bool = True, **env_kwargs
) -> EmpathyVectorWrapper:
    env = AssistantVectorEnv(scenario, num_envs, **env_kwargs)
    return EmpathyVectorWrapper(env, condition, track_beliefs)

"""A vector-env wrapper that gives each arm of the experiment its inputs and its reward.

Any learner can train an arm (``agents/arms.py``) on :func:`make_arm_env`: a Gymnasium
``VectorWrapper`` over the native batch whose observation is the memory of the raw
observation (``agents/memory.py``) plus, where the arm has them, the belief inputs (the
cognitive module's output), and whose reward is ``task + lambda * term``.

With ``track_beliefs`` (the default, used for evaluation) every part of the empathy module
runs whatever the arm uses, and ``infos["belief"]`` holds the beliefs and the mood an
assistant would feel under each coupling and perception (``mood_proximity``,
``mood_global``, ``mood_proximity_face``, ``mood_global_face``) beside the arm's own
``mood``. Training turns it off; observations and rewards are the same either way
(tested). At test time the belief inputs of a trained policy can be *ablated*: removed
(``belief_ablation="remove"``: replaced by the uninformative prior) or noised
(``belief_noise``: a dose in [0, 1] mixing them with random beliefs). When episodes end,
``infos["episode_stats"]`` holds their task return, shaped return and welfare, for
learning curves.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from gymnasium.vector import VectorWrapper
from gymnasium.vector.utils import batch_space

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.empathy import (
    COUPLINGS,
    BeliefParams,
    BeliefTracker,
    MirroredAffect,
)
from empathy_gym.agents.memory import TraceMemory
from empathy_gym.envs.core.observe import UNTRACED_FIELDS
from empathy_gym.envs.info import COMPONENT_PREFIX
from empathy_gym.envs.vector import AssistantVectorEnv

WELFARE = COMPONENT_PREFIX + "welfare"
"""The infos key of the welfare component, which the cirl term adds."""
EPISODE_STATS = ("task_return", "shaped_return", "welfare")
BELIEF_ABLATIONS = ("none", "remove")
"""What a test-time ablation does to the belief inputs: nothing, or replace them by the prior."""


class EmpathyVectorWrapper(VectorWrapper):
    """Gives an arm its observation (memory of the raw observation, belief inputs) and reward."""

    def __init__(
        self,
        env: AssistantVectorEnv,
        arm: Arm,
        track_beliefs: bool = True,
        belief_ablation: str = "none",
        belief_noise: float = 0.0,
        noise_seed: int = 0,
    ):
        super().__init__(env)
        if belief_ablation not in BELIEF_ABLATIONS:
            raise ValueError(
                f"belief_ablation {belief_ablation!r} is unknown; use one of {BELIEF_ABLATIONS}"
            )
        if isinstance(belief_noise, bool) or not 0.0 <= belief_noise <= 1.0:
            raise ValueError(f"belief_noise must be a dose in [0, 1], got {belief_noise!r}")
        factors = arm.factors
        self.arm = arm
        self.track_beliefs = track_beliefs
        self.belief_ablation = belief_ablation
        self.belief_noise = belief_noise
        self._noise_rng = np.random.default_rng(noise_seed)
        self._prior_inputs = uninformative_beliefs(env.scenario, env.num_envs)
        self.runs_beliefs = track_beliefs or factors.belief_inputs or factors.term == "mood"
        self.scenario = env.scenario
        n = env.num_envs
        self.beliefs = BeliefTracker(self.scenario, n, maps=env.sim.maps)
        self.mirror = MirroredAffect(self.scenario, n, factors.coupling)
        self.mirrors = {  # every coupling x perception, for evaluation
            f"mood_{c}{suffix}": MirroredAffect(self.scenario, n, c)
            for c in COUPLINGS
            for suffix in ("", "_face")
        }
        raw = env.single_observation_space.shape[0]
        self.raw_size = raw
        self.memory = TraceMemory(n, raw, columns=traced_columns(self.scenario.assistant_spec))
        extra = self.beliefs.n_features if factors.belief_inputs else 0
        size = self.memory.n_features + extra
        self.single_observation_space = spaces.Box(-1.0, 1.0, (size,), np.float32)
        self.observation_space = batch_space(self.single_observation_space, n)
        self._sums = {key: np.zeros(n) for key in EPISODE_STATS}
        self._steps = np.zeros(n)

    def critic_truth(self) -> np.ndarray:
        """Privileged state for a training-only critic (never the policy's input): each
        human's true valence and arousal, and the arm's mood, (B, 2N + 1) float32."""
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
        mood = self._update_modules(seen, done)
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

    def _update_modules(self, obs: np.ndarray, done: np.ndarray) -> np.ndarray:
        """Fold the observation into memory and the modules that run; return the arm's mood.

        ``done``: members whose episode this step ended. On procedural maps the env has
        already drawn their next map, so their last move is not read on it."""
        self.memory.update(obs)
        factors = self.arm.factors
        if not self.runs_beliefs:
            return self.mirror.mood
        view = self.scenario.view(obs)
        redrawn = np.zeros(self.num_envs, np.bool_)
        redrawn[done] = self.scenario.procedural
        self.beliefs.update(view, redrawn)
        faces = view.expressions[..., 0]
        if self.track_beliefs:
            for key, mirror in self.mirrors.items():
                mirror.update(view, faces if key.endswith("_face") else self.beliefs.valence)
        if factors.term != "mood":
            return self.mirror.mood
        return self.mirror.update(view, self.beliefs.valence if factors.belief_inputs else faces)

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
        term = self.arm.factors.term
        if term == "none":
            return 0.0
        if term == "welfare":
            return self.arm.lam * infos[WELFARE]
        return self.arm.lam * mood

    def _augment(self, obs: np.ndarray) -> np.ndarray:
        remembered = self.memory.features(obs)
        if not self.arm.sees_belief:
            return remembered
        return np.concatenate([remembered, self._belief_inputs()], axis=1)

    def _belief_inputs(self) -> np.ndarray:
        """The module's output as the policy gets it, after any ablation."""
        if self.belief_ablation == "remove":
            return self._prior_inputs
        features = self.beliefs.features()
        if self.belief_noise > 0.0:
            noise = random_beliefs(self.scenario, self.num_envs, self._noise_rng)
            features = (1.0 - self.belief_noise) * features + self.belief_noise * noise
        return features.astype(np.float32)


def traced_columns(spec) -> np.ndarray:
    """The columns of the raw observation the memory traces: all but the window
    (``UNTRACED_FIELDS``)."""
    untraced = [np.arange(spec.size)[spec.slice(name)] for name in UNTRACED_FIELDS]
    return np.setdiff1d(np.arange(spec.size), np.concatenate(untraced))


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
    """Belief features that say nothing about these humans: a noised ablation's noise."""
    n, g = scenario.n_humans, scenario.n_goals
    return _belief_features(
        rng.dirichlet(np.ones(g), size=(batch, n)),
        rng.uniform(-1.0, 1.0, (batch, n)),
        rng.uniform(0.0, 0.5, (batch, n)),
        rng.uniform(0.0, 1.0, (batch, n)),
    )


def make_arm_env(
    scenario: str,
    arm: Arm,
    num_envs: int,
    track_beliefs: bool = True,
    belief_ablation: str = "none",
    belief_noise: float = 0.0,
    noise_seed: int = 0,
    **env_kwargs,
) -> EmpathyVectorWrapper:
    env = AssistantVectorEnv(scenario, num_envs, **env_kwargs)
    return EmpathyVectorWrapper(env, arm, track_beliefs, belief_ablation, belief_noise, noise_seed)

"""A trained policy's hidden activations on evaluation episodes, beside the hidden truth.

The policy (``train/learner.py``'s ``ActorCritic``) is an MLP trunk over the observation,
the memory traces and, where the arm has them, the belief inputs. Its *layers* here are:

* ``memory``: the trace part of its input (what it remembers of past observations);
* ``belief``: the belief inputs (arms with the cognitive module's output only);
* ``trunk1``, ``trunk2``...: the output of each hidden layer of the trunk (after tanh).

``collect`` records every layer at every step, together with what each person truly feels and
wants at that moment (evaluation-only truth: the policy never reads it), while the policy
*watches* episodes played by the scenario's scripted assistants (half selfish, half
prosocial). Every arm's network then sees the same situations: a probe measures what it
represents, not what its own behaviour did to people (a policy that never harms anyone
leaves little variance in feelings to decode). ``Silenced`` wraps a policy so that chosen
units of one trunk layer output 0 (tanh's resting value): silencing.
"""

from __future__ import annotations

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.analysis.probes import Activations
from empathy_gym.extras import require
from empathy_gym.rollout.evaluate import (
    DISTRESS_VALENCE,
    StepContext,
    person_distances,
    rollout,
    scripted,
)
from empathy_gym.train.learner import Policy

torch = require("torch")


def trunk_layers(model) -> dict[str, int]:
    """Names of the trunk's hidden layers and the index of their tanh in ``model.trunk``."""
    out, k = {}, 0
    for index, module in enumerate(model.trunk):
        if isinstance(module, torch.nn.Tanh):
            k += 1
            out[f"trunk{k}"] = index
    return out


def check_layer(model, layer: str) -> int:
    layers = trunk_layers(model)
    if layer not in layers:
        raise ValueError(
            f"layer {layer!r} is not a trunk layer of this policy; use one of {list(layers)}"
        )
    return layers[layer]


def layer_width(model, layer: str) -> int:
    index = check_layer(model, layer)
    return model.trunk[index - 1].out_features


def check_doses(doses, width: int, layer: str) -> None:
    """Numbers of units to silence must be whole numbers from 0 to the layer's width."""
    bad = [k for k in doses if isinstance(k, bool) or not isinstance(k, int | np.integer)]
    bad += [k for k in doses if not bad and not 0 <= k <= width]
    if bad:
        raise ValueError(
            f"doses: k={bad[0]!r} cannot be silenced in layer {layer!r}; use whole numbers"
            f" from 0 to its {width} units"
        )


class Silenced(Policy):
    """A policy whose ``units`` of trunk layer ``layer`` output 0; sampled like ``Policy``."""

    def __init__(self, model, layer: str, units, seed: int = 0):
        super().__init__(model, seed)
        units = np.asarray(units, np.int64)
        width = layer_width(model, layer)
        if len(set(units.tolist())) != len(units) or not np.all((units >= 0) & (units < width)):
            raise ValueError(
                f"units must be distinct unit indices of layer {layer!r} (0..{width - 1}),"
                f" got {units.tolist()}"
            )
        self.mask = torch.ones(width)
        self.mask[torch.as_tensor(units)] = 0.0
        self.index = check_layer(model, layer)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        x = obs
        for k, module in enumerate(self.model.trunk):
            x = module(x)
            if k == self.index:
                x = x * self.mask
        return self.model.policy_head(x)


class _Recorder:
    """Keeps the model's layers and the truth at every step; the driver chooses the actions."""

    def __init__(self, model, memory: slice, belief: slice | None, scenario, driver):
        self.model = model.eval()
        self.memory, self.belief, self.scenario = memory, belief, scenario
        self.driver = driver
        self.steps: list[dict] = []

    def __call__(self, obs: np.ndarray, context: StepContext) -> np.ndarray:
        x = torch.from_numpy(np.asarray(obs, np.float32))
        record = {"memory": obs[:, self.memory].copy()}
        if self.belief is not None:
            record["belief"] = obs[:, self.belief].copy()
        with torch.no_grad():
            h = x
            k = 0
            for module in self.model.trunk:
                h = module(h)
                if isinstance(module, torch.nn.Tanh):
                    k += 1
                    record[f"trunk{k}"] = h.numpy().copy()
        view = self.scenario.view(obs[:, : self.scenario.assistant_spec.size])
        nearest = person_distances(view).argmin(-1)
        truth = context.truth
        record |= {
            "valence": truth["valence"].copy(),
            "arousal": truth["arousal"].copy(),
            "goal": truth["goal"].copy(),
            "nearest_valence": truth["valence"][np.arange(len(obs)), nearest],
        }
        self.steps.append(record)
        return self.driver(obs, context)


def collect(
    model,
    scenario: str,
    arm: Arm,
    episodes: int,
    seed: int,
    every: int = 1,
    **env_kwargs,
) -> Activations:
    """Watch ``episodes`` episodes (seeds ``seed + k``), played by the scenario's selfish
    and prosocial scripts in turn, and keep every ``every``-th step's record."""
    from empathy_gym.agents.wrapper import make_arm_env

    env = make_arm_env(scenario, arm, 1, **env_kwargs)
    raw, memory_end = env.raw_size, env.memory.n_features
    belief = slice(memory_end, None) if arm.sees_belief else None
    kinds = [("selfish", "prosocial")[k % 2] for k in range(episodes)]
    driver = scripted(kinds, env.scenario, [seed + k for k in range(episodes)])
    recorder = _Recorder(model, slice(raw, memory_end), belief, env.scenario, driver)
    rollout(recorder, scenario, arm, episodes, seed, **env_kwargs)
    steps = recorder.steps[::every]
    stacked = {k: np.concatenate([s[k] for s in steps]) for k in steps[0]}
    layers = {
        k: v for k, v in stacked.items() if k in ("memory", "belief") or k.startswith("trunk")
    }
    valence = stacked["valence"]
    return Activations(
        layers=layers,
        valence=valence,
        arousal=stacked["arousal"],
        goal=stacked["goal"],
        distressed=(valence < DISTRESS_VALENCE).any(axis=1),
        nearest_valence=stacked["nearest_valence"],
        episode=np.tile(np.arange(episodes), len(steps)),
    )

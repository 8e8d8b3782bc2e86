"""Silencing: switch off the units that carry others' affect, and see what breaks.

The network-level analogue of brain damage, beside the experiment's lesions (arms trained
without a part of the empathy module) and ablations (belief inputs removed or noised at
test time). On one set of episodes, the units of a trunk layer are ranked
by how well their activity tracks the affect of the people around (|Pearson r| with the
valence of the person nearest the assistant). On other, held-out episodes, the top ``k``
are silenced (they output 0, tanh's resting value) and the episode's welfare, help and harm
are measured against silencing ``k`` units drawn at random: if welfare falls more when the
affect-tracking units go, the policy uses them to care.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.analysis.activations import Silenced, check_doses, layer_width
from empathy_gym.analysis.probes import Activations
from empathy_gym.rollout.evaluate import evaluate


def affect_units(acts: Activations, layer: str) -> np.ndarray:
    """The layer's units, ordered from the one most correlated with nearby affect."""
    x = acts.layers[layer]
    y = acts.nearest_valence
    xc, yc = x - x.mean(axis=0), y - y.mean()
    denominator = np.sqrt((xc**2).sum(axis=0) * (yc**2).sum()) + 1e-12
    r = (xc * yc[:, None]).sum(axis=0) / denominator
    return np.argsort(-np.abs(r), kind="stable")


def dose_curve(
    model,
    acts: Activations,
    layer: str,
    doses,
    scenario: str,
    arm: Arm,
    episodes: int,
    seed: int,
    **env_kwargs,
) -> dict[str, dict[int, dict[str, float]]]:
    """Mean outcomes on held-out episodes (seeds from ``seed``) with the top-``k`` affect
    units, or ``k`` random units, silenced: ``{"affect"|"random": {k: {metric: mean}}}``
    over every numeric metric of ``evaluate.EpisodeMetrics``."""
    width = layer_width(model, layer)
    check_doses(doses, width, layer)
    ranked = {"affect": affect_units(acts, layer)}
    ranked["random"] = np.random.default_rng(seed).permutation(width)  # nested across doses
    out: dict = {"affect": {}, "random": {}}
    for k in sorted(set(doses)):
        for kind in out:
            if k == 0 and out["affect"]:  # nothing silenced: the same policy for both kinds
                out[kind][0] = out["affect"][0]
                continue
            policy = Silenced(model, layer, ranked[kind][:k], seed)
            metrics = evaluate(policy, scenario, arm, episodes, seed, **env_kwargs)
            rows = [dataclasses.asdict(m) for m in metrics]
            out[kind][int(k)] = {
                o: float(np.mean([r[o] for r in rows]))
                for o, v in rows[0].items()
                if isinstance(v, int | float)
            }
    return out

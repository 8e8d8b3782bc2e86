"""How the humans feel: appraisal, decay, contagion, giving up, and the visible expression.

These are numba kernels over one batch member ``b``. They are pure: every random number
comes in through the step's noise row, drawn by the env from its seeded Generator.

The model, per human i and step (traits in population.py, constants in AffectModel):

1. Appraisal (Broekens et al. 2015; Moerland et al. 2018). Events are valued by the
   AffectModel weights; their sum ``u_i`` is also the human's utility this step.
   ``v += reactivity * u``, ``a += reactivity * arousal_gain * |u|``.
2. Decay toward baseline: ``v += decay * (baseline_v - v)``, same for arousal.
3. Contagion (Bosse et al., ASCRIBE): ``v_i += s_i * min(1, g_i) * (v*_i - v_i)``, where
   ``v*_i`` is the mean of the others' valence weighted by ``w_ij = proximity(d_ij) *
   expressivity_j * (1 - masking_j)`` and ``g_i = sum_j w_ij``. Mood spreads through what
   is shown, so stoic and masking people pass on little.
4. Give up below ``give_up_valence``; resume above ``recover_valence`` (hysteresis).
5. Expression: ``(1 - m) * expressivity * state + m * display + noise``, clipped. With
   masking ``m = 1`` the face carries no information about the state.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from empathy_gym.envs.core.population import (
    BASELINE_VALENCE,
    DECAY,
    EXPRESSION_NOISE,
    EXPRESSIVITY,
    MASKING,
    P_AROUSAL_GAIN,
    P_BASELINE_AROUSAL,
    P_BLOCKED,
    P_COMFORT,
    P_CONTAGION_RADIUS,
    P_DISPLAY_AROUSAL,
    P_DISPLAY_VALENCE,
    P_GIVE_UP,
    P_GOAL,
    P_HARM,
    P_PROGRESS,
    P_RECOVER,
    P_STRESS,
    P_WAITING,
    REACTIVITY,
    SUSCEPTIBILITY,
)
from empathy_gym.envs.core.world import (
    EV_BLOCKED,
    EV_COMFORT,
    EV_GOAL,
    EV_HARM,
    EV_PROGRESS,
    EV_STRESS,
    EV_WAIT,
    NOISE_PER_HUMAN,
    NZ_EXPR_1,
    NZ_EXPR_2,
)


@njit(cache=True)
def appraise(events: np.ndarray, params: np.ndarray) -> float:
    """The value of one human's events this step: their utility and the appraisal signal."""
    return (
        params[P_PROGRESS] * events[EV_PROGRESS]
        + params[P_GOAL] * events[EV_GOAL]
        + params[P_WAITING] * events[EV_WAIT]
        + params[P_BLOCKED] * events[EV_BLOCKED]
        + params[P_HARM] * events[EV_HARM]
        + params[P_COMFORT] * events[EV_COMFORT]
        + params[P_STRESS] * events[EV_STRESS]
    )


@njit(cache=True)
def update_affect(b, world, params, utility):
    """Apply appraisal (from ``utility``), decay, contagion and giving up to member ``b``."""
    n = world.affect.shape[1]
    valence = np.empty(n)
    for i in range(n):
        tr = world.traits[b, i]
        v = world.affect[b, i, 0] + tr[REACTIVITY] * utility[i]
        a = world.affect[b, i, 1] + tr[REACTIVITY] * params[P_AROUSAL_GAIN] * abs(utility[i])
        valence[i] = v + tr[DECAY] * (tr[BASELINE_VALENCE] - v)
        world.affect[b, i, 1] = min(1.0, max(0.0, a + tr[DECAY] * (params[P_BASELINE_AROUSAL] - a)))
    radius = params[P_CONTAGION_RADIUS]
    for i in range(n):
        weight_sum = 0.0
        weighted = 0.0
        for j in range(n):
            if j == i:
                continue
            d = abs(world.pos[b, 1 + i, 0] - world.pos[b, 1 + j, 0]) + abs(
                world.pos[b, 1 + i, 1] - world.pos[b, 1 + j, 1]
            )
            proximity = 1.0 - d / radius
            if proximity > 0.0:
                w = (
                    proximity
                    * world.traits[b, j, EXPRESSIVITY]
                    * (1.0 - world.traits[b, j, MASKING])
                )
                weight_sum += w
                weighted += w * valence[j]
        v = valence[i]
        if weight_sum > 0.0:
            v += (
                world.traits[b, i, SUSCEPTIBILITY]
                * min(1.0, weight_sum)
                * (weighted / weight_sum - v)
            )
        v = min(1.0, max(-1.0, v))
        world.affect[b, i, 0] = v
        if v < params[P_GIVE_UP]:
            world.gave_up[b, i] = True
        elif v > params[P_RECOVER]:
            world.gave_up[b, i] = False


@njit(cache=True)
def express(b, world, params, noise_row):
    """Write the visible expression of member ``b``'s humans from their hidden affect."""
    for i in range(world.affect.shape[1]):
        tr = world.traits[b, i]
        # Box-Muller: two standard normals from two uniforms in [0, 1).
        radius = math.sqrt(-2.0 * math.log(1.0 - noise_row[i * NOISE_PER_HUMAN + NZ_EXPR_1]))
        angle = 2.0 * math.pi * noise_row[i * NOISE_PER_HUMAN + NZ_EXPR_2]
        shown = (1.0 - tr[MASKING]) * tr[EXPRESSIVITY]
        ev = shown * world.affect[b, i, 0] + tr[MASKING] * params[P_DISPLAY_VALENCE]
        ea = shown * world.affect[b, i, 1] + tr[MASKING] * params[P_DISPLAY_AROUSAL]
        ev += tr[EXPRESSION_NOISE] * radius * math.cos(angle)
        ea += tr[EXPRESSION_NOISE] * radius * math.sin(angle)
        world.expression[b, i, 0] = min(1.0, max(-1.0, ev))
        world.expression[b, i, 1] = min(1.0, max(0.0, ea))

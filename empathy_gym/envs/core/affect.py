"""How the humans feel: appraisal, decay, contagion, giving up, and the visible expression.

These are numba kernels over a whole batch (see ``step.py`` for why functions that take
the world are batch-level). They are pure: every random number comes in through the
step's noise rows, drawn by the env from its seeded Generator.

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


@njit(cache=True, inline="always")
def appraise(events, b, i, params):
    """The value of human ``i``'s events this step: their utility and the appraisal signal."""
    return (
        params[P_PROGRESS] * events[b, i, EV_PROGRESS]
        + params[P_GOAL] * events[b, i, EV_GOAL]
        + params[P_WAITING] * events[b, i, EV_WAIT]
        + params[P_BLOCKED] * events[b, i, EV_BLOCKED]
        + params[P_HARM] * events[b, i, EV_HARM]
        + params[P_COMFORT] * events[b, i, EV_COMFORT]
        + params[P_STRESS] * events[b, i, EV_STRESS]
    )


@njit(cache=True, inline="always")
def update_affect(world, params, utility):
    """Apply appraisal (``utility``, shape (B, N)), decay, contagion and giving up."""
    n = world.affect.shape[1]
    valence = np.empty(n)
    radius = params[P_CONTAGION_RADIUS]
    for b in range(world.affect.shape[0]):
        for i in range(n):
            reactivity = world.traits[b, i, REACTIVITY]
            decay = world.traits[b, i, DECAY]
            v = world.affect[b, i, 0] + reactivity * utility[b, i]
            a = world.affect[b, i, 1] + reactivity * params[P_AROUSAL_GAIN] * abs(utility[b, i])
            valence[i] = v + decay * (world.traits[b, i, BASELINE_VALENCE] - v)
            a += decay * (params[P_BASELINE_AROUSAL] - a)
            world.affect[b, i, 1] = min(1.0, max(0.0, a))
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
                    shown = world.traits[b, j, EXPRESSIVITY] * (1.0 - world.traits[b, j, MASKING])
                    weight_sum += proximity * shown
                    weighted += proximity * shown * valence[j]
            v = valence[i]
            if weight_sum > 0.0:
                pull = weighted / weight_sum - v
                v += world.traits[b, i, SUSCEPTIBILITY] * min(1.0, weight_sum) * pull
            v = min(1.0, max(-1.0, v))
            world.affect[b, i, 0] = v
            if v < params[P_GIVE_UP]:
                world.gave_up[b, i] = True
            elif v > params[P_RECOVER]:
                world.gave_up[b, i] = False


@njit(cache=True, inline="always")
def express(world, params, rows, members):
    """Write the visible expression of the ``members``' humans from their hidden affect.

    ``rows[k]`` is the noise row of member ``members[k]``.
    """
    for k in range(members.shape[0]):
        b = members[k]
        for i in range(world.affect.shape[1]):
            masking = world.traits[b, i, MASKING]
            noise_sd = world.traits[b, i, EXPRESSION_NOISE]
            # Box-Muller: two standard normals from two uniforms in [0, 1).
            u1 = rows[k, i * NOISE_PER_HUMAN + NZ_EXPR_1]
            u2 = rows[k, i * NOISE_PER_HUMAN + NZ_EXPR_2]
            radius = math.sqrt(-2.0 * math.log(1.0 - u1))
            shown = (1.0 - masking) * world.traits[b, i, EXPRESSIVITY]
            ev = shown * world.affect[b, i, 0] + masking * params[P_DISPLAY_VALENCE]
            ea = shown * world.affect[b, i, 1] + masking * params[P_DISPLAY_AROUSAL]
            ev += noise_sd * radius * math.cos(2.0 * math.pi * u2)
            ea += noise_sd * radius * math.sin(2.0 * math.pi * u2)
            world.expression[b, i, 0] = min(1.0, max(-1.0, ev))
            world.expression[b, i, 1] = min(1.0, max(0.0, ea))

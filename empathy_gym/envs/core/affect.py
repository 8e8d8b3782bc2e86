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
   ``v*_i`` is the mean of the others' valence weighted by ``w_ij = proximity(d_ij)``
   (fading linearly to 0 at ``contagion_radius``) and ``g_i = sum_j w_ij``. Mood passes
   between people through many channels (voice, posture, what they say), not only the
   face, so how much a face shows (expressivity, masking) changes what an observer can
   read, not what the people around catch: a held-out ``masking`` population differs
   from ``default`` in its faces alone.
4. Give up below ``give_up_valence``; resume above ``recover_valence`` (hysteresis).
5. Expression: ``(1 - m) * expressivity * state + m * display + noise``, clipped. With
   masking ``m = 1`` the face carries no information about the state.

Constants come in by name (``AffectParams``), trait and event columns by name (``TRAIT``,
``EV``), and the noise row's layout as offsets (``nz``, see ``scenarios/base.py``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from empathy_gym.envs.core.population import TRAIT
from empathy_gym.envs.core.world import EV


@njit(cache=True, inline="always")
def appraise(events, b, i, p):
    """The value of human ``i``'s events this step: their utility and the appraisal signal."""
    e = events[b, i]
    return (
        p.progress * e[EV.progress]
        + p.goal * e[EV.goal]
        + p.waiting * e[EV.wait]
        + p.blocked * e[EV.blocked]
        + p.harm * e[EV.harm]
        + p.solace * e[EV.solace]
        + p.stress * e[EV.stress]
    )


@njit(cache=True, inline="always")
def update_affect(world, p, utility):
    """Apply appraisal (``utility``, shape (B, N)), decay, contagion and giving up."""
    n = world.affect.shape[1]
    valence = np.empty(n)
    for b in range(world.affect.shape[0]):
        traits = world.traits[b]
        for i in range(n):
            reactivity = traits[i, TRAIT.reactivity]
            decay = traits[i, TRAIT.decay]
            v = world.affect[b, i, 0] + reactivity * utility[b, i]
            a = world.affect[b, i, 1] + reactivity * p.arousal_gain * abs(utility[b, i])
            valence[i] = v + decay * (traits[i, TRAIT.baseline_valence] - v)
            a += decay * (p.baseline_arousal - a)
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
                proximity = 1.0 - d / p.contagion_radius
                if proximity > 0.0:
                    weight_sum += proximity
                    weighted += proximity * valence[j]
            v = valence[i]
            if weight_sum > 0.0:
                pull = weighted / weight_sum - v
                v += traits[i, TRAIT.susceptibility] * min(1.0, weight_sum) * pull
            v = min(1.0, max(-1.0, v))
            world.affect[b, i, 0] = v
            if v < p.give_up_valence:
                world.gave_up[b, i] = True
            elif v > p.recover_valence:
                world.gave_up[b, i] = False


@njit(cache=True, inline="always")
def express(world, p, rows, members, nz):
    """Write the visible expression of the ``members``' humans from their hidden affect.

    ``rows[k]`` is the noise row of member ``members[k]``; ``nz.expression`` is where its two
    uniforms per human start.
    """
    for k in range(members.shape[0]):
        b = members[k]
        for i in range(world.affect.shape[1]):
            masking = world.traits[b, i, TRAIT.masking]
            noise_sd = world.traits[b, i, TRAIT.expression_noise]
            # Box-Muller: two standard normals from two uniforms in [0, 1).
            u1 = rows[k, nz.expression + 2 * i]
            u2 = rows[k, nz.expression + 2 * i + 1]
            radius = math.sqrt(-2.0 * math.log(1.0 - u1))
            shown = (1.0 - masking) * world.traits[b, i, TRAIT.expressivity]
            ev = shown * world.affect[b, i, 0] + masking * p.display_valence
            ea = shown * world.affect[b, i, 1] + masking * p.display_arousal
            ev += noise_sd * radius * math.cos(2.0 * math.pi * u2)
            ea += noise_sd * radius * math.sin(2.0 * math.pi * u2)
            world.expression[b, i, 0] = min(1.0, max(-1.0, ev))
            world.expression[b, i, 1] = min(1.0, max(0.0, ea))

"""Who the simulated humans are: personality traits, population profiles, the affect model.

A *population profile* is a distribution over personality traits. Assistants are trained on
some profiles and evaluated on held-out ones (the Overcooked / Melting Pot protocol). Each
held-out profile differs from ``default`` along exactly one axis, the one its name says
(tested), so a change in what an assistant does on it has one explanation:

=============  ====================================================================
``stoic``      shows little: expressivity 0.3 (the face is a faint copy of the state)
``masking``    hides: the face shows a fixed social smile (masking 1)
``pedagogic``  over-expresses: expressivity 1.6, so the state is easy to read
``volatile``   reacts strongly: reactivity 1.3
``gloomy``     a lower resting mood: baseline valence -0.1
``contagious`` catches others' moods: susceptibility 0.8
``irrational`` moves erratically: rationality beta 0.5
=============  ====================================================================

Each trait is drawn per human from a normal distribution ``(mean, sd)`` and clipped to the
trait's bounds. Users define their own profile by constructing :class:`PopulationProfile`.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from empathy_gym.envs.core.spec import index_of

TRAIT_BOUNDS: dict[str, tuple[float, float]] = {
    "baseline_valence": (-1.0, 1.0),  # the valence a person returns to when nothing happens
    "reactivity": (0.0, 2.0),  # how strongly events move valence and arousal
    "decay": (0.0, 1.0),  # fraction of the distance to baseline recovered per step
    "expressivity": (0.0, 2.0),  # gain of the state on the face (above 1: exaggerated)
    "susceptibility": (0.0, 1.0),  # contagion: how much others' mood is caught
    "rationality": (0.0, 20.0),  # Boltzmann beta of movement toward the goal
    "masking": (0.0, 1.0),  # share of the expression replaced by a fixed social display
    "expression_noise": (0.0, 2.0),  # sd of the noise on each expression channel
}
TRAIT_NAMES = tuple(TRAIT_BOUNDS)
TRAIT = index_of("TraitColumns", TRAIT_NAMES)
"""Column of each trait in the (batch, human, trait) array: ``traits[b, i, TRAIT.decay]``."""
N_TRAITS = len(TRAIT_NAMES)


@dataclass(frozen=True)
class PopulationProfile:
    """A distribution of personalities: each trait is ``(mean, sd)``, clipped to its bounds."""

    name: str = "custom"
    baseline_valence: tuple[float, float] = (0.3, 0.1)
    reactivity: tuple[float, float] = (0.6, 0.1)
    decay: tuple[float, float] = (0.05, 0.01)
    expressivity: tuple[float, float] = (0.9, 0.05)
    susceptibility: tuple[float, float] = (0.3, 0.05)
    rationality: tuple[float, float] = (3.0, 0.5)
    masking: tuple[float, float] = (0.0, 0.0)
    expression_noise: tuple[float, float] = (0.6, 0.0)

    def __post_init__(self) -> None:
        for trait, (low, high) in TRAIT_BOUNDS.items():
            value = getattr(self, trait)
            if not (isinstance(value, tuple | list) and len(value) == 2):
                raise ValueError(f"population trait {trait!r} must be (mean, sd), got {value!r}")
            mean, sd = (float(v) for v in value)
            if not low <= mean <= high:
                raise ValueError(
                    f"population trait {trait!r}: mean {mean} is outside [{low}, {high}]"
                )
            if not 0.0 <= sd <= high - low:
                raise ValueError(
                    f"population trait {trait!r}: sd {sd} must be in [0, {high - low}]"
                )

    @functools.cached_property
    def _moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Each trait's mean and sd as arrays (made once: every spawn samples from them)."""
        values = np.array([getattr(self, t) for t in TRAIT_NAMES], np.float64)
        return values[:, 0], values[:, 1]

    def sample(self, rng: np.random.Generator, n_humans: int) -> np.ndarray:
        """Draw an ``(n_humans, N_TRAITS)`` array of traits from this profile."""
        means, sds = self._moments
        draws = means + sds * rng.standard_normal((n_humans, N_TRAITS))
        return np.clip(draws, _LOW, _HIGH)


_LOW, _HIGH = np.array(list(TRAIT_BOUNDS.values())).T
_DEFAULT = PopulationProfile(name="default")
HELD_OUT_AXES: dict[str, dict[str, tuple[float, float]]] = {
    "stoic": {"expressivity": (0.3, 0.05)},
    "masking": {"masking": (1.0, 0.0)},
    "pedagogic": {"expressivity": (1.6, 0.05)},
    "volatile": {"reactivity": (1.3, 0.1)},
    "gloomy": {"baseline_valence": (-0.1, 0.1)},
    "contagious": {"susceptibility": (0.8, 0.05)},
    "irrational": {"rationality": (0.5, 0.2)},
}
"""Each held-out profile: the one trait it changes from ``default``, and its new value."""

PROFILES: dict[str, PopulationProfile] = {
    "default": _DEFAULT,
    **{
        name: dataclasses.replace(_DEFAULT, name=name, **change)
        for name, change in HELD_OUT_AXES.items()
    },
}


def resolve_population(population: str | PopulationProfile) -> PopulationProfile:
    """Accept a profile name or a profile; raise a ValueError that lists the known names."""
    if isinstance(population, PopulationProfile):
        return population
    if isinstance(population, str) and population in PROFILES:
        return PROFILES[population]
    raise ValueError(
        f"population {population!r} is unknown; use one of {sorted(PROFILES)}"
        " or pass a PopulationProfile"
    )


@dataclass(frozen=True)
class AffectModel:
    """Population-independent constants of appraisal, decay, contagion and behaviour.

    The appraisal weights are also the humans' *utility*: the value a person puts on an event,
    before their personality (reactivity) scales how much it moves their mood. Kernels get
    these as :class:`AffectParams`, a NamedTuple with the same fields, read by name.
    """

    progress: float = 0.04  # per step closer to the current target (negative when moving away)
    goal: float = 0.6  # goal achieved (reached, or served in fetch)
    waiting: float = -0.03  # per step waiting at the goal for service
    blocked: float = -0.1  # a move blocked by another agent
    harm: float = -0.8  # per unit of harm (shoved: 1, handed a wrong item: see fetch)
    solace: float = 0.5  # per unit of need met when someone consoles them (need = max(0, -v))
    stress: float = -0.6  # per unit of stress (a stressor; rumination in comfort)
    arousal_gain: float = 1.0  # arousal rises by reactivity * gain * |appraisal|
    baseline_arousal: float = 0.2
    contagion_radius: float = 3.0  # Manhattan distance at which contagion fades to zero
    give_up_valence: float = -0.85  # below this a human stops pursuing the goal
    recover_valence: float = -0.4  # above this a human who gave up resumes
    arousal_rationality_drop: float = 0.75  # beta *= 1 - drop * arousal
    display_valence: float = 0.3  # the social smile shown by a masking face
    display_arousal: float = 0.2

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"affect_model.{f.name} must be a number, got {value!r}")
        if self.contagion_radius <= 0:
            raise ValueError(
                f"affect_model.contagion_radius must be > 0, got {self.contagion_radius}"
            )
        if not -1.0 <= self.give_up_valence <= self.recover_valence <= 1.0:
            raise ValueError(
                "affect_model needs -1 <= give_up_valence <= recover_valence <= 1, got "
                f"{self.give_up_valence} and {self.recover_valence}"
            )
        if not 0.0 <= self.arousal_rationality_drop <= 1.0:
            raise ValueError("affect_model.arousal_rationality_drop must be in [0, 1]")

    @classmethod
    def from_dict(cls, fields: dict) -> AffectModel:
        """An AffectModel from stored fields (a run's or a recording's config); a field
        stored under its former name reads as today's, an unknown one is named."""
        fields = {RENAMED_AFFECT_FIELDS.get(k, k): v for k, v in fields.items()}
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(fields) - set(known))
        if unknown:
            raise ValueError(f"affect_model has unknown fields {unknown}; known: {known}")
        return cls(**fields)

    def params(self) -> AffectParams:
        return AffectParams(**{f.name: float(getattr(self, f.name)) for f in _FIELDS})


RENAMED_AFFECT_FIELDS = {"comfort": "solace"}
"""AffectModel fields stored under a former name (recordings made before the rename)."""
_FIELDS = dataclasses.fields(AffectModel)
AffectParams = NamedTuple("AffectParams", [(f.name, float) for f in _FIELDS])
"""The AffectModel as numba kernels take it: the same fields, read by name."""

"""Who the simulated humans are: personality traits, population profiles, the affect model.

A *population profile* is a distribution over personality traits. Assistants are trained on
some profiles and evaluated on held-out ones (the Overcooked / Melting Pot protocol), so the
profiles differ along the axes an empathic assistant must cope with: how much people show
(``stoic``, ``masking``), how strongly they react (``volatile``), how much they catch each
other's mood (``contagious``) and how predictably they move (``irrational``).

Each trait is drawn per human from a normal distribution ``(mean, sd)`` and clipped to the
trait's bounds. Users define their own profile by constructing :class:`PopulationProfile`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

# Trait columns of the (batch, human, trait) array the kernels read.
BASELINE_VALENCE, REACTIVITY, DECAY, EXPRESSIVITY, SUSCEPTIBILITY, RATIONALITY = range(6)
MASKING, EXPRESSION_NOISE = 6, 7
N_TRAITS = 8

TRAIT_BOUNDS: dict[str, tuple[float, float]] = {
    "baseline_valence": (-1.0, 1.0),  # the valence a person returns to when nothing happens
    "reactivity": (0.0, 2.0),  # how strongly events move valence and arousal
    "decay": (0.0, 1.0),  # fraction of the distance to baseline recovered per step
    "expressivity": (0.0, 1.0),  # how much of the state shows on the face
    "susceptibility": (0.0, 1.0),  # contagion: how much others' mood is caught
    "rationality": (0.0, 20.0),  # Boltzmann beta of movement toward the goal
    "masking": (0.0, 1.0),  # share of the expression replaced by a fixed social display
    "expression_noise": (0.0, 2.0),  # sd of the noise on each expression channel
}
TRAIT_NAMES = tuple(TRAIT_BOUNDS)


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
    expression_noise: tuple[float, float] = (0.3, 0.0)

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

    def sample(self, rng: np.random.Generator, n_humans: int) -> np.ndarray:
        """Draw an ``(n_humans, N_TRAITS)`` array of traits from this profile."""
        means = np.array([getattr(self, t)[0] for t in TRAIT_NAMES])
        sds = np.array([getattr(self, t)[1] for t in TRAIT_NAMES])
        bounds = np.array(list(TRAIT_BOUNDS.values()))
        draws = means + sds * rng.standard_normal((n_humans, N_TRAITS))
        return np.clip(draws, bounds[:, 0], bounds[:, 1])


_DEFAULT = PopulationProfile(name="default")
PROFILES: dict[str, PopulationProfile] = {
    p.name: p
    for p in (
        _DEFAULT,
        dataclasses.replace(
            _DEFAULT, name="stoic", expressivity=(0.25, 0.05), reactivity=(0.4, 0.1)
        ),
        dataclasses.replace(
            _DEFAULT,
            name="volatile",
            reactivity=(1.3, 0.2),
            decay=(0.02, 0.01),
            baseline_valence=(0.1, 0.15),
        ),
        dataclasses.replace(_DEFAULT, name="masking", masking=(1.0, 0.0)),
        dataclasses.replace(
            _DEFAULT, name="contagious", susceptibility=(0.8, 0.05), expressivity=(1.0, 0.0)
        ),
        dataclasses.replace(_DEFAULT, name="irrational", rationality=(0.5, 0.2)),
    )
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
    before their personality (reactivity) scales how much it moves their mood.
    """

    progress: float = 0.04  # per step closer to the goal (negative when moving away)
    goal: float = 0.6  # goal achieved (reached, or served in fetch)
    waiting: float = -0.03  # per step waiting at the goal for service
    blocked: float = -0.1  # a move blocked by another agent
    harm: float = -0.8  # per unit of harm (pushed: 1, handed a wrong item: see scenario)
    comfort: float = 0.5  # per unit of need met by comforting (need = max(0, -valence))
    stress: float = -0.6  # a stressor
    arousal_gain: float = 1.0  # arousal rises by reactivity * gain * |appraisal|
    baseline_arousal: float = 0.2
    contagion_radius: float = 3.0  # Manhattan distance at which contagion fades to zero
    give_up_valence: float = -0.85  # below this a human stops pursuing the goal
    recover_valence: float = -0.4  # above this a human who gave up resumes
    arousal_rationality_drop: float = 0.75  # beta *= 1 - drop * arousal
    display_valence: float = 0.3  # the social smile shown by a masking face
    display_arousal: float = 0.2

    def __post_init__(self) -> None:
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

    def as_array(self) -> np.ndarray:
        """The constants in field order, the layout the kernels index with the P_* columns."""
        return np.array([getattr(self, f.name) for f in dataclasses.fields(self)], np.float64)


(
    P_PROGRESS,
    P_GOAL,
    P_WAITING,
    P_BLOCKED,
    P_HARM,
    P_COMFORT,
    P_STRESS,
    P_AROUSAL_GAIN,
    P_BASELINE_AROUSAL,
    P_CONTAGION_RADIUS,
    P_GIVE_UP,
    P_RECOVER,
    P_AROUSAL_DROP,
    P_DISPLAY_VALENCE,
    P_DISPLAY_AROUSAL,
) = range(15)

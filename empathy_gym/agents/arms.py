"""The arms of the experiment: docs/design.md's 2 x 2 factorial, with lambda as a dial.

Two factors: whether the policy gets the cognitive module's output (belief inputs), and
whether its reward adds an other-regarding term (``task + lambda * term``). Every arm sees
the same memory of the raw observation (``agents/memory.py``), so a cognitive lesion
removes the module's output, not memory itself.

=================================  ===============================  ==============
arm                                reward                           belief inputs
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

Words, one meaning each: an **arm** is one of these eight, trained at each lambda of the
grid where it has one, like the doses of a dose-ranging trial (``Arm`` is an arm at one
lambda, labelled ``cirl@4``); a **lesion** is what an arm was trained without
(``affective``, ``-cognitive``). The
affective lesion (knows, doesn't care) is the same arm for ``cirl`` and ``contagion``, so
it is one arm; an empathic arm at lambda 0 would be that arm again and is refused. What is
done to a trained policy's belief inputs at test time is an *ablation*
(``agents/wrapper.py``), and units silenced inside its network are *silencing*
(``analysis/silencing.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import inf

from empathy_gym.agents.empathy import COUPLINGS, check_coupling

LESIONS = ("none", "affective", "cognitive")
"""What the training commands' ``--lesion`` can take out of an empathic arm."""
COMMANDS = ("ppo", "cirl", "contagion")
"""The separate training commands: ``python -m empathy_gym.train.<command>``."""


@dataclass(frozen=True)
class Factors:
    """An arm's levels of the two factors: its other-regarding term and its inputs."""

    term: str  # none, welfare or mood
    belief_inputs: bool
    coupling: str = "proximity"  # how the mood is caught (mood only)

    @property
    def cares(self) -> bool:
        """Whether the reward has an other-regarding term (so the arm has a lambda)."""
        return self.term != "none"


ARMS: dict[str, Factors] = {
    "ppo": Factors("none", False),
    "affective": Factors("none", True),
    "cirl": Factors("welfare", True),
    "cirl-cognitive": Factors("welfare", False),
    **{
        f"contagion-{coupling}{lesion}": Factors("mood", not lesion, coupling)
        for coupling in COUPLINGS
        for lesion in ("", "-cognitive")
    },
}
"""The factorial of docs/design.md "The experiment"; no two arms share inputs and reward."""


def factors_of(name: str) -> Factors:
    """The factors of the arm called ``name``, or a ValueError listing the arms."""
    if name not in ARMS:
        raise ValueError(f"arm {name!r} is unknown; use one of {list(ARMS)}")
    return ARMS[name]


@dataclass(frozen=True)
class Arm:
    """An arm of the experiment at its lambda, validated."""

    name: str = "ppo"
    lam: float = 0.0

    def __post_init__(self) -> None:
        factors = factors_of(self.name)
        lam = self.lam
        if isinstance(lam, bool) or not isinstance(lam, int | float) or not lam >= 0 or lam == inf:
            raise ValueError(f"lam (lambda) must be a number >= 0 and finite, got {self.lam!r}")
        if not factors.cares and self.lam != 0:
            raise ValueError(
                f"lam={self.lam} does not apply to arm {self.name!r}, whose reward has no"
                " other-regarding term; use lam 0"
            )
        if factors.cares and self.lam == 0:
            raise ValueError(
                f"lam=0 turns arm {self.name!r} into another arm (no other-regarding term):"
                " use arm 'affective' (with belief inputs) or 'ppo'; lam must be > 0"
            )

    @classmethod
    def parse(cls, label: str) -> Arm:
        """The arm a label names, as :attr:`label` writes it: ``ppo``, ``cirl@4``."""
        name, _, lam = label.partition("@")
        if not lam and factors_of(name).cares:
            raise ValueError(f"arm {label!r} needs its lambda: write {name}@LAMBDA, e.g. {name}@4")
        try:
            value = float(lam) if lam else 0.0
        except ValueError:
            raise ValueError(
                f"arm {label!r}: lambda {lam!r} is not a number; write an arm as name@lambda,"
                " e.g. cirl@4, or ppo"
            ) from None
        return cls(name, value)

    @property
    def factors(self) -> Factors:
        return ARMS[self.name]

    @property
    def sees_belief(self) -> bool:
        return self.factors.belief_inputs

    @property
    def label(self) -> str:
        """The arm as runs and tables name it: its name, and lambda where it has one."""
        return self.name if not self.factors.cares else f"{self.name}@{self.lam:g}"


def arm_of(command: str, lesion: str, lam: float, coupling: str) -> Arm:
    """The arm a training command's flags name: ``cirl --lesion cognitive`` is
    ``cirl-cognitive``; either empathic command with ``--lesion affective`` is the one
    ``affective`` arm."""
    check_coupling(coupling)
    if lesion not in LESIONS:
        raise ValueError(f"lesion {lesion!r} is unknown; use one of {LESIONS}")
    if command == "ppo":
        if lesion != "none":
            raise ValueError(f"lesion {lesion!r} does not apply to command 'ppo'; use none")
        return Arm("ppo")
    if command not in COMMANDS:
        raise ValueError(f"training command {command!r} is unknown; use one of {COMMANDS}")
    if lesion == "affective":
        return Arm("affective")
    base = command if command == "cirl" else f"contagion-{coupling}"
    return Arm(base + ("-cognitive" if lesion == "cognitive" else ""), lam)


def command_of(arm: Arm) -> dict:
    """The training command and flags that train ``arm``: the inverse of :func:`arm_of`."""
    factors = arm.factors
    if not factors.cares:
        if not factors.belief_inputs:
            return {"command": "ppo"}
        return {"command": "cirl", "lesion": "affective"}
    lesion = "none" if factors.belief_inputs else "cognitive"
    if factors.term == "welfare":
        return {"command": "cirl", "lesion": lesion, "lam": arm.lam}
    return {"command": "contagion", "lesion": lesion, "lam": arm.lam, "coupling": factors.coupling}

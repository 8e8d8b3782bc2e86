"""The learner's hyperparameters, importable without torch (for the command line and configs).

One set is used for every arm of a comparison. The defaults are the setting chosen by the
tuning study ``docs/tuning/worst3.json`` (``empathy-gym tune``, rounded to three figures):
among 41 trials (9 complete, 32 pruned), the best whose training took at most 1.2 times as
long as the previous defaults', by its worst competence across comfort's cirl at lambda 4,
fetch's and dilemma's cirl at lambda 1 after 2M steps each (0.86; the previous defaults:
0.70). README "Tuning" has the study's figures.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from empathy_gym.envs.parallel import version_name
from empathy_gym.envs.scenarios import make_scenario


@dataclass
class PPOSettings:
    """The learner's hyperparameters: the same for every arm of a comparison."""

    num_envs: int = 256
    """parallel envs in the native batch"""
    num_steps: int = 64
    """steps per env per rollout"""
    minibatch_size: int = 4096
    """samples per gradient step"""
    update_epochs: int = 4
    """passes over each rollout"""
    learning_rate: float = 4.82e-3
    """Adam step size, annealed linearly to 0"""
    gamma: float = 0.991
    """discount"""
    gae_lambda: float = 0.939
    """GAE lambda"""
    clip_coef: float = 0.212
    """clipping of the policy ratio and of the value change"""
    ent_coef: float = 0.00559
    """entropy bonus"""
    vf_coef: float = 0.5
    """weight of the value loss"""
    max_grad_norm: float = 0.5
    """gradient clipping"""
    critic_truth: bool = True
    """the value head also sees the hidden truth (an asymmetric actor-critic: training
    only, never the policy's input)"""
    hidden: tuple[int, ...] = (64, 64)
    """hidden layers of the shared trunk (the value head adds one of the last width)"""
    novelty: float = 0.307
    """episodic exploration bonus: novelty / sqrt(1 + visits of the assistant's cell this
    episode), added to the learner's reward, fading to 0"""
    novelty_share: float = 0.5
    """share of training over which the bonus fades out"""
    term_warmup: float = 0.0
    """share of training over which the weight of the other-regarding term (lambda * term)
    rises linearly from 0 to 1: a reward curriculum that lets an arm learn the task before
    the term competes with it (0: the arm's own reward throughout)"""

    @classmethod
    def from_json(cls, path: str | Path) -> PPOSettings:
        """The settings in a JSON object of these fields, as ``empathy-gym tune`` writes them
        (fields left out keep their defaults): the one loader behind ``train --settings``
        and ``compare --settings``. A ValueError names the file and the field."""
        where = f"settings file {str(path)!r}"
        try:
            fields = json.loads(Path(path).read_text())
        except (OSError, ValueError) as err:
            raise ValueError(f"{where} cannot be read as JSON: {err}") from err
        if not isinstance(fields, dict):
            raise ValueError(f"{where} must hold a JSON object of learner settings")
        stored = fields.pop(MADE_FOR, None)
        if stored is not None:
            check_made_for(where, stored)
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(fields) - set(known))
        if unknown:
            raise ValueError(f"{where} has unknown fields {unknown}; known: {known}")
        defaults = cls()
        try:
            settings = cls(**{k: _typed(k, v, getattr(defaults, k)) for k, v in fields.items()})
            settings.validate()
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from err
        return settings

    def validate(self) -> None:
        for name in ("num_envs", "num_steps", "minibatch_size", "update_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.minibatch_size > self.num_envs * self.num_steps:
            raise ValueError(
                f"minibatch_size={self.minibatch_size} is larger than a rollout"
                f" (num_envs * num_steps = {self.num_envs * self.num_steps})"
            )
        for name, ok, allowed in (
            ("learning_rate", self.learning_rate > 0, "> 0"),
            ("gamma", 0 < self.gamma <= 1, "in (0, 1]"),
            ("gae_lambda", 0 <= self.gae_lambda <= 1, "in [0, 1]"),
            ("clip_coef", self.clip_coef > 0, "> 0"),
            ("ent_coef", self.ent_coef >= 0, ">= 0"),
            ("vf_coef", self.vf_coef >= 0, ">= 0"),
            ("max_grad_norm", self.max_grad_norm > 0, "> 0"),
        ):
            if not ok:
                raise ValueError(f"{name} must be {allowed}, got {getattr(self, name)!r}")
        if self.novelty < 0 or not 0.0 < self.novelty_share <= 1.0:
            raise ValueError(
                f"novelty must be >= 0 and novelty_share in (0, 1], got {self.novelty},"
                f" {self.novelty_share}"
            )
        if not 0.0 <= self.term_warmup < 1.0:
            raise ValueError(f"term_warmup must be in [0, 1), got {self.term_warmup!r}")
        if not self.hidden or any(h <= 0 for h in self.hidden):
            raise ValueError(f"hidden must be positive layer sizes, got {self.hidden}")


MADE_FOR = "made_for"
"""The key under which a settings file says what it was tuned on (``empathy-gym tune`` writes
it when it writes the file): the scenario, its version and its observation layout. A file
whose scenario has since changed version or observation is refused: a study is evidence
only about what it ran on. Using settings tuned on one scenario for another is allowed (the
comparison shares one setting across scenarios)."""


def made_for(scenario: str) -> dict:
    """What settings tuned on ``scenario`` today were tuned on."""
    rules = make_scenario(scenario)
    return {
        "scenario": scenario,
        "version": version_name(rules),
        "observation": rules.assistant_spec.signature,
    }


def check_made_for(where: str, stored: object) -> None:
    """A ValueError naming the file unless it was tuned on this code's env and observation
    (of each scenario, for settings tuned on several)."""
    if isinstance(stored, list) and stored:
        for each in stored:
            check_made_for(where, each)
        return
    if not isinstance(stored, dict) or not isinstance(stored.get("scenario"), str):
        raise ValueError(f"{where}: {MADE_FOR} must name the scenario it was tuned on")
    try:
        current = made_for(stored["scenario"])
    except ValueError as err:
        raise ValueError(f"{where} was tuned on an unknown scenario: {err}") from None
    if stored != current:
        raise ValueError(
            f"{where} was tuned on {stored.get('version')} with observation layout "
            f"{stored.get('observation')}; this code's is {current['version']} with "
            f"{current['observation']}: tune again (empathy-gym tune) on this version"
        )


def _typed(name: str, value: object, default: object) -> object:
    """A JSON value as the type of the field's default (JSON has no tuples and writes 1.0
    as 1), or a ValueError naming the field and the type it needs."""
    if isinstance(default, bool):
        ok, kind = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok, kind = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif isinstance(default, float):
        ok, kind = isinstance(value, int | float) and not isinstance(value, bool), "a number"
        value = float(value) if ok else value
    else:  # hidden: the layer sizes
        ok = isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        )
        kind, value = "a list of integers", tuple(value) if ok else value
    if not ok:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return value

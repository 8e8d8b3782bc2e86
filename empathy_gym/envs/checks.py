"""Validation of what users pass at step time, with messages that name the agent."""

from __future__ import annotations

import numpy as np


def check_action(agent: str, action, n_actions: int) -> int:
    """Return ``action`` as an int, or raise a ValueError naming the agent and allowed range."""
    if type(action) is not int:
        if isinstance(action, np.ndarray) and action.shape == ():
            action = action[()]
        if isinstance(action, bool | np.bool_) or not isinstance(action, int | np.integer):
            raise ValueError(
                f"action for {agent!r} must be an integer in [0, {n_actions - 1}],"
                f" got {action!r} of type {type(action).__name__}"
            )
        action = int(action)
    if not 0 <= action < n_actions:
        raise ValueError(
            f"action for {agent!r} is {action}, outside the allowed range [0, {n_actions - 1}]"
        )
    return action


def check_agents(given, expected: list[str]) -> None:
    """Every live agent must act, and only live agents."""
    if not isinstance(given, dict):
        raise ValueError(f"actions must be a dict agent -> action, got {type(given).__name__}")
    if len(given) == len(expected) and all(a in given for a in expected):
        return
    unknown = sorted(set(given) - set(expected))
    missing = sorted(set(expected) - set(given))
    parts = []
    if unknown:
        parts.append(f"unknown or finished agent(s) {unknown}")
    if missing:
        parts.append(f"no action for agent(s) {missing}")
    raise ValueError(f"{'; '.join(parts)}; the live agents are {expected}")

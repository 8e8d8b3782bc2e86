"""The world as arrays with a leading batch axis, and the constants that index them.

A PettingZoo env is a batch of one, the vector env a batch of N: both hold one :class:`World`
and call the same kernels, so every view sees the same dynamics. Agent index 0 is the
assistant; agent ``1 + i`` is human ``i``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empathy_gym.envs.core.population import N_TRAITS

# Actions shared by every agent. Humans use 0-4; INTERACT is the assistant's.
STAY, UP, DOWN, LEFT, RIGHT, INTERACT = range(6)
ACTION_NAMES = ("stay", "up", "down", "left", "right", "interact")
N_ASSISTANT_ACTIONS = 6
N_HUMAN_ACTIONS = 5

# Columns of World.events: what happened to each human this step. All but HELPED are
# appraisal inputs; HELPED tallies help received (it carries no appraisal weight of its own).
EV_PROGRESS, EV_GOAL, EV_WAIT, EV_BLOCKED, EV_HARM, EV_COMFORT, EV_STRESS, EV_HELPED = range(8)
EVENT_NAMES = ("progress", "goal", "wait", "blocked", "harm", "comfort", "stress", "helped")
N_EVENTS = 8

# Columns of World.components: this step's reward components per agent.
C_TASK, C_HUMAN_UTILITY, C_HARM, C_HELP = range(4)
COMPONENT_NAMES = ("task", "human_utility", "harm", "help")
N_COMPONENTS = 4

# Noise columns per human in a step's noise row: movement choice, two for the Box-Muller
# normals of the expression, and two the scenario may use. Scenario-wide columns follow.
NOISE_PER_HUMAN = 5
NZ_MOVE, NZ_EXPR_1, NZ_EXPR_2, NZ_SCENARIO_1, NZ_SCENARIO_2 = range(NOISE_PER_HUMAN)


class World(NamedTuple):
    """Every per-env array; a NamedTuple so that a kernel takes the whole world as one argument."""

    pos: np.ndarray  # (B, 1+N, 2) int64: row, col of each agent
    last_move: np.ndarray  # (B, 1+N) int64: the move action each agent carried out last step
    goal: np.ndarray  # (B, N) int64: hidden goal (index into Layout.goal_cells)
    achieved: np.ndarray  # (B, N) bool: the current goal was achieved
    gave_up: np.ndarray  # (B, N) bool: valence fell so low the human stopped pursuing the goal
    affect: np.ndarray  # (B, N, 2) float64: hidden valence in [-1, 1], arousal in [0, 1]
    expression: np.ndarray  # (B, N, 2) float64: what others see of valence and arousal
    traits: np.ndarray  # (B, N, N_TRAITS) float64: hidden personality
    carry: np.ndarray  # (B,) int64: item type the assistant holds, -1 for none
    objects: np.ndarray  # (B, M, 2) int64: positions of task objects (coins)
    t: np.ndarray  # (B,) int64: steps taken in the episode
    events: np.ndarray  # (B, N, N_EVENTS) float64: this step's events per human
    components: np.ndarray  # (B, 1+N, N_COMPONENTS) float64: this step's reward components
    obs_assistant: np.ndarray  # (B, D_a) float32
    obs_humans: np.ndarray  # (B, N, D_h) float32
    action_mask: np.ndarray  # (B, 1+N, 6) int8: moves into walls are 0; INTERACT is the assistant's


HIDDEN_FIELDS = ("goal", "achieved", "gave_up", "affect", "traits", "events")
"""World fields that are ground truth: evaluation only, never in the assistant's observation."""


def allocate_world(batch: int, n_humans: int, n_objects: int, obs_dims: tuple[int, int]) -> World:
    n_agents = 1 + n_humans
    return World(
        pos=np.zeros((batch, n_agents, 2), np.int64),
        last_move=np.zeros((batch, n_agents), np.int64),
        goal=np.zeros((batch, n_humans), np.int64),
        achieved=np.zeros((batch, n_humans), np.bool_),
        gave_up=np.zeros((batch, n_humans), np.bool_),
        affect=np.zeros((batch, n_humans, 2), np.float64),
        expression=np.zeros((batch, n_humans, 2), np.float64),
        traits=np.zeros((batch, n_humans, N_TRAITS), np.float64),
        carry=np.full(batch, -1, np.int64),
        objects=np.zeros((batch, n_objects, 2), np.int64),
        t=np.zeros(batch, np.int64),
        events=np.zeros((batch, n_humans, N_EVENTS), np.float64),
        components=np.zeros((batch, n_agents, N_COMPONENTS), np.float64),
        obs_assistant=np.zeros((batch, obs_dims[0]), np.float32),
        obs_humans=np.zeros((batch, n_humans, obs_dims[1]), np.float32),
        action_mask=np.zeros((batch, n_agents, N_ASSISTANT_ACTIONS), np.int8),
    )


def observation_sizes(n_humans: int, n_goals: int, n_items: int, n_objects: int) -> tuple[int, int]:
    """Lengths of the assistant's and each human's flat observation (see ``observe``)."""
    carry = n_items + 1 if n_items > 0 else 0
    assistant = 3 + 6 * n_humans + carry + 2 * n_objects
    human = 5 + n_goals + 4 + 4 * (n_humans - 1) + carry + 2 * n_objects
    return assistant, human


def assistant_observation_names(n_humans: int, n_items: int, n_objects: int) -> list[str]:
    """A name for every entry of the assistant's observation, so users can slice it by meaning."""
    names = ["self_row", "self_col", "time"]
    for i in range(n_humans):
        names += [
            f"human_{i}_{f}"
            for f in ("drow", "dcol", "move_drow", "move_dcol", "expr_valence", "expr_arousal")
        ]
    if n_items > 0:
        names += ["carry_none"] + [f"carry_item_{k}" for k in range(n_items)]
    for m in range(n_objects):
        names += [f"object_{m}_drow", f"object_{m}_dcol"]
    return names

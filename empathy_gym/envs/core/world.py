"""The world as arrays with a leading batch axis, and the named columns that index them.

A PettingZoo env is a batch of one, the vector env a batch of N: both hold one :class:`World`
(plus the scenario's own state, see ``scenarios/base.py``) and call the same kernels, so
every view sees the same dynamics. Agent index 0 is the assistant; agent ``1 + i`` is
human ``i``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empathy_gym.envs.core.population import N_TRAITS
from empathy_gym.envs.core.spec import index_of

# Actions shared by every agent. Humans use 0-4; INTERACT is the assistant's.
STAY, UP, DOWN, LEFT, RIGHT, INTERACT = range(6)
ACTION_NAMES = ("stay", "up", "down", "left", "right", "interact")
N_ASSISTANT_ACTIONS = 6
N_HUMAN_ACTIONS = 5

EVENT_NAMES = (
    "progress",
    "goal",
    "wait",
    "blocked",
    "harm",
    "solace",
    "stress",
    "helped",
    "targeted",
)
"""What happened to each human this step. All but ``helped`` and ``targeted`` are appraised
(AffectModel): ``solace`` is need met by someone consoling them (units of need), ``stress``
a stressor's weight. ``helped`` tallies help received; ``targeted`` tallies the assistant's
acts aimed at this person (a delivery, a consolation), so the share of acts that helped
measures inference in action: an assistant that neglects people cannot raise it."""
EV = index_of("EventColumns", EVENT_NAMES)
N_EVENTS = len(EVENT_NAMES)

COMPONENT_NAMES = ("task", "welfare", "harm", "help")
"""This step's reward components. For the assistant: its task reward, the humans' welfare
(mean true valence), harm caused and help given. For human ``i``: its own utility (the
appraised value of its events), its own valence, harm suffered and help received."""
CO = index_of("ComponentColumns", COMPONENT_NAMES)
N_COMPONENTS = len(COMPONENT_NAMES)


class World(NamedTuple):
    """Every per-env array; a NamedTuple so that a kernel takes the whole world as one argument."""

    pos: np.ndarray  # (B, 1+N, 2) int64: row, col of each agent
    last_move: np.ndarray  # (B, 1+N) int64: the move action each agent carried out last step
    goal: np.ndarray  # (B, N) int64: hidden goal (a route of targets, see layout.py)
    stage: np.ndarray  # (B, N) int64: how far along the goal's route each human is
    achieved: np.ndarray  # (B, N) bool: the current goal was achieved
    gave_up: np.ndarray  # (B, N) bool: valence fell so low the human stopped pursuing the goal
    withdrawn: np.ndarray  # (B, N) bool: stays put this step, for a reason of the scenario's
    affect: np.ndarray  # (B, N, 2) float64: hidden valence in [-1, 1], arousal in [0, 1]
    expression: np.ndarray  # (B, N, 2) float64: what others see of valence and arousal
    traits: np.ndarray  # (B, N, N_TRAITS) float64: hidden personality
    t: np.ndarray  # (B,) int64: steps taken in the episode
    events: np.ndarray  # (B, N, N_EVENTS) float64: this step's events per human
    components: np.ndarray  # (B, 1+N, N_COMPONENTS) float64: this step's reward components
    obs_assistant: np.ndarray  # (B, D_a) float32
    obs_humans: np.ndarray  # (B, N, D_h) float32
    action_mask: np.ndarray  # (B, 1+N, 6) int8: moves into walls are 0; INTERACT is the assistant's


HIDDEN_FIELDS = (
    "goal",
    "stage",
    "achieved",
    "gave_up",
    "withdrawn",
    "affect",
    "traits",
    "events",
)
"""World fields that are ground truth: evaluation only, never in the assistant's observation."""
PUBLIC_FIELDS = ("pos", "last_move", "expression", "t", "action_mask")
"""World fields anyone in the room can see: where everyone is and went, their faces, the
clock and the walls around each agent. The planner copies these (``Simulation.public``);
``components`` is left out because it holds the people's true welfare."""


def allocate_world(batch: int, n_humans: int, obs_sizes: tuple[int, int]) -> World:
    n_agents = 1 + n_humans
    return World(
        pos=np.zeros((batch, n_agents, 2), np.int64),
        last_move=np.zeros((batch, n_agents), np.int64),
        goal=np.zeros((batch, n_humans), np.int64),
        stage=np.zeros((batch, n_humans), np.int64),
        achieved=np.zeros((batch, n_humans), np.bool_),
        gave_up=np.zeros((batch, n_humans), np.bool_),
        withdrawn=np.zeros((batch, n_humans), np.bool_),
        affect=np.zeros((batch, n_humans, 2), np.float64),
        expression=np.zeros((batch, n_humans, 2), np.float64),
        traits=np.zeros((batch, n_humans, N_TRAITS), np.float64),
        t=np.zeros(batch, np.int64),
        events=np.zeros((batch, n_humans, N_EVENTS), np.float64),
        components=np.zeros((batch, n_agents, N_COMPONENTS), np.float64),
        obs_assistant=np.zeros((batch, obs_sizes[0]), np.float32),
        obs_humans=np.zeros((batch, n_humans, obs_sizes[1]), np.float32),
        action_mask=np.zeros((batch, n_agents, N_ASSISTANT_ACTIONS), np.int8),
    )

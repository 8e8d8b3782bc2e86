"""The planner: an assistance game solved by search, at gridworld scale (docs/design.md
"The planner").

The learned arms are compared with scripted assistants, and a comparison is only as strong
as its yardstick. This is the strongest truth-free one: in the spirit of POMCP and of
AssistanceZero (Laidlaw et al. 2025: planning with a model of the human beats model-free
PPO), at every step and for every episode of a batch it

1. samples *particles* of each person's hidden state from the empathy module's beliefs and
   the public population model, never from the truth: a goal from the goal posterior and
   the route stage the tracker follows under it, a valence from the Kalman belief, a
   personality from the default population (what a designer knows of people in general,
   as the belief module assumes), and the scenario's own hidden state as the believed
   valence implies it (``Scenario.sample_hidden``);
2. copies the public world (``Simulation.public``) into a batch of simulations, one per
   particle and *plan*, and plays each plan forward ``depth`` steps on the scenario's own
   compiled kernel, with noise from its own generator;
3. scores each plan by the arm's own reward, ``task + lambda * term``, summed over the
   horizon with a slight discount, plus the term carried on as it ended to the episode's
   end, and averaged over particles (the term as the arm's reward computes it: the
   people's mean valence, or the assistant's mood caught from the valence it perceives);
4. takes the best plan's first action, and plans again at the next step.

A plan is a sequence of up to two *options*: go to a place by a shortest path on the public
map (through people, or around those standing there when it plans) and INTERACT there, or
go beside a person and INTERACT. The places are the scenario's declaration
(``Scenario.places``: fetch's shelves and counters, comfort's coins and lever, dilemma's
finish); whether acting on people is an option is too (``Scenario.beside_people``), and
then so is waiting where everyone is nearest, at hand. A plan is played in a cycle, and an
option that acts holds on until its act does something (a delivery, a comfort). Options
rather than primitive actions because the consequences that matter lie a dozen steps away
(a delivery, a person comforted), beyond what a search over single moves reaches.

It uses the public map and the population model, which an assistance game takes as known:
the one scripted assistant exempt from the rule that scripts know the room only from what
their window has shown them. It never reads the truth.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.empathy import BeliefTracker, ContagionParams
from empathy_gym.envs.core.jit import bind_kernel
from empathy_gym.envs.core.layout import MOVES, UNREACHABLE, Maps, breadth_first, member
from empathy_gym.envs.core.navigation import nearest_everyone
from empathy_gym.envs.core.population import PROFILES
from empathy_gym.envs.core.world import CO, EV, INTERACT, STAY
from empathy_gym.envs.scenarios import Scenario
from empathy_gym.envs.scenarios.base import STEP
from empathy_gym.envs.simulation import NOISE_BLOCK, Public
from empathy_gym.errors import check_positive_int

OPTIONS_PER_PLAN = 2
ASSISTANT_EVENTS = [EV.targeted, EV.helped, EV.harm]
"""Events only the assistant's acts cause: an INTERACT that caused one did something."""


@dataclass(frozen=True)
class PlannerBudget:
    """How much the planner searches: particles per plan, and steps each plan is played
    ahead. More of either buys return with time (benchmarks/planner.py)."""

    particles: int = 6
    depth: int = 24
    discount: float = 0.95
    """per step of look-ahead: of two plans that earn the same within the horizon, the one
    that earns it sooner wins (the arm's own return is undiscounted; the horizon is not)"""

    def validate(self) -> None:
        for name in ("particles", "depth"):
            check_positive_int(name, getattr(self, name))
        if self.depth > NOISE_BLOCK:
            raise ValueError(f"depth={self.depth} is too deep; use 1 to {NOISE_BLOCK}")
        if not 0.0 < self.discount <= 1.0:
            raise ValueError(f"discount must be in (0, 1], got {self.discount}")


class Plans(NamedTuple):
    """Every episode's plans, padded to the largest episode's counts: plan ``k`` of episode
    ``e`` is the options ``place[e, k, :length[e, k]]``, played in a cycle."""

    place: np.ndarray  # (E, K, J) int64: the place of each option
    interact: np.ndarray  # (E, K, J) bool: INTERACT on arrival
    around: np.ndarray  # (E, K, J) bool: walk around people
    length: np.ndarray  # (E, K) int64: options in the plan; 0: stay put, or no such plan
    valid: np.ndarray  # (E, K) bool
    cell: np.ndarray  # (E, P, 2) int64: a place's cell (-1 for a person)
    person: np.ndarray  # (E, P) int64: a place's person (-1 for a cell)
    fields: np.ndarray  # (E, P, 2, H, W) float32: steps to each place, through/around people

    def steering(self) -> tuple:
        """What ``_option_actions`` reads, in its order."""
        return (
            self.place,
            self.interact,
            self.around,
            self.length,
            self.cell,
            self.person,
            self.fields,
        )


@njit(cache=True)
def _fields(walkable, map_of_episode, place_cell, place_person, people, out):
    """Distance fields to each episode's places, through people and around them.

    ``out[e, p, 0]``: steps to place ``p`` over the map's walkable cells; ``out[e, p, 1]``:
    the same with the cells people stand on now blocked (the place itself never is). A
    person's place is where they stand now."""
    episodes, places = place_person.shape
    height, width = walkable.shape[1], walkable.shape[2]
    free = np.empty((height, width), np.bool_)
    for e in range(episodes):
        walls = walkable[map_of_episode[e]]
        for p in range(places):
            who = place_person[e, p]
            r, c = place_cell[e, p, 0], place_cell[e, p, 1]
            if who >= 0:
                r, c = people[e, who, 0], people[e, who, 1]
            elif r < 0:
                out[e, p] = UNREACHABLE
                continue
            breadth_first(walls, r, c, out[e, p, 0])
            free[:] = walls
            for i in range(people.shape[1]):
                free[people[e, i, 0], people[e, i, 1]] = False
            free[r, c] = walls[r, c]
            breadth_first(free, r, c, out[e, p, 1])


@njit(cache=True)
def _option_actions(
    pos, episode, plan, stage, place, interact, around, length, cell, person, fields
):
    """Each member's next action under its plan (``stage``: the option it is on).

    An option leads to a place: a cell, or beside a person. On arrival it INTERACTs if it
    acts there (``_advance`` moves ``stage`` on once that did something);
    an option that only goes somewhere is done on arrival, and the plan moves on in its
    cycle (a plan of one such option stays there). Moves follow the place's distance field,
    around people when the option says so; never into someone when going to a person."""
    members = pos.shape[0]
    n = pos.shape[1] - 1
    actions = np.zeros(members, np.int64)
    height, width = fields.shape[3], fields.shape[4]
    for m in range(members):
        e, k = episode[m], plan[m]
        count = length[e, k]
        action = STAY
        for _ in range(count + 1):
            if count == 0:
                break
            j = stage[m]
            p = place[e, k, j]
            r, c = pos[m, 0, 0], pos[m, 0, 1]
            who = person[e, p]
            if who >= 0:
                tr, tc = pos[m, 1 + who, 0], pos[m, 1 + who, 1]
                arrived = abs(r - tr) + abs(c - tc) == 1
            else:
                arrived = r == cell[e, p, 0] and c == cell[e, p, 1]
            if arrived:
                if interact[e, k, j]:
                    action = INTERACT
                    break
                if count == 1:
                    break
                stage[m] = (j + 1) % count
                continue
            field = fields[e, p, 1 if around[e, k, j] else 0]
            best = field[r, c]
            for a in range(1, 5):
                nr, nc = r + MOVES[a, 0], c + MOVES[a, 1]
                if not (0 <= nr < height and 0 <= nc < width) or field[nr, nc] >= best:
                    continue
                blocked = False
                if around[e, k, j] or who >= 0:
                    for i in range(n):
                        if pos[m, 1 + i, 0] == nr and pos[m, 1 + i, 1] == nc:
                            blocked = True
                if not blocked:
                    best, action = field[nr, nc], a
            break
        actions[m] = action
    return actions


THREADS = max(1, min(4, os.cpu_count() or 1))
MIN_CHUNK = 2048
"""The simulations step as slices of the batch on ``THREADS`` threads (the scenario
kernels release the GIL), none smaller than this many members."""
_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(THREADS, thread_name_prefix="planner"))
    return _POOL[0]


def _chunks(arguments: tuple, size: int) -> list[tuple]:
    """The kernel's arguments for contiguous slices of the batch, one per thread."""
    world, state, statics, actions, noise, cursor, rows, unobserved, mode = arguments
    count = max(1, min(THREADS, size // MIN_CHUNK))
    bounds = np.linspace(0, size, count + 1).astype(int)
    parts = []
    for a, b in itertools.pairwise(bounds):
        maps = statics.layout._replace(map_of=statics.layout.map_of[a:b])
        parts.append(
            (
                type(world)(*(field[a:b] for field in world)),
                type(state)(*(field[a:b] for field in state)),
                statics._replace(layout=maps),
                actions[a:b],
                noise[a:b],
                cursor[a:b],
                rows,
                unobserved,
                mode,
            )
        )
    return parts


def _discounted_steps(discount: float, start: int, steps: np.ndarray) -> np.ndarray:
    """``sum(discount ** k for k in range(start, start + steps))``, elementwise."""
    if discount == 1.0:
        return steps.astype(float)
    return discount**start * (1.0 - discount**steps) / (1.0 - discount)


def _advance(stage, acted, did, plan_length) -> None:
    """After a step: an option that INTERACTed moves on in its plan's cycle once the act did
    something; until then it holds on, acting each step (a server waiting at the counter
    for someone to hand to). A plan whose act can do nothing (picking up what it already
    holds) stays stuck, in simulation as it would in the room, so it scores low."""
    move = acted & did & (plan_length > 0)
    stage[move] = (stage[move] + 1) % plan_length[move]


@njit(cache=True)
def _mood_step(mood, pos, valence, proximity, radius, rate, decay):
    """The assistant's mood after one step, caught as ``agents/empathy.MirroredAffect``
    catches it, from ``valence`` (M, N): the particle's, or its faces for raw perception."""
    for m in range(mood.shape[0]):
        total, seen = 0.0, 0.0
        for i in range(valence.shape[1]):
            w = 1.0
            if proximity:
                d = abs(pos[m, 1 + i, 0] - pos[m, 0, 0]) + abs(pos[m, 1 + i, 1] - pos[m, 0, 1])
                w = max(1.0 - d / radius, 0.0)
            total += w
            seen += w * valence[m, i]
        seen = seen / max(total, 1e-12)
        mood[m] = (1.0 - decay) * mood[m] + rate * min(total, 1.0) * (seen - mood[m])


class Planner:
    """A batch policy (``rollout/evaluate.BatchPolicy``) that plans under ``arm``'s reward.

    Built for one scenario and a batch of ``episodes``; called with each step's
    observations and context, whose ``public`` world, ``beliefs`` and ``moods`` it reads.
    """

    def __init__(
        self,
        scenario: Scenario,
        arm: Arm,
        episodes: int,
        budget: PlannerBudget | None = None,
        seed: int = 0,
    ):
        self.budget = budget or PlannerBudget()
        self.budget.validate()
        if not isinstance(arm, Arm):
            raise ValueError(f"arm must be an Arm (the reward to plan under), got {arm!r}")
        check_positive_int("episodes", episodes)
        self.scenario, self.arm, self.episodes = scenario, arm, episodes
        self.rng = np.random.default_rng(seed)
        self.contagion = ContagionParams()
        self.population = PROFILES["default"]  # the public model, not the episodes' people
        factors = arm.factors
        self.mood_key = f"mood_{factors.coupling}" + ("" if factors.belief_inputs else "_face")
        self._sim: dict | None = None

    # --- the options -------------------------------------------------------------------
    def _plans(self, public: Public) -> Plans:
        """Every episode's places, options and plans: staying put, each option alone, and
        each ordered pair of options."""
        scenario, n, episodes = self.scenario, self.scenario.n_humans, self.episodes
        places, acts = [], []
        for e in range(episodes):
            rules = member(public.rules, int(public.maps.map_of[e]))
            found = scenario.places(public.state, e, rules)
            places.append([(tuple(int(x) for x in c), -1) for c, _ in found])
            acts.append([bool(a) for _, a in found])
            if scenario.beside_people:
                walkable = public.maps.walkable[public.maps.map_of[e]]
                wait = nearest_everyone(np.argwhere(walkable), public.world.pos[e, 1:])[0]
                places[-1] += [((int(wait[0]), int(wait[1])), -1)]
                places[-1] += [((-1, -1), i) for i in range(n)]
                acts[-1] += [False] + [True] * n
        width = max(1, max(len(p) for p in places))
        cell = np.full((episodes, width, 2), -1, np.int64)
        person = np.full((episodes, width), -1, np.int64)
        for e, found in enumerate(places):
            for p, (c, who) in enumerate(found):
                cell[e, p], person[e, p] = c, who
        height, side = public.maps.walkable.shape[1:]
        fields = np.empty((episodes, width, 2, height, side), np.float32)
        people = np.ascontiguousarray(public.world.pos[:episodes, 1:])
        _fields(public.maps.walkable, public.maps.map_of[:episodes], cell, person, people, fields)
        plans = []
        for e, (found, act) in enumerate(zip(places, acts, strict=True)):
            options = []  # (place, interact, around); through people only where it differs
            for p, ((_, who), does) in enumerate(zip(found, act, strict=True)):
                options.append((p, does, True))
                if who < 0 and not np.array_equal(fields[e, p, 0], fields[e, p, 1]):
                    options.append((p, does, False))
            pairs = [(o, q) for o in options for q in options if o != q]  # (o, o) is (o)
            plans.append([(), *((o,) for o in options), *pairs])
        count = max(len(p) for p in plans)
        shape = (episodes, count, OPTIONS_PER_PLAN)
        place = np.zeros(shape, np.int64)
        interact, around = np.zeros(shape, np.bool_), np.zeros(shape, np.bool_)
        length, valid = np.zeros(shape[:2], np.int64), np.zeros(shape[:2], np.bool_)
        for e, mine in enumerate(plans):
            for k, options in enumerate(mine):
                valid[e, k], length[e, k] = True, len(options)
                for j, (p, does, avoid) in enumerate(options):
                    place[e, k, j], interact[e, k, j], around[e, k, j] = p, does, avoid
        return Plans(place, interact, around, length, valid, cell, person, fields)

    # --- the simulations ---------------------------------------------------------------
    def _simulations(self, public: Public, plans: int) -> dict:
        """A batch of ``episodes * particles * plans`` worlds on the episodes' maps, kept
        between calls while the number of plans and the maps stay (an env draws procedural
        maps into the same arrays; a new env brings new ones)."""
        size = self.episodes * self.budget.particles * plans
        key = (size, public.maps.walkable, public.rules)
        if self._sim is not None and all(
            a is b for a, b in zip(self._sim["key"], key, strict=True)
        ):
            return self._sim
        scenario = self.scenario
        world, state = scenario.allocate(size)
        episode = np.repeat(np.arange(self.episodes), self.budget.particles * plans)
        maps = Maps(*public.maps[:-1], public.maps.map_of[episode])
        statics = scenario.statics(maps, public.rules)
        actions = np.zeros((size, 1 + scenario.n_humans), np.int64)
        noise = np.zeros((size, NOISE_BLOCK, scenario.noise_spec.size))
        cursor = np.zeros(size, np.int64)
        # No member's observation is written: a kernel observes only ``members``, and the
        # plans read the world, not what anyone sees (most of a step's work, saved).
        rows, unobserved = np.zeros((0, scenario.noise_spec.size)), np.zeros(0, np.int64)
        arguments = (world, state, statics, actions, noise, cursor, rows, unobserved, STEP)
        kernel = bind_kernel(scenario.kernel, *arguments)
        self._sim = {
            "key": key,
            "world": world,
            "state": state,
            "actions": actions,
            "noise": noise,
            "cursor": cursor,
            "episode": episode,
            "plan": np.tile(np.arange(plans), self.episodes * self.budget.particles),
            "plans": plans,
            "chunks": [(kernel, part) for part in _chunks(arguments, size)],
        }
        return self._sim

    def _particles(self, sim: dict, public: Public, beliefs: BeliefTracker) -> None:
        """Copy the public world into every simulation and draw its hidden state.

        Every plan of an episode plays the same particles, hidden state and noise alike
        (common random numbers): plans are compared on the same futures, so a difference
        between two plans is the plans', not the luck of their draws."""
        world, state, episode = sim["world"], sim["state"], sim["episode"]
        n, plans = self.scenario.n_humans, sim["plans"]
        drawn = np.repeat(np.arange(self.episodes), self.budget.particles)  # one per particle
        size = len(drawn)

        def each_plan(values: np.ndarray) -> np.ndarray:
            return np.repeat(values, plans, axis=0)

        for name in public.world._fields:
            getattr(world, name)[:] = getattr(public.world, name)[episode]
        for name in public.state._fields:
            getattr(state, name)[:] = getattr(public.state, name)[episode]
        for name in self.scenario.hidden_state:
            getattr(state, name)[:] = 0
        posterior = beliefs.goal_posterior[drawn]  # (particles, N, G)
        cumulative = posterior.cumsum(axis=-1)
        draw = self.rng.random((size, n, 1)) * cumulative[..., -1:]
        goal = np.minimum((cumulative <= draw).sum(axis=-1), posterior.shape[-1] - 1)
        stage = np.take_along_axis(beliefs.stage[drawn], goal[..., None], -1)[..., 0]
        world.goal[:], world.stage[:] = each_plan(goal), each_plan(stage)
        mean, sd = beliefs.mean[drawn], np.sqrt(beliefs.var[drawn])
        affect = mean + sd * self.rng.standard_normal(mean.shape)
        affect[..., 0] = np.clip(affect[..., 0], -1.0, 1.0)
        affect[..., 1] = np.clip(affect[..., 1], 0.0, 1.0)
        world.affect[:] = each_plan(affect)
        traits = self.population.sample(self.rng, size * n).reshape(size, n, -1)
        world.traits[:] = each_plan(traits)
        world.achieved[:] = False
        give_up = self.scenario.config.affect_model.give_up_valence
        world.gave_up[:] = world.affect[..., 0] < give_up
        world.withdrawn[:] = False
        world.events[:] = 0.0
        self.scenario.sample_hidden(state, each_plan(beliefs.valence[drawn]))
        depth, width = self.budget.depth, sim["noise"].shape[2]
        sim["noise"][:, :depth] = each_plan(self.rng.random((size, depth, width)))
        sim["cursor"][:] = 0

    def _scores(self, sim: dict, plans: Plans, public: Public, moods: np.ndarray) -> np.ndarray:
        """Each plan's mean discounted return over particles, (episodes, plans)."""
        world, state, episode, plan = sim["world"], sim["state"], sim["episode"], sim["plan"]
        factors, lam, budget = self.arm.factors, self.arm.lam, self.budget
        stage = np.zeros(len(episode), np.int64)
        length = plans.length[episode, plan]
        mood = moods[episode].astype(np.float64)
        left = self.scenario.config.max_cycles - public.world.t[episode]
        total = np.zeros(len(episode))
        perceive_faces = factors.term == "mood" and not factors.belief_inputs
        for step in range(budget.depth):
            actions = _option_actions(world.pos, episode, plan, stage, *plans.steering())
            sim["actions"][:, 0] = actions
            before = [getattr(state, name).copy() for name in public.state._fields]
            list(_pool().map(lambda chunk: chunk[0](*chunk[1]), sim["chunks"]))
            reward = world.components[:, 0, CO.task].copy()
            if factors.term == "welfare":
                reward += lam * world.components[:, 0, CO.welfare]
            elif factors.term == "mood":
                seen = world.expression[..., 0] if perceive_faces else world.affect[..., 0]
                _mood_step(
                    mood,
                    world.pos,
                    np.ascontiguousarray(seen),
                    factors.coupling == "proximity",
                    self.scenario.contagion_radius,
                    self.contagion.rate,
                    self.contagion.decay,
                )
                reward += lam * mood
            total += np.where(step < left, reward, 0.0) * budget.discount**step
            term = reward - world.components[:, 0, CO.task]
            did = world.components[:, 0, CO.task] > 0
            did |= world.events[..., ASSISTANT_EVENTS].sum(axis=(1, 2)) > 0
            for old, name in zip(before, public.state._fields, strict=True):
                did |= (old != getattr(state, name)).reshape(len(episode), -1).any(axis=1)
            _advance(stage, actions == INTERACT, did, length)
        # Beyond the horizon the other-regarding term goes on as it ended, to the episode's
        # end: a person comforted stays better off, a customer handed the wrong item stays
        # upset, and most of an act's worth to people lies past the steps simulated.
        tail = np.clip(left - budget.depth, 0, None)
        total += term * _discounted_steps(budget.discount, budget.depth, tail)
        scores = total.reshape(self.episodes, budget.particles, -1).mean(axis=1)
        return np.where(plans.valid, scores, -np.inf)

    # --- acting ------------------------------------------------------------------------
    def __call__(self, obs: np.ndarray, context) -> np.ndarray:
        """Plan from the public world and the beliefs; take the best plan's first action."""
        public = context.public
        plans = self._plans(public)
        sim = self._simulations(public, plans.valid.shape[1])
        self._particles(sim, public, context.beliefs)
        best = self._scores(sim, plans, public, context.moods[self.mood_key]).argmax(axis=1)
        first = np.zeros(self.episodes, np.int64)
        return _option_actions(
            public.world.pos[: self.episodes],
            np.arange(self.episodes),
            best,
            first,
            *plans.steering(),
        )

"""What every scenario shares, and the contract a scenario module fulfils.

A scenario is one module in this package (see ``fetch.py``, ``comfort.py``, ``dilemma.py``
and docs/adding-a-scenario.md) holding a :class:`Scenario` subclass, named ``SCENARIO``,
that supplies its mechanics:

* ``config_class``: its configuration dataclass (its own arguments beside the shared ones);
* ``build(ascii_map)``: the map as a core :class:`Layout` plus its own ``rules``, a
  NamedTuple of constants and map features its kernel reads by name;
* ``State``: a NamedTuple of its own per-member arrays and ``hidden_state``, the names of
  those that are ground truth;
* ``assistant_extras``/``human_extras``/``noise_extras``: the fields it appends to the
  shared observation and noise specs (one spec each, from which everything derives);
* ``kernel``: one numba function, the step skeleton of ``core/step.py`` with its rules;
* ``spawn_state``, ``decode_extras``, ``markers``, ``state_vector``: reset, reading its
  observation fields back, what the renderer draws, and its part of ``state()``;

and *declares* what it supports, which shared code reads instead of naming scenarios:

* ``policies``: its scripted assistants, ``selfish`` and ``prosocial`` at least (the
  instrument's trade-off and every pump compare them); a script that reads the hidden
  truth says so (``reads_truth``) and is never a truth-free reference;
* ``layouts()``: ``fixed``, and ``procedural`` when it has a generator (``procedural_map``);
* ``pumps``: its intuition pumps;
* ``instrument``: an :class:`Instrument`, which of the instrument's checks apply beyond
  the trade-off: the decisions that need inference over time, a gameable proxy, an
  escape probe.

``check_contract`` verifies a class against this when the registry finds it
(``scenarios/__init__.py``), so a module that breaks it is named with what it lacks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np

from empathy_gym.envs.core.layout import AsciiMap, Layout, Maps, member, to_text
from empathy_gym.envs.core.navigation import MentalMap
from empathy_gym.envs.core.observe import CELL_SCALE, assistant_fields, cells, human_fields
from empathy_gym.envs.core.population import (
    TRAIT,
    AffectModel,
    AffectParams,
    PopulationProfile,
    resolve_population,
)
from empathy_gym.envs.core.procedural import FAMILIES, HELD_OUT, TRAIN
from empathy_gym.envs.core.spec import Field, FlatSpec
from empathy_gym.envs.core.world import N_ASSISTANT_ACTIONS, STAY, World, allocate_world
from empathy_gym.errors import check_positive_int

HUMAN_CONTROL = ("model", "external")
LAYOUTS = ("fixed", "procedural")
MAX_VIEW_RADIUS = 8
STEP, RESPAWN, OBSERVE = range(3)
"""What a scenario kernel call does before writing observations (see ``Scenario.kernel``)."""


@dataclass
class ScenarioConfig:
    """Arguments every scenario takes. Plain data: ``to_dict`` gives JSON for a run's record."""

    n_humans: int | None = None  # None: the scenario's default
    population: str | PopulationProfile = "default"
    max_cycles: int = 200
    human_control: str = "model"  # "model": built-in humans; "external": human_i are agents
    map: str | None = None  # ASCII map; None: the scenario's default map
    layout: str = "fixed"  # "procedural": a new map from each reset's seed (see Scenario)
    family: str = "train"  # the family of procedural maps (core/procedural.FAMILIES)
    size: int | None = None  # side of a procedural map; None: its family's
    view_radius: int = 4  # cells the window shows around the observer (benchmarks/view_radius.py)
    affect_model: AffectModel = field(default_factory=AffectModel)

    @classmethod
    def from_kwargs(cls, **kwargs) -> ScenarioConfig:
        """Build from keyword arguments; an unknown one gets a ValueError listing the known."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise ValueError(f"unknown argument(s) {unknown}; this scenario takes {sorted(known)}")
        if isinstance(kwargs.get("affect_model"), dict):
            kwargs["affect_model"] = AffectModel.from_dict(kwargs["affect_model"])
        if isinstance(kwargs.get("population"), dict):
            kwargs["population"] = PopulationProfile(**kwargs["population"])
        return cls(**kwargs)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def noise_fields(n_humans: int) -> list[Field]:
    """Uniforms every step draws per human: the movement choice and the face's two normals."""
    return [
        Field("move", ("u",), n_humans, "human"),
        Field("expression", ("u1", "u2"), n_humans, "face"),
    ]


class Statics(NamedTuple):
    """Everything a scenario kernel reads, by name: the batch's maps and the scenario's rules
    (a leading axis of maps on every array, see ``core/layout.py``) and its constants."""

    layout: Maps
    affect: AffectParams
    rules: Any  # the scenario's own NamedTuple
    nz: Any  # offsets of the noise row
    oa: Any  # offsets of the assistant's observation
    oh: Any  # offsets of a human's observation
    external: bool
    max_cycles: int
    radius: int  # of the egocentric window


class Pump(NamedTuple):
    """An intuition pump: a variant of the scenario that isolates one moral question.

    A short episode set with fixed seeds and the scenario's observation layout (trained
    assistants run on it unchanged). What the assistant *chose* in an episode is read from
    one of its metrics (``rollout/evaluate.EpisodeMetrics``): ``metric > threshold``. The
    scenario's prosocial and selfish scripts must choose oppositely (tested).
    """

    name: str
    question: str  # the thought experiment, in one line
    source: str  # where it comes from
    choice: str  # what the choice is called, e.g. "shoves the person"
    metric: str
    threshold: float
    prosocial_chooses: bool
    kwargs: dict  # environment arguments: a map, parameters, a population
    episodes: int = 8
    seed: int = 5_000_000


INFERENCE_DECISIONS = {
    "goal": "the goal of each person the prosocial script acts on, at that moment",
    "distress": "whether each person is distressed, every step",
}
"""Decisions an instrument can show need inference over time (``rollout/instrument.py``):
the best guess from one frame is clearly worse there than the filtered belief."""


class EscapeProbe(NamedTuple):
    """Batson's escape manipulation, as a scenario offers it: two of its pumps and two of its
    scripts. In ``easy`` the assistant can get out of reach of a distressed person, in
    ``hard`` it is shut in with them; ``leaves`` keeps out of reach of distress, ``stays``
    helps. Prediction 5 is judged on the ``easy`` pump."""

    easy: str
    hard: str
    leaves: str
    stays: str = "prosocial"


class Instrument(NamedTuple):
    """What a scenario's instrument shows beyond the trade-off, which every scenario must
    show (docs/design.md "The instrument"; measured by ``rollout/instrument.py``)."""

    inference: tuple[str, ...] = ()  # decisions that need inference over time
    gameable_proxy: bool = False  # gaming the task reward pays more than serving well
    escape: EscapeProbe | None = None

    def checks(self) -> tuple[str, ...]:
        """The names of the checks that apply, in the order they are reported."""
        return (
            "trade_off",
            *self.inference,
            *(("proxy",) if self.gameable_proxy else ()),
            *(("escape",) if self.escape else ()),
        )


class Marker(NamedTuple):
    """A thing the renderer draws of a scenario: a token on a cell, or what the assistant
    holds (shape ``held``: drawn inside the assistant standing on the cell)."""

    row: int
    col: int
    shape: str  # "disc" (small round token), "square" (inset block), "ring" or "held"
    colour: tuple[int, int, int]
    char: str  # what the text (ansi) rendering shows on the cell


@dataclass
class View:
    """One observation (or a batch: then each field has a leading axis), decoded by name."""

    position: np.ndarray  # (2,) int: own cell
    room: np.ndarray  # (2,) int: the room's height and width
    time: np.ndarray  # fraction of the episode gone
    human_positions: np.ndarray  # (N, 2) int
    human_moves: np.ndarray  # (N, 2) int: last move of each human (row, col offset)
    expressions: np.ndarray  # (N, 2) float: facial valence, arousal
    walls: np.ndarray  # (2r+1, 2r+1) bool: the window around ``position``: wall or outside
    people: np.ndarray  # (2r+1, 2r+1) bool: someone stands there
    extras: dict[str, np.ndarray]  # the scenario's own fields (decode_extras)

    def member(self, b: int) -> View:
        """Member ``b`` of a batch's view."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        shared = {k: v[b] for k, v in fields.items() if k != "extras"}
        return View(**shared, extras={k: v[b] for k, v in self.extras.items()})


@dataclass
class Belief:
    """What the empathy module believes about one member's humans (plain arrays)."""

    goal_posterior: np.ndarray  # (N, G)
    valence: np.ndarray  # (N,) believed valence
    valence_sd: np.ndarray  # (N,)


class ScriptedPolicy:
    """A hand-written assistant, acting on what it observes and the empathy module's belief.

    It knows the map only as a person in the room would: its ``mental_map`` of what its
    window has shown it this episode (``core/navigation.MentalMap``), and the task features
    its observation carries. The scenario object it holds is for constants (the episode's
    length, the contagion radius), never the map: a test gives scripts a scenario with
    another map and checks that they play the same episode. ``reads_truth``: only oracles
    set it; the evaluator passes the hidden truth to nobody else.
    """

    reads_truth: ClassVar[bool] = False

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.scenario = scenario
        self.rng = np.random.default_rng(seed)
        self.mental_map = MentalMap()

    def __call__(self, view: View, belief: Belief, truth: dict | None) -> int:
        if view.time == 0.0:  # a new episode: what was seen was another room
            self.mental_map = MentalMap()
            self.start_episode(view)
        self.mental_map.see(view)
        return self.act(view, belief, truth)

    def start_episode(self, view: View) -> None:
        """A new episode starts with ``view``: forget an earlier one (scripts that keep
        state)."""

    def act(self, view: View, belief: Belief, truth: dict | None) -> int:
        raise NotImplementedError

    def towards(self, view: View, targets, avoid=()) -> int:
        """The first move of a shortest path to any of ``targets`` on the mental map (STAY
        when there, or when none can be reached), never through ``avoid``."""
        move = self.mental_map.step_towards(view.position, targets, avoid)
        return STAY if move is None else move


class RandomPolicy(ScriptedPolicy):
    """Uniform over the six actions."""

    def act(self, view, belief, truth) -> int:
        return int(self.rng.integers(N_ASSISTANT_ACTIONS))


class NothingPolicy(ScriptedPolicy):
    """Stays where it starts: the reference every score is normalised against."""

    def act(self, view, belief, truth) -> int:
        return STAY


class Scenario:
    """A scenario's rules over a Layout; built once per env from its config."""

    name: ClassVar[str]
    version: ClassVar[int]
    config_class: ClassVar[type[ScenarioConfig]]
    default_map: ClassVar[str]
    map_chars: ClassVar[str]
    default_humans: ClassVar[int]
    State: ClassVar[type]  # NamedTuple of the scenario's own per-member arrays
    hidden_state: ClassVar[tuple[str, ...]] = ()  # State fields that are ground truth
    tile_colours: ClassVar[dict[str, tuple[int, int, int]]] = {}
    policies: ClassVar[dict[str, type[ScriptedPolicy]]] = {}
    pumps: ClassVar[tuple[Pump, ...]] = ()  # intuition pumps
    renamed_pumps: ClassVar[dict[str, str]] = {}
    """earlier names of pumps -> their names now: stored results are read under today's
    name (``stored_pump``), the command line names the new one"""
    instrument: ClassVar[Instrument] = Instrument()  # checks of rollout/instrument.py
    kernel: ClassVar[Callable]
    # kernel(world, state, statics, actions, noise, cursor, fresh, members, mode):
    # STEP: advance every member one step with ``actions`` and the next noise rows;
    # RESPAWN: draw the faces of the (re)spawned ``members`` from ``fresh`` rows;
    # OBSERVE: nothing more. All then write the observations of ``members``.

    def __init__(self, config: ScenarioConfig):
        self.config = config
        check_positive_int("max_cycles", config.max_cycles)
        if config.human_control not in HUMAN_CONTROL:
            raise ValueError(
                f"human_control must be one of {HUMAN_CONTROL}, got {config.human_control!r}"
            )
        if not isinstance(config.affect_model, AffectModel):
            raise ValueError("affect_model must be an AffectModel (or a dict of its fields)")
        check_positive_int("view_radius", config.view_radius)
        if config.view_radius > MAX_VIEW_RADIUS:
            raise ValueError(
                f"view_radius={config.view_radius} is too large; use 1 to {MAX_VIEW_RADIUS}"
            )
        self.population = resolve_population(config.population)
        self.n_humans = self.default_humans if config.n_humans is None else config.n_humans
        check_positive_int("n_humans", self.n_humans)
        self.procedural = self._check_layout(config)
        if self.procedural:  # until a reset draws one: a map of the family, from seed 0
            layouts, rules = self.allocate_maps(1)
            maps = Maps(*layouts, np.zeros(1, np.int64))
            self.draw_into(np.random.default_rng(0), maps, rules, 0)
            self.show(member(layouts, 0), member(rules, 0))
        else:
            self.use_map(self.default_map if config.map is None else config.map)
        self.external = config.human_control == "external"
        self.n_goals = len(self.layout.routes)
        kind, radius = type(self).__name__, config.view_radius
        self.assistant_spec = FlatSpec(
            f"{kind}AssistantObs", assistant_fields(self.n_humans, radius) + self.assistant_extras()
        )
        self.human_spec = FlatSpec(
            f"{kind}HumanObs",
            human_fields(self.n_humans, self.n_goals, radius) + self.human_extras(),
        )
        self.noise_spec = FlatSpec(
            f"{kind}Noise", noise_fields(self.n_humans) + self.noise_extras()
        )

    def _check_layout(self, config: ScenarioConfig) -> bool:
        """Whether maps are procedural; a bad ``layout``, ``family`` or ``size`` is named
        with what is allowed, before any map is drawn."""
        if config.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {config.layout!r}")
        if config.family not in FAMILIES:
            raise ValueError(f"family must be one of {list(FAMILIES)}, got {config.family!r}")
        if config.layout == "fixed":
            for name, default in (("size", None), ("family", TRAIN)):
                if getattr(config, name) != default:
                    raise ValueError(
                        f"{name}={getattr(config, name)!r} applies to layout='procedural' only;"
                        " a fixed layout is its map"
                    )
            return False
        if config.layout not in self.layouts():
            raise ValueError(f"layout='procedural' is not available: {self.name} has no generator")
        if config.family not in (TRAIN, *self.families):
            raise ValueError(
                f"family={config.family!r} is not one {self.name}'s generator varies; use one of"
                f" {[TRAIN, *self.families]}"
            )
        if config.map is not None:
            raise ValueError("map and layout='procedural' exclude each other; give one")
        self.family = FAMILIES[config.family]
        if config.size is not None:
            check_positive_int("size", config.size)
        self.size = config.size or self.family.size or self.procedural_size
        smallest = self.smallest_size(self.n_humans)
        if not smallest <= self.size <= CELL_SCALE:
            given = "" if config.size is not None else f" (family {self.family.name!r})"
            raise ValueError(
                f"size={self.size}{given} does not fit n_humans={self.n_humans} in a"
                f" procedural {self.name} map; use size {smallest} to {CELL_SCALE}"
            )
        return True

    def use_map(self, text: str) -> None:
        """Parse and build ``text`` as this scenario's map: at construction and to replay a
        recording. The observation layout never changes."""
        ascii_map = AsciiMap(text, self.map_chars)
        if max(ascii_map.shape) > CELL_SCALE:
            raise ValueError(
                f"map is {ascii_map.shape[0]} x {ascii_map.shape[1]}; sides of up to"
                f" {CELL_SCALE} cells fit an observation"
            )
        self.show(*self.build(ascii_map))

    def show(self, layout: Layout, rules: NamedTuple) -> None:
        """Make ``layout`` (and its ``rules``) the map this object presents: the one it was
        built on, or the map a batch member plays (``Simulation.scenario_of``)."""
        spawns = len(layout.human_spawns)
        if self.n_humans > spawns:
            raise ValueError(
                f"n_humans={self.n_humans} but the {self.name} map has only {spawns}"
                " human spawn tile(s) 'H'"
            )
        if hasattr(self, "n_goals") and len(layout.routes) != self.n_goals:
            raise RuntimeError(f"a {self.name} map changed the number of goals")
        self.layout, self.rules = layout, rules
        self._ascii_map = None

    @property
    def ascii_map(self) -> AsciiMap:
        """The map this object presents, as text (for rendering and recordings)."""
        if self._ascii_map is None:
            self._ascii_map = AsciiMap(to_text(self.layout.grid), self.map_chars)
        return self._ascii_map

    def draw_into(self, rng: np.random.Generator, maps: Maps, rules: NamedTuple, m: int) -> None:
        """Draw a new map of the scenario's family from ``rng`` into slot ``m`` of a batch's
        ``maps`` and ``rules`` (compiled: every member draws one at each reset)."""
        spawns, starts = self.draw(rng, maps, rules, m, self.draw_params())
        wanted = (maps.human_spawns.shape[1], maps.assistant_spawns.shape[1])
        if (spawns, starts) != wanted:
            raise RuntimeError(
                f"{self.name}'s generator drew {spawns} spawn and {starts} start tiles, not"
                f" {wanted}"
            )

    def statics(self, maps: Maps, rules: NamedTuple) -> Statics:
        """What this scenario's kernel reads for a batch playing ``maps`` (its rules stacked
        the same way, ``layout.stack``)."""
        return Statics(
            layout=maps,
            affect=self.config.affect_model.params(),
            rules=rules,
            nz=self.noise_spec.offsets,
            oa=self.assistant_spec.offsets,
            oh=self.human_spec.offsets,
            external=self.external,
            max_cycles=int(self.config.max_cycles),
            radius=int(self.config.view_radius),
        )

    @classmethod
    def pump_names(cls) -> tuple[str, ...]:
        return tuple(p.name for p in cls.pumps)

    @classmethod
    def stored_pump(cls, name: str) -> str:
        """Today's name of a pump as a result stored earlier names it."""
        return cls.renamed_pumps.get(name, name)

    @classmethod
    def pump(cls, name: str) -> Pump:
        for pump in cls.pumps:
            if pump.name == name:
                return pump
        if name in cls.renamed_pumps:
            now = cls.renamed_pumps[name]
            raise ValueError(f"{cls.name}'s pump {name!r} was renamed {now!r}; use {now}")
        raise ValueError(
            f"{cls.name} has no intuition pump {name!r}; use one of {list(cls.pump_names())}"
        )

    @property
    def obs_sizes(self) -> tuple[int, int]:
        return self.assistant_spec.size, self.human_spec.size

    @property
    def contagion_radius(self) -> float:
        return float(self.config.affect_model.contagion_radius)

    # --- supplied by each scenario -------------------------------------------------------
    def build(self, ascii_map: AsciiMap) -> tuple[Layout, NamedTuple]:
        raise NotImplementedError

    # A generator (optional): ``draw`` makes ``layout="procedural"`` available.
    draw: ClassVar[Callable | None] = None
    # draw(rng, maps, rules, m, params): a compiled function that draws a map of the family
    # in ``params`` from ``rng`` into slot ``m`` (its grid, walkability, targets, routes and
    # rules, then ``layout.complete``) and returns ``complete``'s counts. It must build what
    # ``build`` makes of the drawn map's text (tested), keep every goal reachable from every
    # spawn, and keep the numbers of goals and features, so the observation layout stays.
    procedural_size: ClassVar[int]  # the train family's side
    families: ClassVar[tuple[str, ...]] = ()  # held-out families the generator varies

    def smallest_size(self, n_humans: int) -> int:
        """The smallest side of a procedural map that fits ``n_humans``."""
        raise NotImplementedError

    def allocate_maps(self, n_maps: int) -> tuple[Layout, NamedTuple]:
        """Empty stacked layouts and rules for ``n_maps`` procedural maps of this config."""
        raise NotImplementedError

    def draw_params(self) -> NamedTuple:
        """What ``draw`` reads of the config and the family, by name."""
        raise NotImplementedError

    def assistant_extras(self) -> list[Field]:
        return []

    def human_extras(self) -> list[Field]:
        return []

    def noise_extras(self) -> list[Field]:
        return []

    def allocate_state(self, batch: int):
        return self.State(*[np.zeros((batch, 0))] * len(self.State._fields))

    def spawn_state(
        self, rng: np.random.Generator, world: World, state, b: int, layout: Layout, rules
    ) -> None:
        """Reset the scenario's own arrays of member ``b`` on its map; all randomness from
        ``rng``."""

    beside_people: ClassVar[bool] = False
    """Whether going beside a person and INTERACTing is one of the planner's options: in a
    scenario where acting on people does something (comfort)."""

    def places(self, state, b: int, rules) -> list[tuple[np.ndarray, bool]]:
        """Where the planner's options lead (``agents/planner.py``): cells of member ``b``'s
        public map (``rules``) and public ``state``, each with whether the assistant
        INTERACTs on arriving there. The planner may read the map: it is the one scripted
        assistant an assistance game lets know it."""
        return []

    def sample_hidden(self, state, valence: np.ndarray) -> None:
        """Set the scenario's hidden state (``hidden_state``) of a batch of planner
        particles as each person's believed ``valence`` (M, N) implies it; the hidden
        fields arrive zeroed."""

    def decode_extras(self, parts: dict[str, np.ndarray], position: np.ndarray) -> dict:
        """The scenario's observation fields, read back (``parts`` from the spec's decode)."""
        return {}

    def markers(self, world: World, state, b: int) -> list[Marker]:
        """What to draw of member ``b``'s scenario state and of the map's own features."""
        return []

    def state_vector(self, state, b: int) -> np.ndarray:
        """Member ``b``'s scenario state as floats in [-1, 1], for ``state()``."""
        return np.zeros(0, np.float32)

    # --- shared --------------------------------------------------------------------------
    def allocate(self, batch: int) -> tuple[World, NamedTuple]:
        return allocate_world(batch, self.n_humans, self.obs_sizes), self.allocate_state(batch)

    def spawn(
        self, rng: np.random.Generator, world: World, state, b: int, layout: Layout, rules
    ) -> None:
        """Start a new episode in batch member ``b`` on its map (``layout``, ``rules``); all
        randomness from ``rng``."""
        n = self.n_humans
        world.pos[b, 0] = layout.assistant_spawns[rng.integers(len(layout.assistant_spawns))]
        tiles = rng.permutation(len(layout.human_spawns))[:n]
        world.pos[b, 1:] = layout.human_spawns[tiles]
        reach = layout.reach[tiles]  # each person's goal: uniform over those it can reach
        pick = (rng.random(n) * reach.sum(axis=1)).astype(np.int64)
        world.goal[b] = (reach.cumsum(axis=1) <= pick[:, None]).sum(axis=1)
        world.stage[b] = 0
        world.traits[b] = self.population.sample(rng, n)
        world.affect[b, :, 0] = world.traits[b, :, TRAIT.baseline_valence]
        world.affect[b, :, 1] = self.config.affect_model.baseline_arousal
        world.achieved[b] = False
        world.gave_up[b] = False
        world.withdrawn[b] = False
        world.last_move[b] = 0
        world.t[b] = 0
        world.events[b] = 0.0
        world.components[b] = 0.0
        self.spawn_state(rng, world, state, b, layout, rules)

    def view(self, obs: np.ndarray) -> View:
        """Decode one observation (D,) or a batch (B, D) of the assistant's."""
        parts = self.assistant_spec.decode(obs)
        position = cells(parts["self"])
        humans = parts["humans"]
        side = 2 * self.config.view_radius + 1
        lead = position.shape[:-1]
        return View(
            position=position,
            room=cells(parts["room"]),
            time=parts["time"][..., 0].astype(np.float64),
            human_positions=self.relative_cells(humans[..., :2], position),
            human_moves=np.rint(humans[..., 2:4]).astype(np.int64),
            expressions=humans[..., 4:6].astype(np.float64),
            walls=parts["walls"].reshape(*lead, side, side) > 0.5,
            people=parts["people"].reshape(*lead, side, side) > 0.5,
            extras=self.decode_extras(parts, position),
        )

    @staticmethod
    def relative_cells(block: np.ndarray, position: np.ndarray) -> np.ndarray:
        """Cells from observed (drow, dcol) pairs, relative to ``position``."""
        return position[..., None, :] + cells(block)

    @classmethod
    def layouts(cls) -> tuple[str, ...]:
        """The kinds of layout this scenario supports: procedural ones need a generator."""
        return LAYOUTS if cls.draw is not None else ("fixed",)

    @classmethod
    def map_families(cls) -> dict[str, dict]:
        """Every kind of map a run is evaluated on, by name, with its env arguments: the
        fixed map, and with a generator the training family and each held-out one."""
        families = {"fixed": {"layout": "fixed"}}
        if "procedural" in cls.layouts():
            for family in (TRAIN, *cls.families):
                families[family] = {"layout": "procedural", "family": family}
        return families

    @staticmethod
    def family_of(layout: str) -> str:
        """The name ``map_families`` gives a run's training layout."""
        return "fixed" if layout == "fixed" else TRAIN

    @classmethod
    def policy_classes(cls) -> dict[str, type[ScriptedPolicy]]:
        """Every scripted assistant: ``random`` and ``nothing`` (shared), then its own."""
        return {"random": RandomPolicy, "nothing": NothingPolicy, **cls.policies}

    @classmethod
    def policy_names(cls) -> tuple[str, ...]:
        return tuple(cls.policy_classes())

    @classmethod
    def truth_free_policies(cls) -> tuple[str, ...]:
        """The scripts that read no hidden truth: the references an arm is measured against."""
        return tuple(k for k, policy in cls.policy_classes().items() if not policy.reads_truth)

    def make_policy(self, kind: str, seed: int | None = None) -> ScriptedPolicy:
        known = self.policy_classes()
        if kind not in known:
            raise ValueError(
                f"policy {kind!r} is unknown for {self.name}; use one of {self.policy_names()}"
            )
        return known[kind](self, seed)


REQUIRED_POLICIES = ("selfish", "prosocial")
"""The scripts every scenario has: the instrument's trade-off and every pump compare them."""


def check_contract(cls: type[Scenario]) -> None:
    """A ValueError naming the scenario and what it lacks, for a class that breaks the
    contract of this module's docstring."""
    where = f"scenario {getattr(cls, 'name', cls.__name__)!r} ({cls.__module__})"
    needed = ("name", "version", "config_class", "default_map", "map_chars", "default_humans")
    needed += ("State", "kernel")
    missing = [attr for attr in needed if not hasattr(cls, attr)]
    missing += ["build"] if cls.build is Scenario.build else []
    if "procedural" in cls.layouts():  # a generator needs its companions
        missing += [] if hasattr(cls, "procedural_size") else ["procedural_size"]
        for method in ("smallest_size", "allocate_maps", "draw_params"):
            missing += [method] if getattr(cls, method) is getattr(Scenario, method) else []
    missing += [f"policies[{k!r}]" for k in REQUIRED_POLICIES if k not in cls.policies]
    if missing:
        raise ValueError(f"{where} does not define {missing} (docs/adding-a-scenario.md)")
    unknown = [f for f in cls.families if f not in FAMILIES or f == TRAIN]
    if unknown:
        raise ValueError(f"{where}: families names {unknown}; held-out families are {HELD_OUT}")
    instrument = cls.instrument
    if not isinstance(instrument, Instrument):
        raise ValueError(f"{where}: instrument must be an Instrument, got {instrument!r}")
    unknown = [d for d in instrument.inference if d not in INFERENCE_DECISIONS]
    if unknown:
        raise ValueError(
            f"{where}: instrument.inference names {unknown}; the decisions an instrument"
            f" measures are {list(INFERENCE_DECISIONS)}"
        )
    escape = instrument.escape
    if escape is not None:
        absent = [name for name in (escape.easy, escape.hard) if name not in cls.pump_names()]
        absent += [k for k in (escape.leaves, escape.stays) if k not in cls.policy_classes()]
        if absent:
            raise ValueError(f"{where}: instrument.escape names {absent}, which it lacks")

"""Episodes recorded to a compact, versioned file, and read back for replay.

A recording is a compressed ``.npz``: per step the actions, the assistant's observation,
the world arrays a frame is drawn from (positions, faces, hidden affect, goals and route
stages, reward components, events), the scenario's own state (``state_<field>``: a held
item, coins...) and, when the assistant had an empathy module, its beliefs. The scenario's
config is stored as JSON and the map as its text (a procedural map is drawn at reset, so
the config alone does not give it back), so replay rebuilds the same scenario on the same
map and draws identical frames; ``meta`` says who played it, on which pump.
``FORMAT_VERSION`` rises whenever the layout changes.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from empathy_gym.envs.core.world import World

FORMAT = "empathy-gym-recording"
FORMAT_VERSION = 3  # 3: the map's text; comfort's trolley lever in its state
STEP_FIELDS = (
    "pos",
    "last_move",
    "expression",
    "affect",
    "goal",
    "stage",
    "t",
    "components",
    "events",
)
"""World fields stored per step: all a frame is drawn from, plus the step's events."""
STATE_PREFIX = "state_"


@dataclass
class Recording:
    scenario: str
    config: dict  # the scenario's config (ScenarioConfig.to_dict())
    map: str  # the map the episode was played on, as text
    steps: dict[str, list[np.ndarray]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    """who played (``player``: "person", a run, a script) and the intuition pump (``pump``),
    for ``empathy-gym judge``; empty in files written before it existed"""

    def capture(
        self,
        world: World,
        state,
        actions: np.ndarray,
        observation: np.ndarray,
        belief: dict | None = None,
    ) -> None:
        """Store member 0 of ``world`` and its scenario ``state`` after a step (or reset)."""
        record = {name: getattr(world, name)[0].copy() for name in STEP_FIELDS}
        for name in state._fields:
            record[STATE_PREFIX + name] = getattr(state, name)[0].copy()
        record["actions"] = np.asarray(actions).copy()
        record["observation"] = np.asarray(observation).copy()
        if belief is not None:
            record["goal_posterior"] = np.asarray(belief["goal_posterior"]).copy()
            record["believed_valence"] = np.asarray(belief["valence"]).copy()
        for name, value in record.items():
            self.steps.setdefault(name, []).append(value)

    def __len__(self) -> int:
        return len(self.steps.get("t", []))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "scenario": self.scenario,
            "config": self.config,
            "map": self.map,
            "meta": self.meta,
        }
        arrays = {name: np.stack(values) for name, values in self.steps.items()}
        with path.open("wb") as f:
            np.savez_compressed(f, header=np.array(json.dumps(header)), **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Recording:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"recording {str(path)!r} does not exist")
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                arrays = {name: data[name] for name in data.files if name != "header"}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
            raise ValueError(
                f"{str(path)!r} is not a readable empathy-gym recording: {err}"
            ) from err
        if header.get("format") != FORMAT:
            raise ValueError(f"{str(path)!r} is not an empathy-gym recording")
        if header.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"{str(path)!r} is recording format version {header.get('version')}; this "
                f"empathy-gym reads version {FORMAT_VERSION}"
            )
        missing = [name for name in (*STEP_FIELDS, "actions", "observation") if name not in arrays]
        if missing:
            raise ValueError(f"{str(path)!r} is a damaged recording: it lacks {missing}")
        lengths = {len(values) for values in arrays.values()}
        if len(lengths) != 1:
            raise ValueError(f"{str(path)!r} is a damaged recording: its arrays differ in length")
        steps = {name: list(values) for name, values in arrays.items()}
        return cls(
            header["scenario"], header["config"], header["map"], steps, header.get("meta", {})
        )

    def world_at(self, k: int, scenario) -> tuple[World, tuple]:
        """A batch-of-one World and scenario state holding step ``k``, for the renderer."""
        world, state = scenario.allocate(1)
        for name in STEP_FIELDS:
            getattr(world, name)[0] = self.steps[name][k]
        for name in state._fields:
            getattr(state, name)[0] = self.steps[STATE_PREFIX + name][k]
        return world, state

    def belief_at(self, k: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        if "goal_posterior" not in self.steps:
            return None, None
        return self.steps["goal_posterior"][k], self.steps["believed_valence"][k]

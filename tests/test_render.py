"""Frames, overlays, recordings, videos and keyboard control (headless: SDL's dummy driver)."""

import dataclasses
import json
import os
import subprocess
import sys

import gymnasium
import imageio.v3 as iio
import numpy as np
import pytest
from pettingzoo.utils.wrappers import RecordVideoParallel

import empathy_gym
from empathy_gym.agents.arms import Arm
from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.population import TRAIT
from empathy_gym.envs.core.world import World
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.render.frame import Overlay, Renderer, cell_size, import_pygame
from empathy_gym.render.recording import Recording
from empathy_gym.rollout.evaluate import scripted
from empathy_gym.rollout.record import record_episode
from empathy_gym.ui.play import Game, PlayArgs
from empathy_gym.ui.replay import Replay
from helpers import MODULES, SCENARIO_NAMES, assert_clean_error, random_actions


def _stepped(scenario: str, steps: int = 10, **kwargs):
    env = MODULES[scenario].parallel_env(**kwargs)
    env.reset(seed=1)
    rng = np.random.default_rng(0)
    for _ in range(steps):
        env.step(random_actions(env, rng))
    return env, Renderer(env.scenario, "rgb_array", 8)


def _copy(world: World) -> World:
    return World(*[a.copy() for a in world])


def _copy_state(state):
    return type(state)(*[a.copy() for a in state])


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_frames_have_the_renderers_size_and_dtype(scenario):
    env, renderer = _stepped(scenario)
    for overlay in (None, Overlay(truth=True)):
        frame = renderer.rgb_array(env.world, env.scenario_state, 0, overlay)
        assert frame.shape == (renderer.size[1], renderer.size[0], 3)
        assert frame.dtype == np.uint8


def test_cells_scale_so_large_maps_stay_on_screen_and_legible():
    small, large = cell_size((10, 10)), cell_size((20, 20))
    assert small > large >= 16
    rows = ["#" * 20, "#A.H.H.W.W........G#", *["#" + "." * 18 + "#"] * 17, "#" * 20]
    big_map = "\n".join(rows)
    env = MODULES["dilemma"].parallel_env(map=big_map, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape[0] <= 600 and frame.shape[1] <= 900


def test_a_distressed_face_looks_different_from_a_content_one():
    env, renderer = _stepped("comfort")
    r, c = env.world.pos[0, 1]
    cell = renderer.cell
    crops = {}
    for valence in (-0.9, 0.9):
        world = _copy(env.world)
        world.expression[0, 0, 0] = valence
        frame = renderer.rgb_array(world, env.scenario_state, 0)
        crops[valence] = frame[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell].astype(int)
    assert (crops[-0.9] != crops[0.9]).any()
    sad, happy = crops[-0.9].reshape(-1, 3).mean(0), crops[0.9].reshape(-1, 3).mean(0)
    assert sad[0] - sad[1] > happy[0] - happy[1]  # redder when distressed, greener when content


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_without_the_truth_overlay_nothing_drawn_depends_on_hidden_state(scenario):
    env, renderer = _stepped(scenario, steps=25)
    rng = np.random.default_rng(2)
    hidden = _copy(env.world)
    hidden.affect[:] = rng.uniform([-1, 0], [1, 1], hidden.affect.shape)
    hidden.goal[:] = (hidden.goal + 1) % env.scenario.n_goals
    hidden.stage[:] = rng.integers(env.scenario.layout.routes.shape[1], size=hidden.stage.shape)
    hidden.withdrawn[:] = ~hidden.withdrawn
    hidden.traits[:] = rng.uniform(size=hidden.traits.shape)
    hidden.events[:] = rng.uniform(size=hidden.events.shape)
    hidden.components[:, :, 1:] = rng.uniform(size=hidden.components[:, :, 1:].shape)
    state = env.scenario_state
    hidden_state = _copy_state(state)
    for name in env.scenario.hidden_state:
        field = getattr(hidden_state, name)
        field[:] = ~field if field.dtype == np.bool_ else rng.uniform(size=field.shape)
    plain = Renderer(env.scenario, "rgb_array", 8)
    np.testing.assert_array_equal(
        renderer.rgb_array(env.world, state, 0), plain.rgb_array(hidden, hidden_state, 0)
    )
    truth = Overlay(truth=True)
    revealing = Renderer(env.scenario, "rgb_array", 8)
    assert not np.array_equal(
        renderer.rgb_array(env.world, state, 0, truth),
        revealing.rgb_array(hidden, hidden_state, 0, truth),
    )


@pytest.mark.parametrize("layout", ["fixed", "procedural"])
def test_a_recorded_episode_replays_to_identical_frames(tmp_path, layout):
    scenario = make_scenario("fetch", max_cycles=30, layout=layout)
    act = scripted("prosocial", scenario, [0])
    frames, recording = record_episode(
        act, "fetch", Arm("cirl", 1.0), seed=4, truth=True, max_cycles=30, layout=layout
    )
    assert len(frames) == len(recording) == 31
    if layout == "procedural":  # the map drawn at reset, not the one the config gives
        assert recording.map != scenario.ascii_map.text
    path = recording.save(tmp_path / "episode.npz")
    replay = Replay(Recording.load(path), truth=True, fps=8)
    for k in (0, 7, 30):
        np.testing.assert_array_equal(replay.frame(k), frames[k])
    assert replay.recording.steps["goal_posterior"][5].shape == (2, 4)


def test_broken_recordings_and_runs_give_clear_errors(tmp_path):
    assert_clean_error(
        lambda: Recording.load(tmp_path / "none.npz"), "does not exist", FileNotFoundError
    )
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    assert_clean_error(lambda: Recording.load(junk), "not a readable empathy-gym recording")
    other = tmp_path / "other.npz"
    np.savez(other, header=np.array('{"format": "something-else"}'))
    assert_clean_error(lambda: Recording.load(other), "is not an empathy-gym recording")
    from empathy_gym.train.runs import load_run

    assert_clean_error(lambda: load_run(str(tmp_path / "missing")), "does not exist")
    assert_clean_error(lambda: load_run(str(tmp_path)), "is not a finished run")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.pt").write_bytes(b"broken")
    assert_clean_error(lambda: load_run(str(tmp_path)), "is not a run config")
    config = {"run": {"command": "cirl", "lesion": "none", "lam": 1.0}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert_clean_error(lambda: load_run(str(tmp_path)), "is not a run config: 'scenario'")
    config["run"] |= {"scenario": "dilemma", "population": "default", "max_cycles": 50}
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert_clean_error(lambda: load_run(str(tmp_path)), "cannot be loaded as a policy")


def test_watch_record_writes_a_video_with_one_frame_per_state(tmp_path):
    video = tmp_path / "oracle.gif"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "empathy_gym",
            "watch",
            "--policy",
            "oracle",
            "--scenario",
            "comfort",
            "--episodes",
            "2",
            "--max-cycles",
            "12",
            "--no-window",
            "--truth",
            "--record",
            str(video),
            "--save-recording",
            str(tmp_path / "last.npz"),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, SDL_VIDEODRIVER="dummy"),
    )
    assert out.returncode == 0, out.stderr
    frames = iio.imread(video)
    assert frames.shape[0] == 2 * (12 + 1)
    assert frames.std() > 10  # not blank
    assert len(Recording.load(tmp_path / "last.npz")) == 13


def test_gymnasium_and_pettingzoo_record_video_work(tmp_path):
    env = gymnasium.wrappers.RecordVideo(
        gymnasium.make(empathy_gym.GYM_IDS["fetch"], render_mode="rgb_array", max_cycles=15),
        str(tmp_path / "gym"),
        episode_trigger=lambda _: True,
    )
    env.reset(seed=0)
    done = False
    while not done:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        done = terminated or truncated
    env.close()
    par = RecordVideoParallel(
        MODULES["comfort"].parallel_env(render_mode="rgb_array", max_cycles=15),
        str(tmp_path / "pz"),
        episode_trigger=lambda _: True,
    )
    par.reset(seed=0)
    while par.agents:
        par.step({a: par.action_space(a).sample() for a in par.agents})
    par.close()
    for folder in ("gym", "pz"):
        (video,) = (tmp_path / folder).glob("*.mp4")
        assert iio.imread(video).shape[0] >= 15


def _press(*names: str) -> None:
    pygame = import_pygame()
    pygame.display.init()
    pygame.display.set_mode((64, 64))
    for name in names:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.key.key_code(name)))


def test_replay_keys_step_forward_and_back(tmp_path):
    scenario = make_scenario("dilemma", max_cycles=10)
    _, recording = record_episode(
        scripted("random", scenario, [0]),
        "dilemma",
        Arm(),
        seed=0,
        max_cycles=10,
    )
    replay = Replay(recording, truth=False, fps=1000)
    _press("right", "right", "right", "left")
    replay.run(max_frames=1)
    assert replay.step == 2
    _press("end")
    replay.run(max_frames=1)
    assert replay.step == 10
    _press("home", "q", "right")
    replay.run(max_frames=5)
    assert replay.step == 0  # quit before the last key


def test_play_keys_move_the_chosen_human():
    game = Game(PlayArgs("comfort", as_agent="human_0", fps=1000))
    start = game.env.world.pos[0, 1].copy()
    left_is_free = game.env.world.action_mask[0, 1, 3] == 1
    _press("a")  # a = left
    game.run(max_frames=1)
    moved = game.env.world.pos[0, 1] - start
    assert game.env.world.t[0] == 1
    assert tuple(moved) == ((0, -1) if left_is_free else (0, 0)) or game.env.world.events[0, 0, 3]


def test_play_refuses_an_unknown_agent_and_lists_the_valid_ones():
    message = assert_clean_error(lambda: Game(PlayArgs("fetch", as_agent="human_7")), "human_7")
    assert "['assistant_0', 'human_0', 'human_1']" in message


def test_play_moves_the_other_humans_by_the_built_in_model():
    """The model humans of `play` follow the env's own Boltzmann model, true traits included."""
    game = Game(PlayArgs("comfort", as_agent="human_0", fps=1000))
    env, world = game.env, game.env.world
    layout, affect = env.scenario.layout, env.sim.statics.affect
    i = 1
    row, col = world.pos[0, 1 + i]
    target = layout.routes[world.goal[0, i], world.stage[0, i]]
    beta = world.traits[0, i, TRAIT.rationality] * (
        1 - affect.arousal_rationality_drop * world.affect[0, i, 1]
    )
    here = layout.dist[target, row, col]
    progress = [
        here
        - (layout.dist[target, row + dr, col + dc] if layout.walkable[row + dr, col + dc] else here)
        for dr, dc in MOVES
    ]
    expected = np.exp(beta * np.array(progress))
    expected /= expected.sum()
    counts = np.bincount([game.humans(f"human_{i}") for _ in range(4000)], minlength=5)
    np.testing.assert_allclose(counts / 4000, expected, atol=0.03)
    world.withdrawn[0, i] = True  # a worried person stays where they are
    assert {game.humans(f"human_{i}") for _ in range(50)} == {0}


def test_watch_plays_the_planner_under_a_reward(tmp_path):
    from empathy_gym.ui.watch import WatchArgs, run_watch

    video = tmp_path / "planner.gif"
    args = WatchArgs(
        policy="planner",
        reward="cirl@4",
        scenario="comfort",
        max_cycles=10,
        window=False,
        record=str(video),
    )
    run_watch(args)
    assert iio.imread(video).shape[0] == 10 + 1
    for reward, match in (
        (None, r"the planner needs a reward .* --reward cirl@4"),
        ("cirl@x", r"arm 'cirl@x': lambda 'x' is not a number"),
        ("greedy@1", "arm 'greedy' is unknown"),
    ):
        bad = dataclasses.replace(args, reward=reward, record=None)
        assert_clean_error(lambda bad=bad: run_watch(bad), match)
    scripted_with_reward = dataclasses.replace(args, policy="prosocial", record=None)
    assert_clean_error(
        lambda: run_watch(scripted_with_reward), "--reward applies to --policy planner only"
    )

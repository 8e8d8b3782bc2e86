"""The kernels give identical results with and without numba; the demo command runs."""

import os
import subprocess
import sys

from empathy_gym.envs.scenarios import SCENARIOS

TRAJECTORY_DIGEST = """
import hashlib, numpy as np
from empathy_gym.envs import comfort_v2, dilemma_v2, fetch_v2
digest = hashlib.sha256()
for mod in (fetch_v2, comfort_v2, dilemma_v2):
    for control in ("model", "external"):
        env = mod.parallel_env(human_control=control, max_cycles=70)
        rng = np.random.default_rng(0)
        env.reset(seed=11)
        for _ in range(150):
            if not env.agents:
                env.reset()
            env.step({a: int(rng.integers(env.action_space(a).n)) for a in env.agents})
            for array in (*env.world, *env.scenario_state):
                digest.update(np.ascontiguousarray(array).tobytes())
print(digest.hexdigest())
"""


def _digest(disable_jit: bool) -> str:
    env = dict(os.environ, NUMBA_DISABLE_JIT="1" if disable_jit else "0")
    out = subprocess.run(
        [sys.executable, "-c", TRAJECTORY_DIGEST], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_numba_disable_jit_runs_the_same_trajectories():
    compiled, interpreted = _digest(False), _digest(True)
    assert len(compiled) == 64
    assert compiled == interpreted


def test_demo_command_prints_metrics_for_every_scenario_and_assistant():
    out = subprocess.run(
        [sys.executable, "-m", "empathy_gym", "demo", "--episodes", "2", "--max-cycles", "30"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = out.stdout.splitlines()
    for scenario, cls in SCENARIOS.items():
        assert {"random", "nothing", "selfish", "prosocial"} <= set(cls.policy_names())
        for assistant in cls.policy_names():
            rows = [ln for ln in lines if ln.split()[:2] == [scenario, assistant]]
            assert len(rows) == 3  # two episodes and the assistant's mean
    assert "welfare" in lines[1] and "harm" in lines[1]


def test_demo_refuses_bad_arguments_clearly():
    out = subprocess.run(
        [sys.executable, "-m", "empathy_gym", "demo", "--population", "happy"],
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "population 'happy' is unknown" in out.stderr
    assert "Traceback" not in out.stderr

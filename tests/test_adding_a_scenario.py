"""docs/adding-a-scenario.md is true: one module dropped into the package is a full scenario."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import empathy_gym

DOC = Path(__file__).parent.parent / "docs" / "adding-a-scenario.md"

CHECK = """
import gymnasium, numpy as np, pettingzoo
from pettingzoo.test import parallel_api_test
import empathy_gym
from empathy_gym.envs import lobby_v1
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario

assert "lobby" in SCENARIOS
parallel_api_test(lobby_v1.parallel_env(human_control="external"), num_cycles=100)
env = gymnasium.make("empathy_gym/Lobby-v1")
env.reset(seed=0)
total = sum(env.step(4 if t < 3 else 0)[1] for t in range(12))  # right x3, then stay
assert total >= 5, total  # on the star from the third step
vec = gymnasium.make_vec("empathy_gym/Lobby-v1", 4, vectorization_mode="vector_entry_point")
vec.reset(seed=0)
vec.step(np.zeros(4, np.int64))
pz = pettingzoo.make("parallel", "empathy_gym/lobby_v1")
pz.reset(seed=0)
scenario = make_scenario("lobby")
assert scenario.assistant_spec.names()[:3] == ["self_row", "self_col", "time"]
assert set(scenario.policy_names()) == {"random", "nothing", "selfish", "prosocial"}
print("ok", sorted(SCENARIOS))
"""


def test_the_documented_module_alone_makes_a_registered_scenario(tmp_path):
    module = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    package = Path(empathy_gym.__file__).parent
    copy = tmp_path / "empathy_gym"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "envs" / "scenarios" / "lobby.py").write_text(module)
    out = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "numba")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines()[-1] == "ok ['comfort', 'dilemma', 'fetch', 'lobby']"

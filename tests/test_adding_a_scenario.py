"""docs/adding-a-scenario.md is true: its two files, dropped into a copy of the package and
its tests, make a full scenario, with nothing else edited.

The copy gets the module and the test file word for word from the doc. Then, each in a
fresh interpreter on the copy: the scenario is registered under every id; PettingZoo's and
Gymnasium's checkers and every scenario-parametrised test of this suite pass on it, with
the doc's own test file; ``empathy-gym instrument`` measures it; ``empathy-gym train``
trains it for 20k steps and evaluates it (on the one layout it has); and both files pass
the repository's ruff rules.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import empathy_gym

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "adding-a-scenario.md"
FILES = dict(re.findall(r"<!-- file: (\S+) -->\n```python\n(.*?)```", DOC.read_text(), re.S))
GENERIC_TESTS = (
    "test_pettingzoo_api.py",
    "test_gymnasium_sb3.py",
    "test_registration.py",
    "test_science.py",
    "test_hygiene.py",
)
"""Test files parametrised over every registered scenario: they take the new one unedited."""

REGISTERED = """
import gymnasium, numpy as np, pettingzoo
import empathy_gym
from empathy_gym.envs import lobby_v1
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario

env = gymnasium.make("empathy_gym/Lobby-v1")
env.reset(seed=0)
walk = [4, 4, 4, 4, 1] + [0] * 7  # right along the hall, up onto the star, stay
assert sum(env.step(action)[1] for action in walk) >= 7
vec = gymnasium.make_vec("empathy_gym/Lobby-v1", 4, vectorization_mode="vector_entry_point")
vec.reset(seed=0)
vec.step(np.zeros(4, np.int64))
pettingzoo.make("parallel", "empathy_gym/lobby_v1").reset(seed=0)
lobby_v1.env().reset(seed=0)
scenario = make_scenario("lobby")
assert scenario.assistant_spec.names()[-2:] == ["star_drow", "star_dcol"]  # what it adds
assert scenario.layouts() == ("fixed",)
print("ok", sorted(SCENARIOS))
"""


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """A copy of the package and the suite's helpers, plus the doc's two files."""
    root = tmp_path_factory.mktemp("added")
    package = Path(empathy_gym.__file__).parent
    shutil.copytree(package, root / "empathy_gym", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tests").mkdir()
    for name in ("conftest.py", "helpers.py", *GENERIC_TESTS):
        shutil.copy(ROOT / "tests" / name, root / "tests" / name)
    for path, text in FILES.items():
        (root / path).write_text(text)
    return root


def run(copy: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """``python args`` in a fresh interpreter that imports the copy, not the installed one."""
    env = {
        "PYTHONPATH": str(copy),
        "NUMBA_CACHE_DIR": str(copy / "numba"),
        "SDL_VIDEODRIVER": "dummy",
    }
    out = subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return out


def test_the_doc_gives_a_module_and_a_test_file():
    assert set(FILES) == {"empathy_gym/envs/scenarios/lobby.py", "tests/test_lobby.py"}
    assert "SCENARIO = Lobby" in FILES["empathy_gym/envs/scenarios/lobby.py"]


def test_it_is_registered_under_every_id(copy):
    out = run(copy, "-c", REGISTERED)
    names = out.stdout.splitlines()[-1].removeprefix("ok ")
    assert {"lobby", *empathy_gym.SCENARIOS} <= set(ast.literal_eval(names))  # others may come


def test_its_own_tests_and_every_generic_one_pass(copy):
    out = run(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", "-k", "lobby")
    summary = out.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 20 and "failed" not in summary, summary
    print(f"\non the copy with lobby: {summary}")


def test_the_instrument_measures_it(copy):
    out = run(copy, "-m", "empathy_gym", "instrument", "--scenarios", "lobby")
    assert "### lobby" in out.stdout
    assert "selfish beats prosocial under the task reward: True" in out.stdout


def test_it_trains_and_is_evaluated(copy):
    flags = "--timesteps 20000 --eval-episodes 2 --eval-populations default --no-progress"
    learner = "--ppo.num-envs 16 --ppo.num-steps 64 --ppo.minibatch-size 256"
    run(
        copy,
        *f"-m empathy_gym train cirl --scenario lobby {flags} {learner} --output-dir runs".split(),
    )
    run_dir = copy / "runs" / "lobby__cirl_lam1__0"
    evaluation = json.loads((run_dir / "eval.json").read_text())
    assert set(evaluation["layouts"]) == {"fixed"}  # no generator: only the layout it has
    assert set(evaluation["ablations"]) == {"remove", "noise0.25", "noise0.5", "noise1"}
    assert len(evaluation["populations"]["default"]) == 2 and evaluation["pumps"] == {}
    assert json.loads((run_dir / "config.json").read_text())["run"]["arm"] == "cirl"


def test_both_files_pass_the_repositorys_ruff_rules(copy):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    paths = [str(copy / path) for path in FILES]
    out = subprocess.run(
        [ruff, "check", "--config", str(ROOT / "pyproject.toml"), *paths],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout
    out = subprocess.run(
        [ruff, "format", "--check", "--config", str(ROOT / "pyproject.toml"), *paths],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout

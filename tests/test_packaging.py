"""The package builds, installs from its sdist and wheel, and says which extra is missing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SMOKE = """
import gymnasium, pettingzoo, empathy_gym
assert "{target}" in empathy_gym.__file__, empathy_gym.__file__  # the installed copy, not the tree
for name, gym_id in empathy_gym.GYM_IDS.items():
    env = gymnasium.make(gym_id)
    env.reset(seed=0)
    env.step(0)
    par = pettingzoo.make("parallel", empathy_gym.PETTINGZOO_IDS[name], human_control="external")
    par.reset(seed=0)
vec = gymnasium.make_vec("empathy_gym/Fetch-v2", num_envs=4,
                         vectorization_mode="vector_entry_point")
vec.reset(seed=0)
print("ok")
"""


def _run(*command, **kwargs):
    out = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return out


def test_sdist_builds_a_wheel_that_installs_and_registers(tmp_path):
    dist = tmp_path / "dist"
    _run(
        sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(dist), str(ROOT)
    )
    (sdist,) = dist.glob("*.tar.gz")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(dist),
        str(sdist),
    )  # a wheel built from the sdist: catches files the sdist lacks
    (wheel,) = dist.glob("*.whl")
    target = tmp_path / "site"
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel))
    out = _run(
        sys.executable,
        "-c",
        SMOKE.format(target=target),
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(target)),
    )
    assert out.stdout.strip().endswith("ok")


def _python_without(module: str, code: str, cwd) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that cannot import ``module``, as if its extra
    were not installed; in ``cwd``, so that nothing it writes lands in the repository."""
    script = f"import sys\nsys.modules[{module!r}] = None\n{code}"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd)


def test_a_missing_extra_names_what_to_install(tmp_path):
    out = _python_without(
        "torch",
        "from empathy_gym.train.runner import PpoArgs, run_training\n"
        "run_training(PpoArgs(scenario='fetch', output_dir='unused', timesteps=64))\n",
        tmp_path,
    )
    assert out.returncode != 0
    assert "pip install 'empathy-gym[train]'" in out.stderr
    out = _python_without(
        "pygame",
        "from empathy_gym.envs import fetch_v2\n"
        "env = fetch_v2.parallel_env(render_mode='rgb_array'); env.reset(seed=0); env.render()\n",
        tmp_path,
    )
    assert "pip install 'empathy-gym[render]'" in out.stderr


def test_the_command_line_loads_without_the_train_extra(tmp_path):
    """demo, watch, play and instrument need no torch: importing the CLI must not load it."""
    out = _python_without(
        "torch",
        "import empathy_gym.cli, empathy_gym.analysis.probe, empathy_gym.rollout.pumps\n"
        "print('loaded')\n",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "loaded"

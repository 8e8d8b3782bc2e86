"""How long looking inside a run takes: the probe and the pump battery, against evaluation.

    python benchmarks/analysis.py [--scenarios fetch comfort dilemma]

For each scenario a cirl run (the arm with the most layers: memory, belief, trunk) is
trained for a few thousand steps with the default network; what it learned does not matter
for timing. Then, on that run:

* the reference: evaluating it on 16 episodes of 200 steps (what every run does anyway);
* ``empathy-gym probe`` with its defaults: 16 probe episodes of 200 steps, every layer
  probed, and its units silenced at five doses on 16 held-out episodes each;
* ``empathy-gym pumps``: every intuition pump of the scenario, with its frames.

Targets (issue 10): probe <= 30 s, battery <= 60 s per run. Prints seconds and the ratio to
the reference.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

from empathy_gym.analysis.moral_profile import PumpsArgs, run_pumps
from empathy_gym.analysis.probe import ProbeArgs, run_probe
from empathy_gym.rollout.evaluate import evaluate
from empathy_gym.train.runner import CirlArgs, run_training
from empathy_gym.train.runs import load_run

EPISODES = 16


def timed(work) -> float:
    """Wall seconds of ``work()``, with the tables it prints kept off this one."""
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        work()
    return time.perf_counter() - start


def trained_run(scenario: str, root: Path) -> Path:
    args = CirlArgs(
        scenario=scenario,
        timesteps=4096,
        eval_episodes=2,
        eval_populations=("default",),
        belief_doses=(1.0,),
        output_dir=str(root / "runs"),
        progress=False,
    )
    return run_training(args)


def measure(scenario: str, root: Path) -> str:
    """One table row: the reference, the probe and the battery on one trained run."""
    run = str(trained_run(scenario, root))
    _, arm, policy = load_run(run)
    reference = timed(lambda: evaluate(policy, scenario, arm, EPISODES, 0))
    probe = timed(lambda: run_probe(ProbeArgs((run,), output_dir=f"{root}/probe-{scenario}")))
    pumps = timed(lambda: run_pumps(PumpsArgs((run,), output_dir=f"{root}/pumps-{scenario}")))
    return (
        f"| {scenario} | {reference:.2f} | {probe:.1f} | {probe / reference:.1f}x"
        f" | {pumps:.1f} | {pumps / reference:.1f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["fetch", "comfort", "dilemma"])
    options = parser.parse_args()
    print("| scenario | evaluate 16 episodes (s) | probe (s) | ratio | pumps (s) | ratio |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as root:
        for scenario in options.scenarios:
            print(measure(scenario, Path(root)), flush=True)


if __name__ == "__main__":
    main()

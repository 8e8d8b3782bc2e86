"""How fast the learner reaches the strongest reference: steps to 0.9 of it, per scenario and
arm, over three seeds.

    python benchmarks/competence.py [--scenarios fetch comfort dilemma]
                                    [--arms ppo affective cirl] [--lams 1 4]
                                    [--seeds 0 1 2] [--settings FILE]
                                    [--output-dir runs-competence]

Runs ``empathy-gym compare`` on a preset made from ``full`` (its budgets, its learner
settings or ``--settings``), restricted to these scenarios, arms, lambdas and seeds, on the
training population only, then prints the report's competence table: each arm's return under
its own reward against the best truth-free script or the planner under that reward, and the
environment steps until its training episodes first earned 0.9 of that (the mean of three
successive batches of training episodes; median over seeds [fewest, most]). The reference
is measured in the same run, so the figures are ratios and steps, not speeds. Like
``compare``, it resumes after a kill: run the same command again.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from empathy_gym.experiment.compare import CompareArgs, run_compare
from empathy_gym.experiment.presets import PRESETS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    full = PRESETS["full"]
    parser.add_argument("--scenarios", nargs="+", default=list(full.scenarios))
    parser.add_argument("--arms", nargs="+", default=["ppo", "affective", "cirl"])
    parser.add_argument("--lams", nargs="+", type=float, default=list(full.lams))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--settings", default=None, help="a settings file, as tune writes")
    parser.add_argument("--output-dir", default="runs-competence")
    args = parser.parse_args()
    preset = dataclasses.asdict(full) | {
        "name": "competence",
        "scenarios": args.scenarios,
        "arms": args.arms,
        "lams": args.lams,
        "report_lam": args.lams[0],
        "seeds": args.seeds,
        "scenario_timesteps": {
            s: n for s, n in full.scenario_timesteps.items() if s in args.scenarios
        },
        "eval_populations": [full.population],
    }
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "competence-preset.json"
    config.write_text(json.dumps(preset, indent=1))
    started = time.perf_counter()
    report = run_compare(
        CompareArgs(config=str(config), output_dir=str(out), settings=args.settings)
    )
    seconds = time.perf_counter() - started
    lines = (report / "report.md").read_text().splitlines()
    first = lines.index("## Competence (training population)")
    last = next(k for k in range(first + 1, len(lines)) if lines[k].startswith("## "))
    print("\n".join(lines[first:last]))
    print(f"compare, scripts and report: {seconds:.0f} s; report: {report / 'report.md'}")


if __name__ == "__main__":
    main()

"""The four predictions of DESIGN.md, checked against a comparison's results.

Each claim is a set of differences between cells on the training population, each with a
95% hierarchical-bootstrap CI. Every cell is evaluated on the same episode seeds, so a
difference is bootstrapped paired, per seed and episode (common random numbers), which
removes the episode-to-episode noise both cells share. A claim is *confirmed* when every
difference's CI lies on the predicted side of zero, *refuted* when any lies entirely on
the other side, and *inconclusive* otherwise. Claims whose cells were not run say so.
"""

from __future__ import annotations

import numpy as np


def check_predictions(cells, boot, preset) -> list[str]:
    ran = set(preset.cells)
    lines: list[str] = []
    checks = (
        (
            "P1. `ppo` gets the most task reward, the lowest human welfare and the most harm "
            "(against the intact `cirl` and `contagion`; the lesioned ones are P3's).",
            _p1,
        ),
        ("P2. Intact `cirl` and `contagion` raise welfare and cut harm (against `ppo`).", _p2),
        (
            "P3. Under the `affective` lesion welfare falls back toward `ppo` (what the agent "
            "still infers is measured from its activations, a later issue).",
            _p3,
        ),
        (
            "P4. The `cognitive` lesion costs more welfare in fetch (goals must be inferred) than "
            "in comfort (raw contagion suffices).",
            _p4,
        ),
    )
    for title, check in checks:
        lines += [f"**{title}**", ""]
        found = check(cells, boot, preset, ran)
        lines += found or ["- not tested: this comparison did not run the cells it needs"]
        lines.append("")
    return lines


def _diff(cells, boot, scenario, a, b, metric) -> np.ndarray:
    """Bootstrap samples of mean(a) - mean(b), paired by seed and evaluation episode."""
    first = cells.values(scenario, *a, metric, False)
    second = cells.values(scenario, *b, metric, False)
    return boot.resample([x - y for x, y in zip(first, second, strict=True)])


def _side(samples: np.ndarray) -> int:
    lo, hi = np.percentile(samples, [2.5, 97.5])
    return 1 if lo > 0 else -1 if hi < 0 else 0


def _text(samples: np.ndarray) -> str:
    lo, hi = np.percentile(samples, [2.5, 97.5])
    return f"{samples.mean():+.3f} [{lo:+.3f}, {hi:+.3f}]"


def _verdict(sides: list[int]) -> str:
    if any(s == -1 for s in sides):
        return "**refuted**"
    return "**confirmed**" if all(s == 1 for s in sides) else "inconclusive"


def _claim(label: str, parts: list[tuple[str, np.ndarray, int]]) -> str:
    """``parts``: (description, samples of the difference, predicted sign)."""
    sides = [_side(samples) * sign for _, samples, sign in parts]
    details = "; ".join(f"{d} = {_text(s)}" for d, s, _ in parts)
    return f"- {label}: {_verdict(sides)} ({details})"


def _name(cell) -> str:
    return cell[0] if cell[1] == "none" else f"{cell[0]}-{cell[1]}"


PPO = ("ppo", "none")


INTACT = (("cirl", "none"), ("contagion", "none"))


def _p1(cells, boot, preset, ran):
    others = [c for c in INTACT if c in ran]
    if PPO not in ran or not others:
        return []
    lines = []
    for scenario in preset.scenarios:
        for metric, sign, what in (
            ("task_return", 1, "task"),
            ("welfare", -1, "welfare"),
            ("harm", 1, "harm"),
        ):
            parts = [
                (f"ppo − {_name(c)}", _diff(cells, boot, scenario, PPO, c, metric), sign)
                for c in others
            ]
            lines.append(_claim(f"{scenario}, {what}", parts))
    return lines


def _p2(cells, boot, preset, ran):
    intact = [c for c in INTACT if c in ran]
    if PPO not in ran or not intact:
        return []
    lines = []
    for scenario in preset.scenarios:
        for c in intact:
            parts = [
                (f"welfare {_name(c)} − ppo", _diff(cells, boot, scenario, c, PPO, "welfare"), 1),
                (f"harm {_name(c)} − ppo", _diff(cells, boot, scenario, c, PPO, "harm"), -1),
            ]
            lines.append(_claim(f"{scenario}, {_name(c)}", parts))
    return lines


def _p3(cells, boot, preset, ran):
    lines = []
    for condition in ("cirl", "contagion"):
        intact, lesioned = (condition, "none"), (condition, "affective")
        if intact not in ran or lesioned not in ran:
            continue
        for scenario in preset.scenarios:
            fall = _diff(cells, boot, scenario, lesioned, intact, "welfare")
            line = _claim(
                f"{scenario}, {condition}: welfare falls",
                [(f"welfare {_name(lesioned)} − {condition}", fall, -1)],
            )
            if PPO in ran:
                to_ppo = _diff(cells, boot, scenario, lesioned, PPO, "welfare")
                line += f"; for reference, welfare {_name(lesioned)} − ppo = {_text(to_ppo)}"
            lines.append(line)
    return lines


def _p4(cells, boot, preset, ran):
    if not {"fetch", "comfort"} <= set(preset.scenarios):
        return []
    lines = []
    for condition in ("cirl", "contagion"):
        intact, lesioned = (condition, "none"), (condition, "cognitive")
        if intact not in ran or lesioned not in ran:
            continue
        cost = {s: _diff(cells, boot, s, intact, lesioned, "welfare") for s in ("fetch", "comfort")}
        parts = [("welfare cost in fetch − in comfort", cost["fetch"] - cost["comfort"], 1)]
        lines.append(
            _claim(condition, parts) + f"; cost in fetch {_text(cost['fetch'])}, "
            f"in comfort {_text(cost['comfort'])}"
        )
    return lines

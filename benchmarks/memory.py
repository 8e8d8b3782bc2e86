"""Which memory: how much of what must be inferred each kind keeps, and at what size.

    python benchmarks/memory.py

Every arm trains the same network with memory (docs/design.md "The experiment").
Candidates: one frame (no memory), stacks of the last k frames, and banks of exponential
traces (``agents/memory.py``).
For each, a linear probe (logistic regression, fitted on half the episodes of the prosocial
script and scored on the other half) reads from one person's entries of the memory what the
assistant must infer: in fetch, the goal of the customer being served, at service; in
comfort, whether each person is distressed (balanced accuracy). The reference is the
empathy module's filtered belief (``empathy-gym instrument``). Prints the scores and the
input size each memory adds per person. Also the horizon memory must span in fetch: how many
steps after looking at the display a customer is served.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from empathy_gym.envs.core.world import EV
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.rollout.evaluate import DISTRESS_VALENCE
from empathy_gym.rollout.instrument import play


def traces(obs: np.ndarray, rates) -> np.ndarray:
    """[x, m_1, ..., m_K] per step, as agents/memory.py computes them for the columns it
    traces (every one probed here), for (T, E, D)."""
    out, current = [obs], [obs[0].copy() for _ in rates]
    for rate, m in zip(rates, current, strict=True):
        block = np.empty_like(obs)
        for t in range(len(obs)):
            m += rate * (obs[t] - m) if t else 0.0
            block[t] = m
        out.append(block)
    return np.concatenate(out, axis=-1)


def stack(obs: np.ndarray, k: int) -> np.ndarray:
    frames = [np.concatenate([obs[:1]] * j + [obs[: len(obs) - j]]) for j in range(k)]
    return np.concatenate(frames, axis=-1)


MEMORIES = {
    "one frame": lambda o: o,
    "stack of 16": lambda o: stack(o, 16),
    "stack of 32": lambda o: stack(o, 32),
    "traces 0.5, 0.125, 0.03": lambda o: traces(o, (0.5, 0.125, 0.03)),
}


def person_columns(scenario, blocks: int, person: int) -> list[int]:
    """The assistant's own entries and one person's, in every block of a memory vector."""
    spec = scenario.assistant_spec
    own = [*range(spec.slice("self").start, spec.slice("self").stop), spec.offsets.time]
    theirs = [spec.offsets.humans + 6 * person + c for c in range(6)]
    return [b * spec.size + c for b in range(blocks) for c in own + theirs]


def probe(features, labels, episodes, balanced: bool) -> float:
    train, test = episodes % 2 == 0, episodes % 2 == 1
    weights = "balanced" if balanced else None
    model = LogisticRegression(max_iter=3000, class_weight=weights).fit(
        features[train], labels[train]
    )
    score = balanced_accuracy_score if balanced else accuracy_score
    return float(score(labels[test], model.predict(features[test])))


def decisions(scenario: str, trace):
    if scenario == "fetch":
        events = trace.truth["events"]
        acted = events[..., EV.helped] + events[..., EV.harm]
        t, e, i = np.nonzero(acted[1:] > 0)
        t = t + 1
        return t, e, i, trace.truth["goal"][t - 1, e, i], False
    steps, episodes, n = trace.truth["valence"].shape
    t, e, i = (
        a.ravel()
        for a in np.meshgrid(np.arange(1, steps), np.arange(episodes), np.arange(n), indexing="ij")
    )
    return t, e, i, trace.truth["valence"][t - 1, e, i] < DISTRESS_VALENCE, True


def service_horizon(trace) -> np.ndarray:
    """Steps from a customer's display visit to their service, for every served customer."""
    stage, served = trace.truth["stage"], trace.truth["events"][..., EV.helped] > 0
    gaps = []
    for e in range(stage.shape[1]):
        for i in range(stage.shape[2]):
            looked = None
            for t in range(1, stage.shape[0]):
                if stage[t, e, i] == 1 and stage[t - 1, e, i] == 0:
                    looked = t
                if served[t, e, i] and looked is not None:
                    gaps.append(t - looked)
                    looked = None
    return np.array(gaps)


def main() -> None:
    for scenario_name, episodes in (("fetch", 64), ("comfort", 24)):
        scenario = make_scenario(scenario_name)
        trace = play(scenario_name, "prosocial", episodes)
        obs = trace.observations.astype(np.float64)
        t, e, i, labels, balanced = decisions(scenario_name, trace)
        what = "goal at service (accuracy)" if scenario_name == "fetch" else "distress (bal. acc.)"
        print(f"{scenario_name}: {what}, {len(t)} decisions")
        for name, memory in MEMORIES.items():
            values = memory(obs)
            blocks = values.shape[-1] // scenario.assistant_spec.size
            rows = np.stack(
                [values[t[k], e[k], person_columns(scenario, blocks, i[k])] for k in range(len(t))]
            )
            score = probe(rows, labels, e, balanced)
            print(f"  {name:<24} {rows.shape[1]:>4} inputs per person  {score:.2f}")
        if scenario_name == "fetch":
            gaps = service_horizon(trace)
            q = np.percentile(gaps, [50, 90, 95])
            print(
                f"  display-to-service steps: median {q[0]:.0f}, 90th {q[1]:.0f}, 95th {q[2]:.0f}"
            )


if __name__ == "__main__":
    main()

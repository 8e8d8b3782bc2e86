"""Linear probes and representational similarity: what a layer represents about people.

For each layer (``activations.py``) and each thing an empathic assistant should track, a
cross-validated linear read-out, fitted and scored on different episodes (5 folds grouped
by episode, so no episode is in both):

* ``valence`` and ``arousal``: R² of a ridge regression per person, averaged over people;
* ``goal``: balanced accuracy of a ridge classifier per person, averaged (chance:
  1 / goals, whatever the goals' frequencies);
* ``distress``: balanced accuracy of "is someone distressed" (chance: 0.5).

Representational similarity analysis (Kriegeskorte et al. 2008, with ``rsatoolbox``):
Kendall's tau-a between the layer's representational dissimilarity matrix (correlation
distance between its activity patterns at sampled moments) and the dissimilarities of the
people's true affect (``rsa_affect``) and goals (``rsa_goal``) at the same moments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from empathy_gym.extras import require


@dataclass
class Activations:
    """Every layer at every recorded step, with the truth at that step.

    Arrays have one row per (step, episode) sample; ``episode`` says which episode each row
    came from, for cross-validation that holds whole episodes out.
    """

    layers: dict[str, np.ndarray]  # name -> (S, units)
    valence: np.ndarray  # (S, N) true valence of each person
    arousal: np.ndarray  # (S, N)
    goal: np.ndarray  # (S, N) int: each person's hidden goal
    distressed: np.ndarray  # (S,) bool: someone's valence below DISTRESS_VALENCE
    nearest_valence: np.ndarray  # (S,) true valence of the person nearest the assistant
    episode: np.ndarray  # (S,) int


MEASURES = ("valence", "arousal", "goal", "distress", "rsa_affect", "rsa_goal")
RANGES = {
    "valence": (-np.inf, 1.0),
    "arousal": (-np.inf, 1.0),
    "goal": (0.0, 1.0),
    "distress": (0.0, 1.0),
    "rsa_affect": (-1.0, 1.0),
    "rsa_goal": (-1.0, 1.0),
}
"""what each measure can take: R² at most 1, accuracies in [0, 1], tau-a in [-1, 1]"""
FOLDS = 5
RSA_SAMPLES = 300


def _folds(groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    n = min(FOLDS, len(np.unique(groups)))
    return list(GroupKFold(n).split(np.zeros(len(groups)), groups=groups))


def _scaled(model):
    """The read-out behind a scaler fitted on the training fold only (no test leakage)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), model)


def _regression_r2(x: np.ndarray, y: np.ndarray, folds) -> float:
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    predicted = np.empty_like(y)
    for train, test in folds:
        predicted[test] = _scaled(Ridge(alpha=1.0)).fit(x[train], y[train]).predict(x[test])
    return float(r2_score(y, predicted))


def _classification(x: np.ndarray, y: np.ndarray, folds) -> float:
    """Balanced accuracy, so that always guessing the commonest class scores chance.

    A ridge classifier is a linear probe solved in closed form: probing a comfort run took
    22 s with logistic regression's iterations on the wide memory layer, 1.6 s with this
    (``benchmarks/analysis.py``). NaN when ``y`` takes one value only: there is nothing to
    read out, and balanced accuracy would be a meaningless 1."""
    from sklearn.linear_model import RidgeClassifier
    from sklearn.metrics import balanced_accuracy_score

    if len(np.unique(y)) < 2:
        return float("nan")
    predicted = np.empty_like(y)
    for train, test in folds:
        if len(np.unique(y[train])) < 2:
            predicted[test] = y[train][0]
            continue
        model = _scaled(RidgeClassifier(alpha=1.0, class_weight="balanced"))
        predicted[test] = model.fit(x[train], y[train]).predict(x[test])
    return float(balanced_accuracy_score(y, predicted))


def _mean_over_people(values: list[float]) -> float:
    """Mean over the people for whom the measure is defined; NaN if for nobody."""
    defined = [v for v in values if np.isfinite(v)]
    return float(np.mean(defined)) if defined else float("nan")


def _standardise(x: np.ndarray) -> np.ndarray:
    """Unit-variance columns for RSA, so no unit's scale dominates the distances."""
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 1e-9, sd, 1.0)


def rsa(layer: np.ndarray, truth: np.ndarray, rng: np.random.Generator) -> float:
    """Kendall's tau-a between the layer's and the truth's dissimilarities (rsatoolbox)."""
    from rsatoolbox.data import Dataset
    from rsatoolbox.rdm import calc_rdm, compare

    pick = rng.choice(len(layer), min(RSA_SAMPLES, len(layer)), replace=False)
    patterns = layer[pick] + 1e-9 * rng.standard_normal((len(pick), layer.shape[1]))
    model = truth[pick].astype(float)
    layer_rdm = calc_rdm(Dataset(patterns), method="correlation")
    truth_rdm = calc_rdm(Dataset(model), method="euclidean")
    return float(compare(layer_rdm, truth_rdm, method="tau-a")[0, 0])


def probe(acts: Activations, layer: str, seed: int = 0) -> dict[str, float]:
    """Every measure of one layer."""
    for module in ("sklearn", "rsatoolbox"):
        require(module)  # a missing one is named with its extra, before any work
    if layer not in acts.layers:
        raise ValueError(f"layer {layer!r} was not recorded; use one of {list(acts.layers)}")
    x = acts.layers[layer]
    folds = _folds(acts.episode)
    people = acts.valence.shape[1]
    goals = np.eye(int(acts.goal.max()) + 1)[acts.goal].reshape(len(acts.goal), -1)
    rng = np.random.default_rng(seed)
    return {
        "valence": float(
            np.mean([_regression_r2(x, acts.valence[:, i], folds) for i in range(people)])
        ),
        "arousal": float(
            np.mean([_regression_r2(x, acts.arousal[:, i], folds) for i in range(people)])
        ),
        "goal": _mean_over_people(
            [_classification(x, acts.goal[:, i], folds) for i in range(people)]
        ),
        "distress": _classification(x, acts.distressed.astype(int), folds),
        "rsa_affect": rsa(
            _standardise(x), np.concatenate([acts.valence, acts.arousal], axis=1), rng
        ),
        "rsa_goal": rsa(_standardise(x), goals, rng),
    }


def chance(acts: Activations) -> dict[str, float]:
    """What each measure gives with no information: the reference a probe must beat.

    Balanced accuracy's chance is one over the classes present: for goals, averaged over the
    people for whom the goal varies (as ``probe`` averages)."""
    per_person = [1.0 / len(np.unique(g)) for g in acts.goal.T if len(np.unique(g)) > 1]
    return {
        "valence": 0.0,
        "arousal": 0.0,
        "goal": _mean_over_people(per_person),
        "distress": 0.5,
        "rsa_affect": 0.0,
        "rsa_goal": 0.0,
    }

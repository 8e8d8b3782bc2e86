"""The empathy module infers what it should, and each lesion removes exactly what it names."""

import numpy as np
import pytest

from empathy_gym.agents.conditions import Condition, EmpathyVectorWrapper, make_condition_env
from empathy_gym.agents.empathy import BeliefTracker, MirroredAffect
from empathy_gym.envs.core.navigation import step_towards
from empathy_gym.envs.parallel import ASSISTANT
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.envs.vector import AssistantVectorEnv
from helpers import MODULES, assert_clean_error


@pytest.mark.parametrize("goal", range(4))
def test_goal_posterior_follows_a_customer_along_the_route_of_their_goal(goal):
    """Inverse planning over routes: the display visited names the item, the window doesn't."""
    env = MODULES["fetch"].parallel_env(n_humans=1, human_control="external", max_cycles=60)
    obs, _ = env.reset(seed=goal)
    env.world.goal[0, 0] = goal  # the customer wants item ``goal`` and walks its route
    layout, view = env.scenario.layout, env.scenario.view
    beliefs = BeliefTracker(env.scenario, 1)
    beliefs.reset(np.array([0]), view(obs[ASSISTANT][None]))
    history = []
    for target in layout.targets[layout.routes[goal]]:
        while tuple(env.world.pos[0, 1]) != tuple(target):
            move = step_towards(layout.walkable, env.world.pos[0, 1], [target])
            obs, *_ = env.step({ASSISTANT: 0, "human_0": move})
            beliefs.update(view(obs[ASSISTANT][None]))
            history.append(beliefs.goal_posterior[0, 0, goal])
    assert env.world.stage[0, 0] == 1  # at the window, the end of the route
    assert max(history[:2]) < 0.9  # not known from the first moves...
    assert history[-1] > 0.9  # ...but after the walk
    assert beliefs.goal_posterior[0, 0].argmax() == goal
    np.testing.assert_array_equal(beliefs.stage[0, 0, goal], 1)


def test_affect_filter_beats_the_raw_face_on_the_default_profile():
    batch = 32
    env = AssistantVectorEnv("comfort", num_envs=batch, population="default")
    obs, _ = env.reset(seed=0)
    beliefs = BeliefTracker(env.scenario, batch)
    beliefs.reset(np.arange(batch), env.scenario.view(obs))
    filter_error, face_error = [], []
    rng = np.random.default_rng(0)
    for _ in range(150):
        obs, _, _, _, infos = env.step(rng.integers(6, size=batch))
        beliefs.update(env.scenario.view(obs))
        valence = infos["eval_truth"]["valence"]
        filter_error.append(np.abs(beliefs.valence - valence).mean())
        face_error.append(np.abs(env.world.expression[..., 0] - valence).mean())
    assert np.mean(filter_error) < 0.7 * np.mean(face_error)


def _rollout(condition: Condition, steps: int = 60):
    env = make_condition_env("comfort", condition, 4, max_cycles=40)
    obs, _ = env.reset(seed=3)
    rng = np.random.default_rng(1)
    record = []
    for _ in range(steps):
        obs, reward, _, _, infos = env.step(rng.integers(6, size=4))
        task = infos["reward_components"]["task"]
        record.append(
            (
                obs,
                reward,
                task,
                infos["reward_components"]["welfare"],
                infos["belief"]["mood"],
            )
        )
    return env, record


def test_each_lesion_removes_exactly_the_parts_it_names():
    raw = AssistantVectorEnv("comfort", num_envs=1).single_observation_space.shape[0]
    belief = BeliefTracker(AssistantVectorEnv("comfort", num_envs=1).scenario, 1).n_features
    lam = 0.7
    expected = {  # (condition, lesion): (observation size, reward from task, welfare, mood)
        ("ppo", "none"): (raw, lambda t, u, m: t),
        ("cirl", "none"): (raw + belief, lambda t, u, m: t + lam * u),
        ("cirl", "affective"): (raw + belief, lambda t, u, m: t),
        ("cirl", "cognitive"): (raw, lambda t, u, m: t + lam * u),
        ("cirl", "full"): (raw, lambda t, u, m: t),
        ("contagion", "none"): (raw + belief, lambda t, u, m: t + lam * m),
        ("contagion", "affective"): (raw + belief, lambda t, u, m: t),
        ("contagion", "cognitive"): (raw, lambda t, u, m: t + lam * m),
        ("contagion", "full"): (raw, lambda t, u, m: t),
    }
    moods = {}
    for (name, lesion), (size, reward_of) in expected.items():
        env, record = _rollout(Condition(name, lesion, lam))
        assert env.single_observation_space.shape == (size,)
        for obs, reward, task, utility, mood in record:
            assert obs.shape == (4, size)
            np.testing.assert_allclose(reward, reward_of(task, utility, mood))
        moods[(name, lesion)] = np.array([r[4] for r in record])
        assert any(np.any(r[3] != 0) for r in record) and any(np.any(r[4] != 0) for r in record)
    # Without the cognitive part, contagion feels the raw faces instead of the beliefs.
    assert not np.allclose(moods[("contagion", "none")], moods[("contagion", "cognitive")])
    np.testing.assert_array_equal(moods[("contagion", "none")], moods[("contagion", "affective")])


def test_belief_features_are_the_trackers_output_and_never_the_truth():
    env = make_condition_env("fetch", Condition("cirl"), 2)
    obs, _ = env.reset(seed=0)
    raw = env.env.single_observation_space.shape[0]
    for _ in range(20):
        obs, *_ = env.step(np.zeros(2, np.int64))
        np.testing.assert_array_equal(obs[:, raw:], env.beliefs.features())
    assert isinstance(env, EmpathyVectorWrapper)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"name": "greedy"},
            r"condition 'greedy' is unknown; use one of \('ppo', 'cirl', 'contagion'\)",
        ),
        ({"name": "cirl", "lesion": "frontal"}, r"lesion 'frontal' is unknown; use one of"),
        ({"name": "ppo", "lesion": "affective"}, r"does not apply to condition 'ppo'"),
        ({"name": "contagion", "lam": -0.5}, r"lam \(lambda\) must be a number >= 0"),
        (
            {"name": "contagion", "coupling": "telepathic"},
            r"coupling 'telepathic' is unknown; use one of \('proximity', 'global'\)",
        ),
    ],
)
def test_bad_conditions_are_named(kwargs, match):
    assert_clean_error(lambda: Condition(**kwargs), match)


@pytest.mark.parametrize(
    "condition",
    [
        Condition("ppo"),
        Condition("cirl"),
        Condition("cirl", "cognitive"),
        Condition("contagion"),
        Condition("contagion", "cognitive", lam=0.5),
        Condition("contagion", "affective"),
    ],
)
def test_training_mode_runs_less_but_gives_the_same_inputs_and_rewards(condition):
    full = make_condition_env("comfort", condition, 3, max_cycles=30)
    lean = make_condition_env("comfort", condition, 3, max_cycles=30, track_beliefs=False)
    assert lean.runs_beliefs == condition.sees_belief
    a, _ = full.reset(seed=5)
    b, _ = lean.reset(seed=5)
    rng = np.random.default_rng(0)
    for _ in range(70):  # crosses two autoresets
        actions = rng.integers(6, size=3)
        a, reward_a, _, _, infos_a = full.step(actions)
        b, reward_b, _, _, infos_b = lean.step(actions)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(reward_a, reward_b)
    assert "belief" in infos_a and "belief" not in infos_b


def test_proximity_coupling_feels_only_nearby_people_and_global_coupling_everyone():
    """A distressed person far away reaches the mood only under global coupling."""
    scenario = make_scenario("comfort")
    view = scenario.view(AssistantVectorEnv("comfort", num_envs=1).reset(seed=0)[0])
    view.position[:] = [[4, 1]]
    view.human_positions[:] = [[1, 10], [2, 10], [6, 10], [7, 10]]  # all beyond the radius
    perceived = np.array([[-0.9, -0.9, -0.9, -0.9]])
    moods = {}
    for coupling in ("proximity", "global"):
        mirror = MirroredAffect(scenario, 1, coupling)
        for _ in range(30):
            mirror.update(view, perceived)
        moods[coupling] = float(mirror.mood[0])
    assert moods["proximity"] == 0.0
    assert moods["global"] < -0.5
    view.human_positions[:] = [[4, 2], [2, 10], [6, 10], [7, 10]]  # one person beside it
    near = MirroredAffect(scenario, 1, "proximity")
    for _ in range(30):
        near.update(view, perceived)
    assert near.mood[0] < -0.5

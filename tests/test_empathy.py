"""The empathy module infers what it should, and each lesion removes exactly what it names."""

import itertools

import numpy as np
import pytest

from empathy_gym.agents.arms import ARMS, Arm, arm_of, command_of
from empathy_gym.agents.empathy import BeliefTracker, MirroredAffect
from empathy_gym.agents.memory import TRACE_RATES, TraceMemory
from empathy_gym.agents.wrapper import EmpathyVectorWrapper, make_arm_env, uninformative_beliefs
from empathy_gym.envs.core.navigation import step_towards
from empathy_gym.envs.core.observe import UNTRACED_FIELDS
from empathy_gym.envs.info import components_of
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
        valence = infos["truth_valence"]
        filter_error.append(np.abs(beliefs.valence - valence).mean())
        face_error.append(np.abs(env.world.expression[..., 0] - valence).mean())
    assert np.mean(filter_error) < 0.7 * np.mean(face_error)


def _rollout(arm: Arm, steps: int = 60):
    env = make_arm_env("comfort", arm, 4, max_cycles=40)
    obs, _ = env.reset(seed=3)
    rng = np.random.default_rng(1)
    record = []
    for _ in range(steps):
        obs, reward, _, _, infos = env.step(rng.integers(6, size=4))
        components, belief = components_of(infos), infos["belief"]
        record.append((obs, reward, components["task"], components["welfare"], belief))
    return env, record


LAM = 0.7
CASES = {  # arm: (belief inputs?, the term its reward adds to the task, times lambda)
    "ppo": (False, None),
    "affective": (True, None),
    "cirl": (True, "welfare"),
    "cirl-cognitive": (False, "welfare"),
    "contagion-proximity": (True, "mood_proximity"),
    "contagion-proximity-cognitive": (False, "mood_proximity_face"),
    "contagion-global": (True, "mood_global"),
    "contagion-global-cognitive": (False, "mood_global_face"),
}


def test_each_arm_gets_exactly_the_inputs_and_reward_it_names():
    """Every arm has the same memory of the raw observation; belief inputs and the term
    (welfare, or the mood caught from beliefs or, lesioned, raw faces) are the factors."""
    scenario_env = AssistantVectorEnv("comfort", num_envs=1)
    raw = scenario_env.single_observation_space.shape[0]
    window = 2 * scenario_env.scenario.assistant_spec.field("walls").width
    memory = raw + (raw - window) * len(TRACE_RATES)
    belief = BeliefTracker(scenario_env.scenario, 1).n_features
    assert set(CASES) == set(ARMS)
    for name, (sees, term) in CASES.items():
        env, record = _rollout(Arm(name, LAM if term else 0.0))
        size = memory + (belief if sees else 0)
        assert env.single_observation_space.shape == (size,)
        for obs, reward, task, welfare, moods in record:
            assert obs.shape == (4, size)
            extra = 0.0 if term is None else LAM * (welfare if term == "welfare" else moods[term])
            np.testing.assert_allclose(reward, task + extra)
            if term and term.startswith("mood"):
                np.testing.assert_array_equal(moods["mood"], moods[term])
        assert any(np.any(r[3] != 0) for r in record)


def test_no_two_arms_are_the_same_experiment():
    """Same seed, same actions: any two arms differ in what the policy sees or is paid."""
    runs = {}
    for name, (_, term) in CASES.items():
        _, record = _rollout(Arm(name, 1.0 if term else 0.0), steps=40)
        runs[name] = (
            np.concatenate([r[0] for r in record]),
            np.concatenate([r[1] for r in record]),
        )
    for a, b in itertools.combinations(runs, 2):
        (obs_a, rew_a), (obs_b, rew_b) = runs[a], runs[b]
        same_obs = obs_a.shape == obs_b.shape and np.array_equal(obs_a, obs_b)
        assert not (same_obs and np.array_equal(rew_a, rew_b)), f"{a} and {b} are one experiment"


def test_memory_remembers_what_one_frame_forgets():
    """The traces hold a moved person's old position long after the frame shows the new one."""
    memory = TraceMemory(1, 2)
    memory.reset(np.array([0]), np.array([[1.0, 0.0]], np.float32))
    for _ in range(10):
        memory.update(np.array([[0.0, 0.0]], np.float32))
    features = memory.features(np.array([[0.0, 0.0]], np.float32))[0]
    assert features[0] == 0.0  # the frame
    slow = features[2 + 2 * (len(TRACE_RATES) - 1)]
    assert 0.5 < slow < 1.0  # the slowest trace still remembers


def test_memory_traces_everything_but_the_window():
    """Each trace holds, in order, every raw column outside the window, and follows it."""
    env = make_arm_env("comfort", Arm("ppo"), 2)
    spec = env.scenario.assistant_spec
    untraced = [n for f in UNTRACED_FIELDS for n in spec.field(f).entry_names()]
    kept = [k for k, name in enumerate(spec.names()) if name not in untraced]
    rates = np.asarray(TRACE_RATES, np.float32)[None, :, None]

    def traces_of(obs):
        return obs[:, env.raw_size : env.memory.n_features].reshape(2, len(TRACE_RATES), -1)

    obs, _ = env.reset(seed=0)
    assert traces_of(obs).shape[2] == len(kept) == env.raw_size - len(untraced)
    for _ in range(30):
        before = traces_of(obs)
        obs, *_ = env.step(np.array([1, 4]))
        frame = obs[:, : env.raw_size][:, None, kept]
        np.testing.assert_allclose(traces_of(obs), before + rates * (frame - before), atol=1e-6)
    still = TraceMemory(1, 3, columns=np.array([0, 2]))
    still.reset(np.array([0]), np.array([[1.0, 5.0, 3.0]], np.float32))
    assert still.features(np.zeros((1, 3), np.float32)).tolist()[0][3:] == [1.0, 3.0] * 3
    with pytest.raises(ValueError, match="traced columns must index observations of 3"):
        TraceMemory(1, 3, columns=np.array([3]))


def test_belief_features_are_the_trackers_output_and_never_the_truth():
    env = make_arm_env("fetch", Arm("cirl", 1.0), 2)
    obs, _ = env.reset(seed=0)
    start = env.memory.n_features
    for _ in range(20):
        obs, *_ = env.step(np.zeros(2, np.int64))
        np.testing.assert_array_equal(obs[:, start:], env.beliefs.features())
    assert isinstance(env, EmpathyVectorWrapper)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "greedy"}, r"arm 'greedy' is unknown; use one of \['ppo', 'affective'"),
        ({"name": "ppo", "lam": 1.0}, r"lam=1.0 does not apply to arm 'ppo'"),
        ({"name": "cirl", "lam": 0.0}, r"lam=0 turns arm 'cirl' into another arm"),
        ({"name": "contagion-global", "lam": -0.5}, r"lam \(lambda\) must be a number >= 0"),
    ],
)
def test_bad_arms_are_named(kwargs, match):
    assert_clean_error(lambda: Arm(**kwargs), match)


@pytest.mark.parametrize(
    ("args", "arm"),
    [
        (("ppo", "none", 1.0, "proximity"), "ppo"),
        (("cirl", "affective", 1.0, "proximity"), "affective"),
        (("contagion", "affective", 2.0, "global"), "affective"),
        (("cirl", "cognitive", 1.0, "proximity"), "cirl-cognitive"),
        (("contagion", "none", 1.0, "global"), "contagion-global"),
    ],
)
def test_commands_name_arms_and_the_affective_lesion_is_one_arm(args, arm):
    assert arm_of(*args).name == arm
    flags = command_of(arm_of(*args))  # and back: the command and flags that train it
    assert arm_of(
        flags["command"],
        flags.get("lesion", "none"),
        flags.get("lam", 1.0),
        flags.get("coupling", "proximity"),
    ) == arm_of(*args)
    assert_clean_error(
        lambda: arm_of("contagion", "none", 1.0, "telepathic"),
        r"coupling 'telepathic' is unknown; use one of \('proximity', 'global'\)",
    )


@pytest.mark.parametrize(
    "arm",
    [
        Arm("ppo"),
        Arm("affective"),
        Arm("cirl", 1.0),
        Arm("cirl-cognitive", 1.0),
        Arm("contagion-proximity", 2.0),
        Arm("contagion-global-cognitive", 0.5),
    ],
)
def test_training_mode_runs_less_but_gives_the_same_inputs_and_rewards(arm):
    full = make_arm_env("comfort", arm, 3, max_cycles=30)
    lean = make_arm_env("comfort", arm, 3, max_cycles=30, track_beliefs=False)
    assert lean.runs_beliefs == (arm.sees_belief or arm.factors.term == "mood")
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


def test_ablations_replace_the_belief_inputs_at_test_time():
    """Removal puts the module's prior in place of its output; a dose mixes in random
    beliefs; what the policy sees of the world, and the memory of it, is untouched."""
    arm = Arm("cirl", 1.0)
    envs = {
        name: make_arm_env("fetch", arm, 2, **kwargs)
        for name, kwargs in {
            "intact": {},
            "remove": {"belief_ablation": "remove"},
            "half": {"belief_noise": 0.5},
            "full": {"belief_noise": 1.0, "noise_seed": 1},
        }.items()
    }
    obs = {name: env.reset(seed=4)[0] for name, env in envs.items()}
    for _ in range(15):
        obs = {name: env.step(np.array([1, 2]))[0] for name, env in envs.items()}
    start = envs["intact"].memory.n_features
    for name in ("remove", "half", "full"):
        np.testing.assert_array_equal(obs[name][:, :start], obs["intact"][:, :start])
    prior = uninformative_beliefs(envs["intact"].scenario, 2)
    np.testing.assert_array_equal(obs["remove"][:, start:], prior)
    belief = obs["intact"][:, start:]
    for name in ("half", "full"):
        assert not np.allclose(obs[name][:, start:], belief)
    # half a dose stays closer to the belief than a full one
    distance = {n: np.abs(obs[n][:, start:] - belief).mean() for n in ("half", "full")}
    assert distance["half"] < distance["full"]
    assert_clean_error(lambda: make_arm_env("fetch", arm, 2, belief_noise=1.5), "belief_noise")
    assert_clean_error(
        lambda: make_arm_env("fetch", arm, 2, belief_ablation="lobotomy"),
        r"belief_ablation 'lobotomy' is unknown",
    )


@pytest.mark.parametrize("name", ["dilemma", "fetch"])
def test_beliefs_survive_episodes_ending_on_procedural_maps(name):
    """An episode's last move was made on a map the env has already replaced: it must not be
    read on the new one (doing so once divided by zero: no goal explained the move)."""
    env = make_arm_env(name, Arm("affective"), 16, layout="procedural", max_cycles=7)
    env.reset(seed=0)
    actions = np.random.default_rng(0).integers(0, 6, size=(60, 16))
    for a in actions:  # 60 steps: 8 episodes per member, each ending on a new map
        env.step(a)
        posterior = env.beliefs.goal_posterior
        assert np.isfinite(posterior).all()
        np.testing.assert_allclose(posterior.sum(axis=-1), 1.0)


def test_a_move_no_goal_explains_restarts_the_goal_belief():
    """Every goal's posterior times its likelihood underflowing puts the human back on the
    uniform prior rather than dividing by zero."""
    scenario = make_scenario("fetch")
    tracker = BeliefTracker(scenario, 1)
    view = scenario.view(np.zeros((1, scenario.assistant_spec.size), np.float32))
    tracker.reset(np.arange(1), view)
    tracker.goal_posterior[0, 0] = 5e-324  # the smallest float: any likelihood < 1 zeroes it
    tracker.update(view)
    np.testing.assert_allclose(tracker.goal_posterior[0, 0], 1.0 / scenario.n_goals)
    assert (tracker.goal_posterior[0, 1] > 0.0).all()

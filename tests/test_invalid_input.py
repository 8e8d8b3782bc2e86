"""Bad input gets a ValueError that names the argument or agent and what is allowed."""

import numpy as np
import pytest

from empathy_gym.envs.core.population import AffectModel, PopulationProfile
from empathy_gym.envs.core.spec import Field, FlatSpec
from empathy_gym.envs.parallel import EmpathyParallelEnv
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.envs.scenarios.fetch import FETCH_MAP
from empathy_gym.envs.single import AssistantEnv
from empathy_gym.envs.vector import AssistantVectorEnv
from helpers import MODULES, assert_clean_error


def _started(scenario="fetch", **kwargs):
    env = MODULES[scenario].parallel_env(**kwargs)
    env.reset(seed=0)
    return env


@pytest.mark.parametrize("action", [6, -1, 99, np.int64(7)])
def test_out_of_range_action_names_agent_and_range(action):
    env = _started()
    msg = assert_clean_error(lambda: env.step({"assistant_0": action}), "assistant_0")
    assert "[0, 5]" in msg


def test_out_of_range_human_action_names_the_human():
    env = _started(human_control="external")
    actions = {agent: 0 for agent in env.agents} | {"human_1": 5}
    msg = assert_clean_error(lambda: env.step(actions), "human_1")
    assert "[0, 4]" in msg


@pytest.mark.parametrize("action", [1.5, "up", None, True, [1], np.float32(2.0)])
def test_wrong_action_type_is_refused(action):
    env = _started()
    msg = assert_clean_error(lambda: env.step({"assistant_0": action}), "must be an integer")
    assert "assistant_0" in msg


@pytest.mark.parametrize("action", [np.int64(2), np.int32(5), np.uint8(1), np.array(3)])
def test_numpy_integer_actions_are_accepted(action):
    env = _started()
    observations, *_ = env.step({"assistant_0": action})
    assert "assistant_0" in observations


def test_unknown_agent_is_named():
    env = _started()
    msg = assert_clean_error(lambda: env.step({"assistant_0": 0, "human_9": 1}), "human_9")
    assert "live agents" in msg


def test_missing_agent_is_named():
    env = _started(human_control="external")
    actions = {agent: 0 for agent in env.agents if agent != "human_0"}
    assert_clean_error(lambda: env.step(actions), r"no action for agent\(s\) \['human_0'\]")


def test_stepping_a_finished_episode_says_reset():
    env = _started(max_cycles=1)
    env.step({"assistant_0": 0})
    assert_clean_error(lambda: env.step({"assistant_0": 0}), "reset", RuntimeError)


def test_single_view_and_vector_env_check_actions_too():
    single = AssistantEnv("comfort")
    single.reset(seed=0)
    assert_clean_error(lambda: single.step(6), "assistant_0")
    vec = AssistantVectorEnv("comfort", num_envs=3)
    vec.reset(seed=0)
    assert_clean_error(lambda: vec.step(np.array([0, 9, 0])), "env 1")
    assert_clean_error(lambda: vec.step(np.array([0, 1])), "3 integers")
    assert_clean_error(lambda: vec.step(np.array([0.5, 1.0, 2.0])), "dtype")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scenario": "kitchen"}, r"scenario 'kitchen' is unknown; use one of"),
        ({"population": "happy"}, r"population 'happy' is unknown; use one of"),
        ({"n_humans": 0}, "n_humans must be a positive integer"),
        ({"n_humans": 9}, r"n_humans=9 but the fetch map has only 3 human spawn"),
        ({"max_cycles": 0}, "max_cycles must be a positive integer"),
        ({"max_cycles": 2.5}, "max_cycles must be a positive integer"),
        ({"human_control": "remote"}, r"human_control must be one of \('model', 'external'\)"),
        ({"render_mode": "video"}, "render_mode must be None or one of"),
        ({"colour": "red"}, r"unknown argument\(s\) \['colour'\]"),
        ({"wrong_item_harm": -1}, "wrong_item_harm must be a number >= 0"),
        (
            {"scenario": "comfort", "stress_prob": 1.5},
            r"stress_prob must be a probability in \[0, 1\]",
        ),
        ({"scenario": "comfort", "wander_prob": -0.1}, r"wander_prob must be a probability"),
        ({"scenario": "comfort", "n_coins": 0}, "n_coins must be a positive integer"),
        ({"scenario": "comfort", "stress_magnitude": -2}, "stress_magnitude must be a number >= 0"),
    ],
)
def test_invalid_config_raises_at_construction(kwargs, match):
    kwargs = {"scenario": "fetch"} | kwargs
    assert_clean_error(lambda: EmpathyParallelEnv(**kwargs), match)


@pytest.mark.parametrize(
    ("game_map", "match"),
    [
        (FETCH_MAP.replace("C", "."), r"window 'W' at \(4, 4\) needs a counter 'C' beside it"),
        (FETCH_MAP.replace("H", "."), r"needs at least 1 human spawn tile\(s\) 'H'"),
        (FETCH_MAP.replace("A", "."), r"needs at least 1 assistant start tile\(s\) 'A'"),
        (FETCH_MAP.replace("1", ".").replace("2", ".").replace("3", "."), r"shelves '0'..'K-1'"),
        (FETCH_MAP.replace("3", "5"), r"no gaps, found \['0', '1', '2', '5'\]"),
        (FETCH_MAP.replace("#..0.1", "#..0?1"), r"unknown characters \['\?'\]"),
        (FETCH_MAP.replace("a", "."), r"0 display tile\(s\) 'a'; item 0 needs exactly one"),
        (FETCH_MAP.replace("W", "#"), r"needs at least 1 window tile\(s\) 'W'"),
        (FETCH_MAP.replace("#A.", "#A.."), "must be rectangular"),
        (FETCH_MAP.replace("#A.", ".A."), "enclosed by walls"),
        ("", "map is empty"),
    ],
)
def test_map_without_what_it_needs_is_refused(game_map, match):
    assert_clean_error(lambda: EmpathyParallelEnv("fetch", map=game_map), match)


def test_unreachable_goal_is_named():
    rows = FETCH_MAP.strip().splitlines()
    rows[5], rows[6], rows[7] = "###" + rows[5][3:], "#.a#" + rows[6][4:], "###" + rows[7][3:]
    walled = "\n".join(rows)  # display 'a' (item 0) walled in
    message = assert_clean_error(
        lambda: EmpathyParallelEnv("fetch", map=walled), "cannot be reached from any human spawn"
    )
    assert "goal 0" in message


def test_invalid_profiles_and_affect_models_are_named():
    assert_clean_error(lambda: PopulationProfile(reactivity=(5.0, 0.1)), "'reactivity': mean 5.0")
    assert_clean_error(lambda: PopulationProfile(decay=(0.5, -1.0)), "'decay': sd -1.0")
    assert_clean_error(lambda: AffectModel(contagion_radius=0), "contagion_radius must be > 0")
    assert_clean_error(
        lambda: AffectModel(give_up_valence=0.5, recover_valence=0.0), "give_up_valence"
    )
    assert_clean_error(lambda: AssistantVectorEnv("fetch", num_envs=0), "num_envs")
    assert_clean_error(lambda: AssistantEnv("fetch", human_control="external"), "human_control")
    assert_clean_error(
        lambda: make_scenario("comfort", affect_model={"warmth": 1.0}),
        r"affect_model has unknown fields \['warmth'\]",
    )
    # a stored config from before the appraisal weight "comfort" was renamed "solace"
    stored = make_scenario("comfort", affect_model={"comfort": 0.25}).config.affect_model
    assert stored == AffectModel(solace=0.25)


@pytest.mark.parametrize(
    ("argv", "new"),
    [
        (["tune", "--scenario", "dilemma", "--cell", "cirl"], "--arm"),
        (
            ["watch", "--policy", "avoider", "--scenario", "comfort", "--variant=escape_easy"],
            "--pump",
        ),
        (["probe", "runs/x", "--lesion_episodes", "4"], "--silencing-episodes"),
    ],
)
def test_old_spellings_on_the_command_line_name_the_new_one(argv, new, capsys):
    from empathy_gym.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"was renamed {new}" in err and "Traceback" not in err


def test_a_scenario_that_breaks_the_contract_is_named_with_what_it_lacks():
    from empathy_gym.envs.scenarios.base import EscapeProbe, Instrument, Scenario, check_contract
    from empathy_gym.envs.scenarios.comfort import Comfort

    def breaks(cls, match):
        assert_clean_error(lambda: check_contract(cls), match)

    check_contract(Comfort)  # the real one holds
    breaks(
        type("Bare", (Scenario,), {"name": "bare"}),
        r"does not define \['version', 'config_class', 'default_map', 'map_chars', 'default_hu",
    )
    breaks(
        type("B", (Comfort,), {"policies": {"selfish": object}}),
        r"does not define \[\"policies\['prosocial'\]\"\]",
    )
    breaks(type("B", (Comfort,), {"instrument": ("trade_off",)}), "must be an Instrument")
    breaks(
        type("B", (Comfort,), {"instrument": Instrument(("mood",))}),
        r"instrument.inference names \['mood'\]",
    )
    escape = Instrument(escape=EscapeProbe("escape_easy", "runaway", leaves="hermit"))
    breaks(
        type("B", (Comfort,), {"instrument": escape}),
        r"instrument.escape names \['runaway', 'hermit'\]",
    )


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ([Field("a", ("x",)), Field("a", ("y",))], r"field name 'a' must be a unique identifier"),
        ([Field("not valid", ("x",))], r"field name 'not valid' must be a unique identifier"),
        ([Field("a", ("x",), rows=-1)], r"field 'a' has rows=-1; allowed are integers >= 0"),
        ([Field("a", ())], r"field 'a' needs one or more distinct columns"),
        ([Field("a", ("x", "x"))], r"field 'a' needs one or more distinct columns"),
        ([], r"needs at least one field"),
        (["a"], r"'a' is not a Field"),
    ],
)
def test_a_malformed_observation_spec_is_refused(fields, match):
    assert_clean_error(lambda: FlatSpec("BadSpecForTest", fields), match)


def test_a_spec_name_reused_with_other_fields_is_refused():
    FlatSpec("ReusedSpecForTest", [Field("a", ("x",))])
    assert_clean_error(
        lambda: FlatSpec("ReusedSpecForTest", [Field("b", ("x",))]), "already exists with fields"
    )


def test_an_unknown_policy_lists_the_scenarios_policies():
    scenario = make_scenario("comfort")
    message = assert_clean_error(
        lambda: scenario.make_policy("saint"), "policy 'saint' is unknown for comfort"
    )
    assert "'avoider'" in message and "'prosocial'" in message


def test_a_wrong_observation_length_is_named():
    scenario = make_scenario("fetch", view_radius=2)
    assert scenario.assistant_spec.size == 104  # the window is 5 x 5: 50 of the entries
    assert_clean_error(
        lambda: scenario.view(np.zeros(7, np.float32)), "expected vectors of length 104"
    )

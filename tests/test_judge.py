"""Judge mode end to end: people's recordings from `play`, agents' from `watch`, a scripted
judge on a fake display, answers appended and summarised; and, once, the real window loop
on SDL's dummy driver with posted key events."""

import csv

import numpy as np
import pytest

from empathy_gym.render.frame import Window, import_pygame
from empathy_gym.render.recording import Recording
from empathy_gym.ui.judge import JudgeArgs, PairView, make_pairs, run_judge
from empathy_gym.ui.play import Game, PlayArgs
from empathy_gym.ui.watch import WatchArgs, run_watch
from helpers import assert_clean_error

PUMPS = ("hurry_high", "bystanders_none")
KEY_OF = {"left": "1", "right": "2"}


def _person(path, pump: str, key: str, truth: bool = False) -> str:
    """A person's episode on the pump: the same key every step, kept with --record."""
    game = Game(PlayArgs("comfort", pump=pump, record=str(path), fps=1000, truth=truth))
    while game.act(key):
        pass
    game.save()
    return str(path)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    root = tmp_path_factory.mktemp("recordings")
    people, agents = [], []
    for pump in PUMPS:
        for key in (".", "right"):
            people.append(_person(root / f"person_{pump}_{key}.npz", pump, key))
        path = root / f"agent_{pump}.npz"
        run_watch(
            WatchArgs(
                policy="prosocial",
                scenario="comfort",
                pump=pump,
                save_recording=str(path),
                window=False,
            )
        )
        agents.append(str(path))
    return people, agents


class FakeDisplay:
    """A display that keeps the frames it is shown and presses the scripted keys in turn."""

    def __init__(self, keys: list[str]):
        self.keys, self.frames, self.closed = list(keys), [], False

    def show(self, frame):
        self.frames.append(frame.shape)

    def pressed(self):
        return [self.keys.pop(0)] if self.keys else ["q"]

    def close(self):
        self.closed = True


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_play_records_a_person_on_a_pump_and_never_overwrites(recordings, tmp_path):
    people, _ = recordings
    recording = Recording.load(people[0])
    assert recording.meta == {
        "player": "person",
        "as": "assistant_0",
        "pump": "hurry_high",
        "truth": False,
        "complete": True,
    }
    assert len(recording) == 101  # the start and 100 steps
    assert_clean_error(
        lambda: Game(PlayArgs("comfort", pump="hurry_high", record=people[0])),
        r"--record '.*' exists; choose a new file",
    )


def test_a_person_who_quit_early_or_saw_the_truth_is_not_judged(recordings, tmp_path):
    _, agents = recordings
    quit_early = Game(PlayArgs("comfort", pump="hurry_high", record=str(tmp_path / "q.npz")))
    for _ in range(5):
        quit_early.act("right")
    quit_early.save()
    assert Recording.load(tmp_path / "q.npz").meta["complete"] is False
    saw = _person(tmp_path / "t.npz", "hurry_high", ".", truth=True)
    for person in (str(tmp_path / "q.npz"), saw):
        assert_clean_error(
            lambda person=person: make_pairs([person], agents, 0),
            r"--people '.*' is not a whole episode played without the hidden state",
        )


def test_the_window_follows_the_frame_size_and_play_takes_a_pump_with_its_population():
    window = Window("test", 1000)
    window.show(np.zeros((40, 60, 3), np.uint8))
    window.show(np.zeros((80, 50, 3), np.uint8))  # pairs of pumps differ in size
    assert window._surface.get_size() == (50, 80)
    window.close()
    game = Game(PlayArgs("fetch", pump="deception"))  # the pump sets the population
    assert game.env.scenario.config.population == "masking"


def test_pairs_match_pumps_and_hide_who_played(recordings):
    people, agents = recordings
    pairs = make_pairs(people, agents, seed=3)
    assert len(pairs) == 4
    for pair in pairs:
        assert Recording.load(pair.person).meta["pump"] == Recording.load(pair.agent).meta["pump"]
    assert {p.person_side for p in make_pairs(people * 4, agents, seed=3)} == {"left", "right"}
    left, right = (Recording.load(f) for f in pairs[0].files)
    shown = PairView(left, right).frame(5, "?")
    left.meta, right.meta = right.meta, left.meta
    np.testing.assert_array_equal(PairView(left, right).frame(5, "?"), shown)


def test_a_scripted_judge_is_scored_and_a_resumed_session_appends(recordings, tmp_path):
    people, agents = recordings
    answers = tmp_path / "answers.csv"
    pairs = make_pairs(people, agents, seed=0)
    knows = [k for p in pairs for k in (KEY_OF[p.person_side], KEY_OF[p.person_side])]
    first = FakeDisplay([*knows[:2], "q"])  # answers one pair, then quits
    args = JudgeArgs(people, agents, answers=str(answers), seed=0)
    run_judge(args, display=lambda fps: first)
    assert first.closed and len(_rows(answers)) == 1
    height, width, _ = first.frames[0]
    assert width > 2 * 13 * 20 and height > 7 * 20  # two maps side by side, a prompt above
    kept = _rows(answers)[0]
    summary = run_judge(args, display=lambda fps: FakeDisplay(knows[2:]))
    rows = _rows(answers)
    assert rows[0] == kept and len(rows) == 4 and [r["pair"] for r in rows] == ["0", "1", "2", "3"]
    assert summary["accuracy"] == 1.0 and summary["agent_judged_kinder"] == 0.0
    assert summary["p_value"] == pytest.approx(2 * 0.5**4)
    assert run_judge(JudgeArgs(answers=str(answers), summary=True)) == summary
    assert_clean_error(
        lambda: run_judge(args, display=lambda fps: FakeDisplay([])),
        r"no pairs to judge: 4 pairs of the same pump, 4 already answered",
    )


def test_a_judge_who_always_says_left_is_at_chance(recordings, tmp_path):
    people, agents = recordings
    answers = tmp_path / "left.csv"
    summary = run_judge(
        JudgeArgs(people, agents, answers=str(answers), seed=1),
        display=lambda fps: FakeDisplay(["1"] * 8),
    )
    truth = [r["person_side"] == "left" for r in _rows(answers)]
    assert 0 < np.mean(truth) < 1  # the sides are mixed
    assert summary["accuracy"] == np.mean(truth)
    assert summary["agent_judged_kinder"] == 1 - np.mean(truth)


def test_more_pairs_than_the_recordings_hold_is_refused_with_the_count(recordings, tmp_path):
    people, agents = recordings
    args = JudgeArgs(people, agents, answers=str(tmp_path / "a.csv"), pairs=9)
    assert_clean_error(
        lambda: run_judge(args, display=lambda fps: FakeDisplay([])),
        r"--pairs 9 is more than the recordings hold: 4 pairs not yet answered",
    )
    assert not (tmp_path / "a.csv").exists()
    args = JudgeArgs(people, agents, answers=str(tmp_path / "quit.csv"))
    assert run_judge(args, display=lambda fps: FakeDisplay(["q"])) == {}  # quit at once
    assert (tmp_path / "quit.csv").read_text().startswith("pair,pump,left,right")
    assert _rows(tmp_path / "quit.csv") == []
    assert_clean_error(
        lambda: run_judge(JudgeArgs(agents, agents, answers=str(tmp_path / "a.csv"))),
        r"--people '.*agent_hurry_high.npz' is not a person playing assistant_0",
    )
    assert_clean_error(
        lambda: run_judge(JudgeArgs(people, people, answers=str(tmp_path / "a.csv"))),
        r"--agents '.*person_hurry_high_..npz' was played by a person; give it in --people",
    )


def test_the_window_takes_the_judges_keys(recordings, tmp_path):
    """The real display path on SDL's dummy driver: keys posted as pygame events."""
    people, agents = recordings
    pygame = import_pygame()
    pygame.display.init()
    pygame.display.set_mode((64, 64))
    for name in ("2", "1", "q"):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.key.key_code(name)))
    answers = tmp_path / "window.csv"
    run_judge(JudgeArgs(people[:1], agents[:1], answers=str(answers), fps=1000))
    (row,) = _rows(answers)
    assert row["judged_person"] == "right" and row["judged_kinder"] == "left"

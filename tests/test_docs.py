"""Every python snippet of the integration docs runs, each in a fresh interpreter.

Blocks fenced as ``python rllib`` need ray[rllib], which pins gymnasium 1.2.2: they run in
`make test-oldest`, where EMPATHY_GYM_REQUIRE_RLLIB=1 makes a missing RLlib a failure.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "integrations.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
RLLIB_SNIPPETS = re.findall(r"```python rllib\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
ROUTES = (
    "Gymnasium",
    "PettingZoo",
    "Stable-Baselines3",
    "TorchRL",
    "Tianshou",
    "Procedural layouts and more people",
    "Optuna",
    "CleanRL",
    "RLlib",
    "Beyond one machine",
)


def assert_snippet_runs(snippet: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, f"snippet failed:\n{snippet}\n{out.stderr[-3000:]}"


def test_the_page_has_a_snippet_for_every_route():
    text = DOC.read_text()
    for route in ROUTES:
        assert f"## {route}" in text
    assert len(SNIPPETS) >= 9 and len(RLLIB_SNIPPETS) >= 1


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_snippet_runs(index):
    assert_snippet_runs(SNIPPETS[index])


@pytest.mark.parametrize("index", range(len(RLLIB_SNIPPETS)))
def test_rllib_snippet_runs(index):
    if os.environ.get("EMPATHY_GYM_REQUIRE_RLLIB") != "1":
        pytest.importorskip("ray.rllib", reason="RLlib runs in `make test-oldest`")
    assert_snippet_runs(RLLIB_SNIPPETS[index])

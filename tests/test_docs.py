"""Every python snippet of the integration docs runs, each in a fresh interpreter."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "integrations.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_the_page_has_a_snippet_for_every_route():
    text = DOC.read_text()
    for route in (
        "## Gymnasium",
        "## PettingZoo",
        "## Stable-Baselines3",
        "## TorchRL",
        "## Tianshou",
        "## CleanRL",
    ):
        assert route in text
    assert len(SNIPPETS) >= 9


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_snippet_runs(index):
    out = subprocess.run(
        [sys.executable, "-c", SNIPPETS[index]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, f"snippet {index} failed:\n{SNIPPETS[index]}\n{out.stderr[-3000:]}"

"""Time to draw one rgb_array frame of the fetch map (13 x 11), against a blank frame.

    python benchmarks/render.py

The reference is the unavoidable part: a pygame surface of the same size filled and turned
into an array. Target: a full frame (truth and belief overlays, status panel) <= 5 ms.
Also shows that render_mode=None costs nothing: env.step with and without rendering.
"""

from __future__ import annotations

import os
import time

import numpy as np

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.envs import fetch_v2
from empathy_gym.render.frame import Overlay, Renderer, import_pygame


def per_call_ms(fn, repeats: int = 300) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> None:
    env = make_arm_env("fetch", Arm("cirl", 1.0), 1)
    env.reset(seed=0)
    for _ in range(20):
        env.step(np.array([1]))
    world, state, scenario = env.unwrapped.world, env.unwrapped.scenario_state, env.scenario
    renderer = Renderer(scenario, "rgb_array", 8)
    full = Overlay(
        truth=True,
        goal_posterior=env.beliefs.goal_posterior[0],
        believed_valence=env.beliefs.valence[0],
        totals=np.zeros(4),
    )
    pygame = import_pygame()

    def blank():
        surface = pygame.Surface(renderer.size)
        surface.fill((250, 250, 250))
        return np.ascontiguousarray(pygame.surfarray.pixels3d(surface).transpose(1, 0, 2))

    figures = {
        "blank frame (reference)": per_call_ms(blank),
        "frame, what the assistant sees": per_call_ms(lambda: renderer.rgb_array(world, state, 0)),
        "frame, truth + belief overlays": per_call_ms(
            lambda: renderer.rgb_array(world, state, 0, full)
        ),
    }
    plain = fetch_v2.parallel_env()
    drawn = fetch_v2.parallel_env(render_mode="rgb_array")
    for env_ in (plain, drawn):
        env_.reset(seed=0)

    def step_and_render(e):
        if not e.agents:
            e.reset()
        e.step({"assistant_0": 0})
        e.render()

    figures["fetch step + render(), render_mode=None"] = per_call_ms(lambda: step_and_render(plain))
    figures["fetch step + render(), rgb_array"] = per_call_ms(lambda: step_and_render(drawn))

    print(f"frame size {renderer.size[0]} x {renderer.size[1]} px (13 x 11 map)")
    for name, ms in figures.items():
        print(f"{name:<42} {ms:8.3f} ms")
    full_ms = figures["frame, truth + belief overlays"]
    print(
        f"\nfull frame / blank frame: {full_ms / figures['blank frame (reference)']:.1f}x; "
        f"target <= 5 ms: {'meets' if full_ms <= 5 else 'MISSES'}"
    )


if __name__ == "__main__":
    main()

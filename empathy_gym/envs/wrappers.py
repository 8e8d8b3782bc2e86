"""Small adapters for libraries with stricter expectations than PettingZoo's own."""

from __future__ import annotations

from pettingzoo.utils.wrappers import BaseParallelWrapper


def flatten_info(info: dict, prefix: str = "") -> dict:
    """``{"a": {"b": x}}`` -> ``{"a/b": x}``: every value an array or a number."""
    flat = {}
    for key, value in info.items():
        if isinstance(value, dict):
            flat.update(flatten_info(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


class FlatInfos(BaseParallelWrapper):
    """Flattens each agent's nested infos (``reward_components/task``, ``eval_truth/goal``...).

    For TorchRL's ``PettingZooWrapper``, which turns every info value into a tensor.
    """

    def reset(self, seed=None, options=None):
        observations, infos = super().reset(seed=seed, options=options)
        return observations, {agent: flatten_info(info) for agent, info in infos.items()}

    def step(self, actions):
        *rest, infos = super().step(actions)
        return (*rest, {agent: flatten_info(info) for agent, info in infos.items()})

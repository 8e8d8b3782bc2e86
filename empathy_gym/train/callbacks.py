"""SB3 callbacks of the training runner."""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback


class EpisodeStatsCallback(BaseCallback):
    """Logs the mean task return, shaped return and welfare of the episodes of each rollout.

    SB3 logs only the reward it optimises; learning curves need the task return and the
    humans' welfare too, whatever the condition rewards.
    """

    def __init__(self):
        super().__init__()
        self._episodes: list[dict] = []

    def _on_step(self) -> bool:
        self._episodes += [i["episode_stats"] for i in self.locals["infos"] if "episode_stats" in i]
        return True

    def _on_rollout_end(self) -> None:
        if self._episodes:
            for key in self._episodes[0]:
                self.logger.record(f"episode/{key}", np.mean([e[key] for e in self._episodes]))
            self._episodes = []

"""Every agent, assistant and humans, as one SB3 VecEnv for a shared policy, via SuperSuit.

Parameter sharing needs one observation and one action space: SuperSuit pads the humans'
observations to the assistant's length and their Discrete(5) to Discrete(6) (a padded
action is STAY). Needs ``empathy-gym[train]``.

Seeding workaround: SuperSuit 3.11's SB3 wrapper forwards ``seed()`` to a vector env that,
under Gymnasium 1.x, seeds only through ``reset(seed=...)``, so ``PPO(env, seed=...)``
crashes with "'ConcatVecEnv' object has no attribute 'seed'". :class:`SeededSuperSuitVecEnv`
remembers the seed and passes it to the next reset, which is what SB3 2.x expects.
"""

from __future__ import annotations

from empathy_gym.envs.parallel import EmpathyParallelEnv
from empathy_gym.extras import require

ss = require("supersuit")
SB3VecEnvWrapper = require("supersuit.vector.sb3_vector_wrapper").SB3VecEnvWrapper


class SeededSuperSuitVecEnv(SB3VecEnvWrapper):
    """SuperSuit's SB3 wrapper with SB3 2.x seeding: ``seed(s)`` applies at the next reset."""

    _pending_seed: int | None = None

    def seed(self, seed: int | None = None) -> list[int | None]:
        self._pending_seed = seed
        return [None if seed is None else seed + i for i in range(self.num_envs)]

    def reset(self, seed=None, options=None):
        seed = self._pending_seed if seed is None else seed
        self._pending_seed = None
        observations, self.reset_infos = self.venv.reset(seed=seed, options=options)
        return observations


def shared_policy_vec_env(scenario: str, n_copies: int = 1, **env_kwargs):
    """An SB3 VecEnv of ``n_copies`` envs whose members are all their agents."""
    env = EmpathyParallelEnv(scenario, human_control="external", **env_kwargs)
    env = ss.pad_action_space_v0(ss.pad_observations_v0(env))
    venv = ss.concat_vec_envs_v1(
        ss.pettingzoo_env_to_vec_env_v1(env), n_copies, num_cpus=0, base_class="stable_baselines3"
    )
    return SeededSuperSuitVecEnv(venv.venv)

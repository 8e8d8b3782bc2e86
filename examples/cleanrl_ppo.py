"""Single-file PPO in the CleanRL style, on empathy-gym's native vector env.

    python examples/cleanrl_ppo.py --env-id empathy_gym/Fetch-v2 --total-timesteps 200000

Everything is in this file on purpose (CleanRL's convention): read it top to bottom. The
env comes from ``gymnasium.make_vec(..., vectorization_mode="vector_entry_point")``, the
batched simulation, with same-step autoreset. At the end it prints the mean task return
and the humans' welfare (mean true valence, from the evaluation-only ``truth_valence``) of the
last episodes.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import gymnasium
import numpy as np
import torch
import torch.nn as nn
import tyro
from torch.distributions import Categorical

import empathy_gym  # noqa: F401  (registers the ids)


@dataclass
class Args:
    env_id: str = "empathy_gym/Fetch-v2"
    """a registered empathy-gym id"""
    seed: int = 1
    """seed of everything"""
    total_timesteps: int = 200_000
    """environment steps in all"""
    num_envs: int = 16
    """members of the native batch"""
    num_steps: int = 128
    """steps per env per rollout"""
    learning_rate: float = 2.5e-4
    """Adam learning rate"""
    gamma: float = 0.99
    """discount"""
    gae_lambda: float = 0.95
    """GAE lambda"""
    update_epochs: int = 4
    """passes over each rollout"""
    num_minibatches: int = 4
    """minibatches per pass"""
    clip_coef: float = 0.2
    """policy ratio clipping"""
    ent_coef: float = 0.01
    """entropy bonus"""
    vf_coef: float = 0.5
    """value loss weight"""
    max_grad_norm: float = 0.5
    """gradient clipping"""


def layer(in_size: int, out_size: int, std: float = np.sqrt(2)) -> nn.Linear:
    linear = nn.Linear(in_size, out_size)
    nn.init.orthogonal_(linear.weight, std)
    nn.init.constant_(linear.bias, 0.0)
    return linear


class Agent(nn.Module):
    def __init__(self, obs_size: int, n_actions: int):
        super().__init__()
        self.critic = nn.Sequential(
            layer(obs_size, 64), nn.Tanh(), layer(64, 64), nn.Tanh(), layer(64, 1, std=1.0)
        )
        self.actor = nn.Sequential(
            layer(obs_size, 64), nn.Tanh(), layer(64, 64), nn.Tanh(), layer(64, n_actions, std=0.01)
        )

    def value(self, x: torch.Tensor) -> torch.Tensor:
        return self.critic(x)

    def action_and_value(self, x: torch.Tensor, action: torch.Tensor | None = None):
        distribution = Categorical(logits=self.actor(x))
        if action is None:
            action = distribution.sample()
        return action, distribution.log_prob(action), distribution.entropy(), self.critic(x)


def main(args: Args) -> dict:
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    envs = gymnasium.make_vec(
        args.env_id, num_envs=args.num_envs, vectorization_mode="vector_entry_point"
    )
    obs_size, n_actions = envs.single_observation_space.shape[0], envs.single_action_space.n
    agent = Agent(obs_size, n_actions)
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
    batch_size = args.num_envs * args.num_steps
    minibatch_size = batch_size // args.num_minibatches

    obs = torch.zeros((args.num_steps, args.num_envs, obs_size))
    actions = torch.zeros((args.num_steps, args.num_envs), dtype=torch.long)
    logprobs, rewards, dones, values = (
        torch.zeros((args.num_steps, args.num_envs)) for _ in range(4)
    )
    next_obs, _ = envs.reset(seed=args.seed)
    next_obs, next_done = torch.tensor(next_obs), torch.zeros(args.num_envs)
    episode_task = np.zeros(args.num_envs)
    episode_valence = np.zeros(args.num_envs)
    finished: list[tuple[float, float]] = []
    start, global_step = time.time(), 0

    for _ in range(args.total_timesteps // batch_size):
        for step in range(args.num_steps):
            global_step += args.num_envs
            obs[step], dones[step] = next_obs, next_done
            with torch.no_grad():
                action, logprob, _, value = agent.action_and_value(next_obs)
            actions[step], logprobs[step], values[step] = action, logprob, value.flatten()
            next_obs, reward, terminated, truncated, infos = envs.step(action.numpy())
            rewards[step] = torch.tensor(reward, dtype=torch.float32)
            next_obs = torch.tensor(next_obs)
            next_done = torch.tensor(terminated | truncated, dtype=torch.float32)
            episode_task += reward
            episode_valence += infos["truth_valence"].mean(axis=1)
            for i in np.flatnonzero(terminated | truncated):
                steps = envs.unwrapped.max_cycles
                finished.append((episode_task[i], episode_valence[i] / steps))
                episode_task[i] = episode_valence[i] = 0.0

        with torch.no_grad():  # generalised advantage estimation
            next_value = agent.value(next_obs).flatten()
            advantages = torch.zeros_like(rewards)
            last = 0.0
            for t in reversed(range(args.num_steps)):
                not_done = 1.0 - (next_done if t == args.num_steps - 1 else dones[t + 1])
                following = next_value if t == args.num_steps - 1 else values[t + 1]
                delta = rewards[t] + args.gamma * following * not_done - values[t]
                last = delta + args.gamma * args.gae_lambda * not_done * last
                advantages[t] = last
            returns = advantages + values

        b_obs, b_actions = obs.reshape(-1, obs_size), actions.reshape(-1)
        b_logprobs, b_advantages = logprobs.reshape(-1), advantages.reshape(-1)
        b_returns = returns.reshape(-1)
        for _ in range(args.update_epochs):
            order = np.random.permutation(batch_size)
            for begin in range(0, batch_size, minibatch_size):
                idx = order[begin : begin + minibatch_size]
                _, new_logprob, entropy, new_value = agent.action_and_value(
                    b_obs[idx], b_actions[idx]
                )
                ratio = (new_logprob - b_logprobs[idx]).exp()
                adv = b_advantages[idx]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                policy_loss = torch.max(
                    -adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)
                ).mean()
                value_loss = 0.5 * ((new_value.flatten() - b_returns[idx]) ** 2).mean()
                loss = policy_loss - args.ent_coef * entropy.mean() + args.vf_coef * value_loss
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()

    envs.close()
    recent = np.array(finished[-args.num_envs :]) if finished else np.zeros((1, 2))
    summary = {
        "steps": global_step,
        "fps": int(global_step / (time.time() - start)),
        "task_return": float(recent[:, 0].mean()),
        "welfare": float(recent[:, 1].mean()),
    }
    print(" ".join(f"{key}={value}" for key, value in summary.items()))
    return summary


if __name__ == "__main__":
    main(tyro.cli(Args))

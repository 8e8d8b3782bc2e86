"""A lean PPO over the native batch: the one learner every arm trains with (CleanRL style).

Why not Stable-Baselines3 (measured, ``benchmarks/train_throughput.py``): SB3's rollout
collection does Python work per step (dict infos, buffer bookkeeping, callbacks) that capped
it near 33k env-steps/s at 16 envs and 90k at 256 on fetch; this loop keeps everything in
preallocated arrays and tensors and steps the batch in one call.

The algorithm is CleanRL's ``ppo.py`` (Huang et al. 2022, "The 37 implementation details of
PPO"): orthogonal initialisation, GAE, clipped policy and value objectives, advantage
normalisation per minibatch, entropy bonus, gradient clipping and a linearly annealed
learning rate. Rewards are centred and scaled by a running estimate of the discounted
return's standard deviation (Gymnasium's ``NormalizeReward``), so the ``task + lambda *
term`` rewards of every arm and lambda train with one set of hyperparameters. Episodes end
only by the time limit, and the observation carries the time, so the limit is a true
terminal of the time-augmented MDP and is treated as one.

Three choices make the empathic arms learnable at all, each measured in dilemma at
lambda = 1, where the detour is optimal but far (four seeds each, 3-4M steps):

* an asymmetric critic (``ActorCritic``): the value head also sees the humans' true affect;
  without it the return's unexplained part (how each person feels) drowns the task's signal;
* an episodic novelty bonus (``novelty``): ``novelty / sqrt(1 + n)`` for entering a cell
  the assistant has been on ``n`` times this episode, fading to 0 over the first half of
  training. Without it no seed found the detour; with 0.3, four of four did. A
  never-fading global count did not help (the counts saturate within a few updates);
* reward centring (``ReturnScale``).

The bonus and the critic's truth exist only in training: the policy sees its observation,
and every number reported is measured on the arm's own reward, without the bonus.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from empathy_gym.envs.info import COMPONENT_PREFIX
from empathy_gym.extras import require
from empathy_gym.train.settings import PPOSettings

torch = require("torch")
nn = torch.nn

TASK = COMPONENT_PREFIX + "task"
"""The infos key of the task reward, which the term's warmup keeps at full weight."""

VALUE_WIDTH = 32
"""Width of the value head's own hidden layer, which mixes the trunk's features with the
truth (measured in dilemma at lambda 1: with a linear value head no seed found the detour,
with this layer every seed did)."""


def _layer(n_in: int, n_out: int, std: float) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, 0.0)
    return layer


class ActorCritic(nn.Module):
    """A shared MLP trunk with a policy head and a value head.

    Sharing the trunk halves the update's arithmetic, which is what bounds training speed
    on one CPU core (measured: separate 64-64 actor and critic networks train at 73k
    steps/s, the shared trunk at more than 100k). The value head may also see the hidden
    truth (``truth_size > 0``): an asymmetric actor-critic (Pinto et al. 2018), whose
    critic exists only in training, so it may condition on privileged state (the humans'
    true affect, the assistant's mood) that the policy never sees. It takes the part of
    the return the observation cannot predict (how each person feels) out of the
    advantages, which otherwise drowns the task's signal once lambda is large.
    """

    def __init__(self, obs_size: int, truth_size: int, n_actions: int, hidden: tuple[int, ...]):
        super().__init__()
        layers, width = [], obs_size
        for h in hidden:
            layers += [_layer(width, h, np.sqrt(2)), nn.Tanh()]
            width = h
        self.trunk = nn.Sequential(*layers)
        self.policy_head = _layer(width, n_actions, 0.01)
        self.value_head = nn.Sequential(
            _layer(width + truth_size, VALUE_WIDTH, np.sqrt(2)),
            nn.Tanh(),
            _layer(VALUE_WIDTH, 1, 1.0),
        )

    def forward(self, obs, truth=None):
        """(logits, value) of a batch of observations (and of the truth, for the value)."""
        features = self.trunk(obs)
        critic_in = features if truth is None else torch.cat([features, truth], dim=-1)
        return self.policy_head(features), self.value_head(critic_in).squeeze(-1)

    def policy(self, obs):
        """The policy's logits: a function of the observation alone."""
        return self.policy_head(self.trunk(obs))


class ReturnScale:
    """Centres rewards on their running mean, then scales them by the running standard
    deviation of each env's discounted return (Welford, batched).

    Centring: every episode lasts exactly ``max_cycles`` steps, so subtracting a constant
    from every reward subtracts the same amount from every episode's return and leaves the
    optimal policies unchanged. It matters because welfare and mood are levels: with
    lambda = 1 they add about 0.3 per step whatever the assistant does, a return that ramps
    over the episode, which swamps the value function and, scaled, the task's signal
    (measured in dilemma: without centring no seed found the detour at lambda >= 1).
    """

    def __init__(self, num_envs: int, gamma: float):
        self.gamma = gamma
        self.returns = np.zeros(num_envs)
        self.count, self.mean, self.m2 = 1e-4, 0.0, 0.0
        self.reward_mean, self.reward_count = 0.0, 0

    def __call__(self, reward: np.ndarray, done: np.ndarray) -> np.ndarray:
        self.reward_count += len(reward)
        self.reward_mean += (reward.mean() - self.reward_mean) * len(reward) / self.reward_count
        reward = reward - self.reward_mean
        self.returns = self.returns * self.gamma + reward
        batch_mean, batch_var, n = self.returns.mean(), self.returns.var(), len(self.returns)
        total = self.count + n
        delta = batch_mean - self.mean
        self.mean += delta * n / total
        self.m2 += batch_var * n + delta**2 * self.count * n / total
        self.count = total
        self.returns[done] = 0.0
        return reward / np.sqrt(self.m2 / self.count + 1e-8)

    def state(self) -> dict:
        return {
            "count": self.count,
            "mean": self.mean,
            "m2": self.m2,
            "reward_mean": self.reward_mean,
            "reward_count": self.reward_count,
        }

    def load(self, state: dict) -> None:
        self.count, self.mean, self.m2 = state["count"], state["mean"], state["m2"]
        self.reward_mean, self.reward_count = state["reward_mean"], state["reward_count"]


Report = Callable[[dict], None]


class Learner:
    """PPO on an ``EmpathyVectorWrapper`` (or any same-step-autoreset VectorEnv) of one arm."""

    def __init__(self, env, settings: PPOSettings, seed: int):
        settings.validate()
        if env.num_envs != settings.num_envs:
            raise ValueError(
                f"the env has {env.num_envs} members, settings say {settings.num_envs}"
            )
        torch.manual_seed(seed)
        self.env = env
        self.settings = settings
        self.seed = seed
        obs_size = env.single_observation_space.shape[0]
        n_actions = int(env.single_action_space.n)
        truth_size = env.critic_truth().shape[1] if settings.critic_truth else 0
        self.model = ActorCritic(obs_size, truth_size, n_actions, settings.hidden)
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), settings.learning_rate, eps=1e-5, fused=True
        )
        self.scale = ReturnScale(settings.num_envs, settings.gamma)
        self.global_step = 0
        t, n = settings.num_steps, settings.num_envs
        self.obs = torch.zeros((t, n, obs_size))
        self.actions = torch.zeros((t, n), dtype=torch.long)
        self.logprobs = torch.zeros((t, n))
        self.rewards = torch.zeros((t, n))
        self.dones = torch.zeros((t, n))
        self.values = torch.zeros((t, n))
        self.truth = torch.zeros((t, n, truth_size)) if truth_size else None
        self._next_obs = None
        self._next_truth = None
        self._visits = np.zeros((env.num_envs, *env.unwrapped.scenario.layout.walkable.shape))
        self._total = 1

    def learn(self, total_steps: int, report: Report | None = None) -> None:
        """Train in whole rollouts until ``global_step`` reaches at least ``total_steps``
        (it exceeds it by less than one rollout, ``num_envs * num_steps``); ``report`` gets
        each update's statistics."""
        s = self.settings
        per_update = s.num_envs * s.num_steps
        updates = max(1, -(-total_steps // per_update))
        self._total = updates * per_update
        first = self.global_step // per_update
        if self._next_obs is None:
            obs, _ = self.env.reset(seed=self.seed + self.global_step)
            self._next_obs = torch.from_numpy(np.asarray(obs, np.float32))
            self._next_truth = self._truth()
        next_done = torch.zeros(s.num_envs)
        for update in range(first, updates):
            started = time.perf_counter()
            for group in self.optimizer.param_groups:
                group["lr"] = s.learning_rate * (1.0 - update / updates)
            episodes = self._rollout(next_done)
            next_done = self._next_done
            stats = self._update()
            seconds = time.perf_counter() - started
            stats.update({"time/global_step": self.global_step, "time/fps": per_update / seconds})
            for key in episodes[0] if episodes else ():
                stats[f"episode/{key}"] = float(np.mean([e[key] for e in episodes]))
            if report is not None:
                report(stats)

    def _rollout(self, next_done) -> list[dict]:
        s = self.settings
        episodes = []
        with torch.no_grad():
            for t in range(s.num_steps):
                obs, truth = self._next_obs, self._next_truth
                self.obs[t] = obs
                if truth is not None:
                    self.truth[t] = truth
                self.dones[t] = next_done
                logits, self.values[t] = self.model(obs, truth)
                noise = -torch.log(-torch.log(torch.rand_like(logits).clamp_(1e-20, 1.0)))
                action = (logits + noise).argmax(-1)
                self.actions[t] = action
                self.logprobs[t] = logits.log_softmax(-1).gather(1, action[:, None]).squeeze(1)
                next_obs, reward, terminated, truncated, infos = self.env.step(action.numpy())
                done = terminated | truncated
                reward = self._warmed_up(reward, infos) + self._novelty(done)
                self.rewards[t] = torch.from_numpy(self.scale(reward, done).astype(np.float32))
                next_done = torch.from_numpy(done.astype(np.float32))
                self._next_obs = torch.from_numpy(np.asarray(next_obs, np.float32))
                self._next_truth = self._truth()
                stats = infos.get("episode_stats")
                if stats is not None:
                    keys = [k for k in stats if k != "members"]
                    episodes += [
                        {k: stats[k][j] for k in keys} for j in range(len(stats["members"]))
                    ]
                self.global_step += s.num_envs
            self._next_done = next_done
            self._last_value = self.model(self._next_obs, self._next_truth)[1]
        return episodes

    def _through(self, share: float) -> float:
        """How far training is through its first ``share`` (1 at the end of it)."""
        return self.global_step / max(1.0, share * self._total)

    def _warmed_up(self, reward: np.ndarray, infos: dict) -> np.ndarray:
        """The arm's reward with its other-regarding term weighted by the warmup."""
        share = self.settings.term_warmup
        weight = min(1.0, self._through(share)) if share else 1.0
        if weight >= 1.0:
            return reward
        task = infos[TASK]
        return task + weight * (reward - task)

    def _novelty(self, done: np.ndarray) -> np.ndarray | float:
        """Episodic count-based exploration bonus on the assistant's cell, fading out."""
        s = self.settings
        fade = 1.0 - self._through(s.novelty_share)
        if s.novelty <= 0.0 or fade <= 0.0:
            return 0.0
        cells = self.env.unwrapped.world.pos[:, 0]
        members = np.arange(len(cells))
        bonus = s.novelty * fade / np.sqrt(self._visits[members, cells[:, 0], cells[:, 1]] + 1.0)
        self._visits[members, cells[:, 0], cells[:, 1]] += 1.0
        self._visits[done] = 0.0  # counts are per episode
        return np.where(done, 0.0, bonus)

    def _truth(self):
        """The privileged critic's extra input for the current observation (or None)."""
        if not self.settings.critic_truth:
            return None
        return torch.from_numpy(self.env.critic_truth())

    def _advantages(self):
        s = self.settings
        advantages = torch.zeros_like(self.rewards)
        last = torch.zeros(s.num_envs)
        for t in reversed(range(s.num_steps)):
            if t == s.num_steps - 1:
                alive, next_value = 1.0 - self._next_done, self._last_value
            else:
                alive, next_value = 1.0 - self.dones[t + 1], self.values[t + 1]
            delta = self.rewards[t] + s.gamma * next_value * alive - self.values[t]
            last = delta + s.gamma * s.gae_lambda * alive * last
            advantages[t] = last
        return advantages, advantages + self.values

    def _update(self) -> dict:
        s = self.settings
        advantages, returns = self._advantages()
        size = s.num_envs * s.num_steps
        obs = self.obs.reshape(size, -1)
        truth = None if self.truth is None else self.truth.reshape(size, -1)
        actions, logprobs = self.actions.reshape(-1), self.logprobs.reshape(-1)
        advantages, returns, values = (
            advantages.reshape(-1),
            returns.reshape(-1),
            self.values.reshape(-1),
        )
        clipped = []
        for _ in range(s.update_epochs):
            order = torch.randperm(size)
            for start in range(0, size - s.minibatch_size + 1, s.minibatch_size):
                # Sorted, a minibatch's rows are gathered 2-3x faster (index_select reads
                # memory in order); its loss, a mean, is the same in any order.
                mb = order[start : start + s.minibatch_size].sort().values
                logits, new_value = self.model(
                    obs.index_select(0, mb), None if truth is None else truth.index_select(0, mb)
                )
                log_all = logits.log_softmax(-1)
                new_logprob = log_all.gather(1, actions[mb, None]).squeeze(1)
                entropy = -(log_all.exp() * log_all).sum(-1).mean()
                ratio = (new_logprob - logprobs[mb]).exp()
                adv = advantages[mb]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                policy_loss = torch.max(
                    -adv * ratio, -adv * ratio.clamp(1 - s.clip_coef, 1 + s.clip_coef)
                ).mean()
                value_clipped = values[mb] + (new_value - values[mb]).clamp(
                    -s.clip_coef, s.clip_coef
                )
                value_loss = (
                    0.5
                    * torch.max(
                        (new_value - returns[mb]) ** 2, (value_clipped - returns[mb]) ** 2
                    ).mean()
                )
                loss = policy_loss - s.ent_coef * entropy + s.vf_coef * value_loss
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), s.max_grad_norm)
                self.optimizer.step()
                clipped.append(((ratio - 1.0).abs() > s.clip_coef).float().mean().item())
        return {
            "loss/policy": policy_loss.item(),
            "loss/value": value_loss.item(),
            "loss/entropy": entropy.item(),
            "loss/clip_fraction": float(np.mean(clipped)),
        }

    # --- checkpoints and policies ------------------------------------------------------
    def state(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "global_step": self.global_step,
            "return_scale": self.scale.state(),
            "settings": dataclasses.asdict(self.settings),
            "torch_rng": torch.get_rng_state(),
        }

    def load(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.global_step = int(state["global_step"])
        self.scale.load(state["return_scale"])
        torch.set_rng_state(state["torch_rng"])


class Policy:
    """A trained actor as a batch policy: ``policy(obs, context) -> actions``.

    Actions are sampled, as in training: the policy is the stochastic one PPO optimised
    (its argmax can be much worse: it may stall where sampling moves on). The sampling
    stream is seeded, so an evaluation is reproducible.
    """

    def __init__(self, model: ActorCritic, seed: int = 0):
        self.model = model.eval()
        self.generator = torch.Generator().manual_seed(seed)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        return self.model.policy(obs)

    def __call__(self, obs: np.ndarray, context=None) -> np.ndarray:
        with torch.no_grad():
            logits = self.logits(torch.from_numpy(np.asarray(obs, np.float32)))
            u = torch.rand(logits.shape, generator=self.generator).clamp_(1e-20, 1.0)
            return (logits - torch.log(-torch.log(u))).argmax(-1).numpy()

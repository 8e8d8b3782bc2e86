"""Training: the learner, its settings, run directories, and the separate training scripts.

``python -m empathy_gym.train.ppo|cirl|contagion`` (= ``empathy-gym train ppo|cirl|contagion``)
trains one arm of the experiment with the one learner (``learner.py``) and evaluates it.
"""

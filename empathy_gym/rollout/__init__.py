"""Playing episodes and measuring them, without torch: evaluation, the instrument, pumps.

Any batch policy (a trained network, a scripted assistant) plays through
``evaluate.rollout``; what happened to the humans is summarised per episode
(``EpisodeMetrics``), checked against a scenario's instrument criteria (``instrument``),
read as choices on intuition pumps (``pumps``) or drawn as frames (``record``).
"""

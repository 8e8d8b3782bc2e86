"""The experiment: comparisons over arms, lambda and seeds, tuning, predictions and the report.

``compare`` trains and evaluates the arms of a preset (``presets``), ``results`` tidies
their episodes into tables, ``predictions`` judges docs/design.md's five predictions,
``report`` and ``plots`` write them up, ``tune`` searches the learner's settings.
"""

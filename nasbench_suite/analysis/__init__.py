"""Analysis of run folders: loading, anytime curves, distributions, ranks, statistics, Pareto
fronts.

Every function is pure (inputs in, small frozen dataclasses out); plot functions take an ``ax``.
"""

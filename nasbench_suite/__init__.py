"""nasbench-suite: honest, fast comparison of NAS strategies on the NAS-Bench-201 cell space."""

__version__ = "0.1.0"

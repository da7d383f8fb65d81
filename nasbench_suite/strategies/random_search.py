"""Random search (Bergstra & Bengio, JMLR 2012; the NB201 baseline 'RS')."""

from __future__ import annotations

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy


@register_strategy("random")
class RandomSearch(Searcher):
    """Uniform sampling of cells with replacement, as in NB201 / NATS-Bench."""

    paper = "Bergstra & Bengio, Random Search for Hyper-Parameter Optimization, JMLR 2012"

    def ask(self) -> Candidate:
        return Candidate(self.space.sample(self.rng))

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        """Random search learns nothing."""

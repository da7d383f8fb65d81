"""A new NAS method in a file of its own: a (1+1) evolutionary search with random restarts.

Run it beside the classics (see the README, "Compare your method with the classics")::

    nasbench-suite check-strategy examples/my_strategy.py:OnePlusOne
    nasbench-suite run examples/compare.yaml
"""

from nasbench_suite.strategies import Candidate, Searcher, register_strategy

__version__ = "0.1"


@register_strategy("one_plus_one")
class OnePlusOne(Searcher):
    """Mutate the best cell seen so far; with probability ``restart`` sample a new one."""

    paper = "A (1+1) evolution strategy on cells (example plug-in)"

    def __init__(self, space, seed=0, objective=None, restart=0.1):
        super().__init__(space, seed, objective)
        self.restart = float(restart)
        self.best, self.best_score = None, float("-inf")

    def ask(self):
        if self.best is None or self.rng.random() < self.restart:
            return Candidate(int(self.space.sample(self.rng)))
        return Candidate(int(self.space.mutate(self.best, self.rng)))

    def tell(self, candidate, observation):
        score = self.score(observation)  # the objective (validation accuracy); NaN -> -inf
        if score > self.best_score:
            self.best, self.best_score = candidate.arch_index, score

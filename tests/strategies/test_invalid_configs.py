"""Per-dimension samplers never propose a configuration outside the space.

NAS-Bench-Graph's all-skip architecture (every node ``skip``: no GNN layer) is not in its tables;
REINFORCE's policy and TPE's sampler assemble configurations dimension by dimension and so can
produce it (11 of the 3,120 runs of experiments/suite.yaml failed on it before this was handled).
"""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import ArchError
from nasbench_suite.spaces import create_space
from nasbench_suite.strategies import create_strategy
from nasbench_suite.strategies._spacetools import MAX_REDRAWS, first_valid_id

ALL_SKIP = "links=[0,1,2,3];ops=[skip,skip,skip,skip]"


@pytest.fixture(scope="module")
def proteins():
    return create_space("nb-graph-proteins")


def _skip_heavy_policy(searcher, space, p_skip: float) -> None:
    """Set REINFORCE's op dimensions to draw ``skip`` with probability ``p_skip``."""
    logits = searcher._policy()
    skip = space.dims[1].choices.index("skip")
    others = space.dims[1].size - 1
    for d in range(1, len(space.dims)):
        logits[d, :] = np.log((1 - p_skip) / others)
        logits[d, skip] = np.log(p_skip)


def test_all_skip_is_outside_the_space(proteins):
    with pytest.raises(ArchError, match="all-skip architecture"):
        proteins.parse(ALL_SKIP)


def test_reinforce_redraws_configurations_outside_the_space(proteins):
    searcher = create_strategy("reinforce", proteins, seed=0)
    _skip_heavy_policy(searcher, proteins, 0.5)  # all four ops skip: 1 draw in 16
    ids = [searcher.ask().arch_index for _ in range(200)]
    assert all(0 <= i < proteins.size for i in ids)
    ops = [proteins.to_str(i).split("ops=")[1] for i in ids]
    assert sum(o.count("skip") == 3 for o in ops) > 20  # the policy is still followed


def test_reinforce_falls_back_to_a_uniform_sample(proteins):
    searcher = create_strategy("reinforce", proteins, seed=0)
    _skip_heavy_policy(searcher, proteins, 1.0 - 1e-15)  # practically always all-skip
    arch = searcher.ask().arch_index
    assert 0 <= arch < proteins.size


def test_tpe_asks_again_when_its_sampler_leaves_the_space(proteins):
    searcher = create_strategy("tpe", proteins, seed=0)
    searcher._make_study()
    names = [d.name for d in proteins.dims]
    skip_all = dict(zip(names, [proteins.dims[0].choices[0], "skip", "skip", "skip", "skip"]))
    for _ in range(3):
        searcher._study.enqueue_trial(skip_all)
    arch = searcher.ask().arch_index
    assert 0 <= arch < proteins.size and "skip,skip,skip,skip" not in proteins.to_str(arch)
    states = [t.state.name for t in searcher._study.trials]
    assert states[:3] == ["FAIL", "FAIL", "FAIL"]  # the sampler learns nothing from them


def test_first_valid_id_takes_the_first_draw_on_a_space_without_invalid_configs(space):
    rng = np.random.default_rng(0)
    calls = []

    def draw():
        calls.append(1)
        return np.asarray([1, 2, 3, 4, 0, 1])

    assert first_valid_id(space, draw, rng) == space.id_of((1, 2, 3, 4, 0, 1))
    assert len(calls) == 1 and rng.random() == np.random.default_rng(0).random()
    assert MAX_REDRAWS >= 10

"""The NAS-Bench-301 published-results entry: same format as published.yaml, nothing unverified."""

from __future__ import annotations

from pathlib import Path

import yaml

from nasbench_suite.analysis import published
from nasbench_suite.strategies.base import list_strategies

FILE = Path(published.__file__).with_name("published_nb301.yaml")


def test_nb301_entry_parses_like_published_yaml():
    raw = yaml.safe_load(FILE.read_text())
    assert list(raw) == ["nb301"]
    t = raw["nb301"]
    for key in ("citation", "url", "table", "protocol", "runs", "verification", "methods"):
        assert t.get(key), key
    assert "2008.09777" in t["url"] and "ICLR" in t["citation"]
    assert "validation" in t["protocol"] and "no test set" in t["protocol"]
    methods = [published._method("nb301", n, m, t["runs_per_kind"])
               for n, m in t["methods"].items()]
    names = {m.name for m in methods}
    assert {"RS", "RE", "BANANAS", "Local search", "GP-BO", "TPE", "Hyperband", "BOHB", "ASHA",
            "DEHB"} <= names
    known = set(list_strategies())
    for m in methods:
        assert m.strategy is None or m.strategy in known, m.strategy
        # nothing could be verified: no number is stored, and the note says so
        assert m.values is None and m.architectures is None
    assert "NOT STORED" in t["verification"]

"""The experiment runner: YAML specs, grid expansion, one run's loop and folder, executors.

spec = load_spec("experiments/quick.yaml")
result = run_grid(expand(spec), "reports/runs/quick", workers=2)
rows = summarize("reports/runs/quick")
"""

from nasbench_suite.runner.executors import GridResult, run_grid
from nasbench_suite.runner.grid import RunSpec, expand
from nasbench_suite.runner.run import execute, is_complete
from nasbench_suite.runner.spec import ExperimentSpec, load_spec, parse_spec
from nasbench_suite.runner.summary import summarize

__all__ = [
    "ExperimentSpec",
    "GridResult",
    "RunSpec",
    "execute",
    "expand",
    "is_complete",
    "load_spec",
    "parse_spec",
    "run_grid",
    "summarize",
]

"""``python -m nasbench_suite`` runs the CLI."""

import sys

from nasbench_suite.cli import main

sys.exit(main())

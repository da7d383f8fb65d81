"""Everything a report says, computed once from run folders; html.py and pdf.py only lay it out.

Choices (also stated in the report itself):

* Tasks are (search dataset, report dataset) pairs. Plots cover every task when there are at most
  six, else each search dataset's primary report dataset (cifar10-valid -> cifar10, X -> X).
* Curves: mean with a 95% percentile-bootstrap band (seed 0, 1,000 resamples) on a 100-point
  log-spaced grid of simulated time; regret against the store's best test accuracy.
* Pareto fronts (runs with a latency device): one per search dataset, on its primary report
  dataset's accuracy.
* Tests: pairwise Mann-Whitney U + Holm + A12 at the final budget and at 10% and 50% of the
  largest time budget; Friedman + Nemenyi (or Wilcoxon for two strategies) across tasks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from nasbench_suite.analysis import distributions as D
from nasbench_suite.analysis import pareto as P
from nasbench_suite.analysis import stats as S
from nasbench_suite.analysis.compat import check_comparable
from nasbench_suite.analysis.published import (
    ComparisonRow,
    PublishedTable,
    compare_with_table,
    format_pm,
    published,
)
from nasbench_suite.analysis.runs import RunSet, load_runs, primary_report_dataset
from nasbench_suite.errors import NasBenchError
from nasbench_suite.report.sections import build_results

MAX_PLOTTED_TASKS = 6
CHECKPOINT_FRACTIONS = (0.1, 0.5)


@dataclass(frozen=True)
class FigureSpec:
    """A figure to draw: ``make()`` returns a new matplotlib Figure (drawn per output format)."""

    key: str
    title: str
    caption: str
    make: Callable = field(repr=False, compare=False)
    interactive: Callable | None = field(default=None, repr=False, compare=False)  # plotly dict
    pdf_only: bool = False  # the HTML shows it otherwise (e.g. the interactive matrices)


@dataclass(frozen=True)
class Table:
    """A plain table: header and rows of strings."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class ReportContent:
    """The whole report, format-neutral."""

    title: str
    experiments: tuple[str, ...]
    sources: tuple[str, ...]
    methods: str
    status: tuple[str, ...]
    warnings: tuple[str, ...]
    spec_tables: tuple[Table, ...]
    environment: Table
    run_tables: tuple[Table, ...]
    final_tables: tuple[Table, ...]
    published_tables: tuple[Table, ...]
    published_notes: tuple[str, ...]
    test_readings: tuple[tuple[str, tuple[str, ...]], ...]
    test_tables: tuple[Table, ...]
    across_readings: tuple[str, ...]
    caveats: tuple[str, ...]
    figures: tuple[FigureSpec, ...]
    notes: tuple[str, ...]
    proxy_tables: tuple[Table, ...] = ()  # zero-cost proxy section (report/proxies.py)
    proxy_notes: tuple[str, ...] = ()
    results: object = None  # sections.Results: leaderboard, summary, sections, every test


def fmt(x, digits: int = 2) -> str:
    """A number for tables (``n/a`` for NaN / None)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def build_content(
    run_dirs,
    store=None,
    use_default_store: bool = True,
    title: str | None = None,
    proxies=None,
    proxy_dataset: str | None = None,
) -> ReportContent:
    """Load ``run_dirs`` and compute every table, test and figure of the report.

    Args:
        store: an opened store (for the optimum / regret and Pareto fronts); None opens the default
            one when ``use_default_store``; without a store those parts are skipped with a note.
        proxies: a scores CSV of ``zc compute`` (or a list of them): adds the zero-cost proxy
            section (:mod:`nasbench_suite.report.proxies`; needs the store).
        proxy_dataset: whose test accuracy the proxies are compared with (default: the CSV's
            recorded dataset, else cifar10).
    """
    rs = load_runs(run_dirs)
    check_comparable(rs)  # several folders: one grid only when their protocols match
    warnings: list[str] = []
    if store is None and use_default_store:
        try:
            from nasbench_suite.bench.store import open_store

            store = open_store()
        except NasBenchError as exc:
            warnings.append(
                f"no benchmark store ({exc}); regret curves and Pareto fronts are left out"
            )
    labels = rs.labels
    tasks = rs.tasks()
    plotted = (
        tasks
        if len(tasks) <= MAX_PLOTTED_TASKS
        else tuple(
            (s, d) for s, d in tasks if d == primary_report_dataset(s, rs.report_datasets(s))
        )
    )
    status = _status(rs)
    if rs.missing or rs.unfinished:
        warnings.append(
            f"this grid is unfinished: {len(rs.missing)} expected run(s) are missing and "
            f"{len(rs.unfinished)} run folder(s) are unfinished; "
            "statistics use the complete runs only"
        )
    if rs.failed:
        warnings.append(
            f"{len(rs.failed)} run(s) failed; they are listed below and left out of the statistics"
        )
    if getattr(rs, "damaged", ()):
        warnings.append(
            f"{len(rs.damaged)} run(s) are damaged (trajectory.jsonl does not match "
            "metadata.json); they are listed below and left out of the statistics"
        )
    if not rs.complete:
        warnings.append("no run is complete yet: there is nothing to compare")
    checkpoints = _checkpoints(rs)
    results = build_results(rs, store, checkpoints, FigureSpec)
    test_readings, test_tables, caveats = [], [], []
    for sec in results.sections:
        for name, comps in zip(sec.task_names, sec.comparisons):
            lines = []
            for comp in comps:
                lines.extend(p.reading for p in comp.pairs)
                caveats.extend(f"{name}, {comp.checkpoint}: {c}" for c in comp.caveats)
            test_readings.append((name, tuple(lines)))
            test_tables.append(_pairs_table(comps[0], name))
    partial = rs.partial_transfers()
    if partial:
        shown = ", ".join(f"{d} (searched on {s})" for s, d in partial[:3])
        caveats.append(
            f"{len(partial)} transfer pair(s) are left out because some runs' final cells have no "
            f"test accuracy there (e.g. {shown}{', ...' if len(partial) > 3 else ''}): they are "
            "not in that dataset's table"
        )
    across = results.across
    across_readings = tuple(across.readings) if across else ()
    if across:
        caveats.extend(f"across tasks: {c}" for c in across.caveats)
    pub_tables, pub_notes = _published(rs, store)
    figures = _figures(rs, plotted, labels, store, across)
    proxy_tables, proxy_notes = [], []
    if proxies:
        from nasbench_suite.report.proxies import build_proxy_section

        single = isinstance(proxies, str) or hasattr(proxies, "__fspath__")
        for path in [proxies] if single else list(proxies):
            if store is None:
                warnings.append(f"no benchmark store: the proxy section of {path} is left out")
                continue
            section = build_proxy_section(path, store, proxy_dataset)
            proxy_tables.append(section.table)
            proxy_notes.extend(section.notes)
            figures = (*figures, section.figure)
    return ReportContent(
        title=title or f"NAS benchmark report: {', '.join(rs.experiments)}",
        experiments=rs.experiments,
        sources=tuple(str(p) for p in rs.roots),
        methods=methods_paragraph(rs),
        status=status,
        warnings=tuple(warnings),
        spec_tables=_spec_tables(rs),
        environment=_environment(rs),
        run_tables=_run_tables(rs),
        final_tables=tuple(
            _final_table(sec.runset, s, d, labels, name, results.metric)
            for sec in results.sections
            for (s, d), name in zip(sec.tasks, sec.task_names)
        ),
        published_tables=pub_tables,
        published_notes=pub_notes,
        test_readings=tuple(test_readings),
        test_tables=tuple(test_tables),
        across_readings=across_readings,
        caveats=tuple(dict.fromkeys(caveats)),
        figures=figures,
        notes=_notes(),
        proxy_tables=tuple(proxy_tables),
        proxy_notes=tuple(proxy_notes),
        results=results,
    )


# --- text -----------------------------------------------------------------------------------
def methods_paragraph(rs: RunSet) -> str:
    """A methods paragraph generated from the runs' specs."""
    parts = []
    for exp in rs.experiments:
        runs = [r for r in rs.runs if r.experiment == exp]
        spec = runs[0].spec
        b = spec.get("benchmark") or {}
        strategies = sorted(
            {f"{r.label}" + (f" ({r.strategy})" if r.strategy != r.label else "") for r in runs}
        )
        searches = sorted({r.search_dataset for r in runs})
        budgets = sorted({_budget_text(r.spec) for r in runs})
        n_runs = max(r.index for r in runs) + 1
        proto = runs[0].protocol
        strat_text = f"{len(strategies)} strateg{'y' if len(strategies) == 1 else 'ies'}"
        text = (
            f"Experiment '{exp}'"
            + (f" follows the shipped {proto} protocol" if proto else "")
            + f": {strat_text} ({', '.join(strategies)}) searched {', '.join(searches)} on the "
            f"{b.get('type', 'tabular')} NB201 benchmark with the {b.get('fidelity', '?')}-epoch "
            f"validation accuracy as search signal (noise: {b.get('noise', '?')}, overhead "
            f"{b.get('eval_overhead_s', 0)} s per evaluation), under a budget of "
            f"{'; '.join(budgets)}. Each strategy ran {n_runs} time(s) per search dataset; "
            "run k's "
            f"seeds derive from master seed {spec.get('master_seed', '?')} via numpy SeedSequence "
            "spawn keys (label, dataset, k). Reported is the seed-mean 200-epoch test accuracy of "
            "the incumbent (best validation signal so far) on "
            f"{', '.join(runs[0].report_datasets)}; search strategies never see test accuracy."
        )
        if spec.get("objective"):
            text += f" Objective: {spec['objective']}."
        parts.append(text)
    parts.append(
        "Statistics: pairwise two-sided Mann-Whitney U tests with Holm correction and "
        "Vargha-Delaney A12 effect sizes within each task (final budget and checkpoints); "
        "Friedman test with Nemenyi post-hoc across tasks (Wilcoxon signed-rank for two "
        "strategies). Curves show the mean with a 95% percentile-bootstrap band (1,000 resamples, "
        "seed 0) on a log-spaced time grid, the value at time t being the incumbent after the "
        "last evaluation finished by t. Ranks over time pair runs by run index and average the "
        "per-round ranks (1 = best, ties averaged)."
    )
    return "\n\n".join(parts)


def _budget_text(spec: dict) -> str:
    parts = []
    if spec.get("time_budget_s") is not None:
        parts.append(f"{spec['time_budget_s']:,.0f} simulated s")
    if spec.get("eval_budget") is not None:
        parts.append(f"{spec['eval_budget']} evaluations")
    ds = spec.get("dataset", "")
    return (" and ".join(parts) or "no budget recorded") + (f" on {ds}" if ds else "")


def _status(rs: RunSet) -> tuple[str, ...]:
    lines = [
        (f"{len(rs.runs)} run folder(s): {len(rs.complete)} complete, {len(rs.failed)} failed, "
         f"{len(rs.unfinished)} unfinished; {len(rs.missing)} expected run(s) missing.")
    ]
    if rs.missing:
        lines.append(
            "Missing runs are inferred: every (strategy, search dataset) of an experiment is "
            "expected to have run numbers 0..n-1, n being the most runs any combination has."
        )
    return tuple(lines)


def _notes() -> tuple[str, ...]:
    return (
        ("Regret = best seed-mean 200-epoch test accuracy of any cell in the store minus the "
         "incumbent's; it is never negative."),
        "A12 magnitude: |A12 - 0.5| < 0.06 negligible, < 0.14 small, < 0.21 medium, else large.",
    )


# --- tables -----------------------------------------------------------------------------------
def _signal_text(bench: dict) -> str:
    """The search signal of a run's benchmark options: ``200 ep / seed``, or the default."""
    parts = []
    if bench.get("fidelity") is not None:
        parts.append(f"{bench['fidelity']} ep")
    if bench.get("noise"):
        parts.append(str(bench["noise"]))
    return " / ".join(parts) or "benchmark default"


def _spec_tables(rs: RunSet) -> tuple[Table, ...]:
    out = []
    for exp in rs.experiments:
        rows = []
        seen = set()
        for r in rs.runs:
            if r.experiment != exp or (r.label, r.search_dataset) in seen:
                continue
            seen.add((r.label, r.search_dataset))
            b = r.spec.get("benchmark") or {}
            rows.append(
                (
                    r.label,
                    r.strategy,
                    _kw(r.spec.get("kwargs")),
                    r.search_dataset,
                    _signal_text(b),
                    _budget_text(r.spec).split(" on ")[0],
                    ", ".join(r.report_datasets),
                )
            )
        spec = next(r.spec for r in rs.runs if r.experiment == exp)
        device = (spec.get("benchmark") or {}).get("latency_device")
        objective = spec.get("objective") or "validation accuracy"
        seed = spec.get("master_seed", "?")
        note = f"master seed {seed}; latency device {device}; objective {objective}"
        out.append(
            Table(
                f"Experiment spec: {exp}",
                ("label", "strategy", "kwargs", "search", "signal", "budget", "reported"),
                tuple(rows),
                note,
            )
        )
    return tuple(out)


def _kw(kwargs) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((kwargs or {}).items())) or "defaults"


def _environment(rs: RunSet) -> Table:
    def values(get):
        vals = sorted({str(get(r.metadata)) for r in rs.runs if r.metadata})
        return "; ".join(vals) if vals else "n/a"

    rows = [
        ("git revision", values(lambda m: m.get("git_revision"))),
        ("store checksum", values(lambda m: (m.get("store") or {}).get("checksum"))),
        ("platform", values(lambda m: m.get("platform"))),
    ]
    versions: dict[str, set] = {}
    for r in rs.runs:
        for k, v in (r.metadata.get("versions") or {}).items():
            versions.setdefault(k, set()).add(str(v))
    rows += [(f"version: {k}", "; ".join(sorted(v))) for k, v in sorted(versions.items())]
    plugins = {}  # strategy plug-ins: exactly which code ran (module, version, file SHA-256)
    for r in rs.runs:
        p = r.metadata.get("plugin")
        if p:
            version = p.get("version") or "n/a"
            text = f"{p.get('module')} (version {version}, sha256 {p.get('sha256')})"
            plugins.setdefault(r.label, set()).add(text)
    rows += [(f"plug-in: {k}", "; ".join(sorted(v))) for k, v in sorted(plugins.items())]
    starts = sorted(
        r.metadata.get("started_utc") for r in rs.runs if r.metadata.get("started_utc")
    )
    if starts:
        rows.append(("runs started (UTC)", f"{starts[0]} .. {starts[-1]}"))
    wall = sum(float(r.metadata.get("wall_s") or 0) for r in rs.runs)
    rows.append(("total wall time of runs", f"{wall:.1f} s"))
    return Table("Environment", ("item", "value"), tuple(rows))


def _run_tables(rs: RunSet) -> tuple[Table, ...]:
    out = []
    bad = [r for r in rs.runs if not r.complete]
    if bad:
        out.append(
            Table(
                "Failed and unfinished runs",
                ("strategy", "search", "run", "status", "error"),
                tuple(
                    (r.label, r.search_dataset, str(r.index), r.status, (r.error or "")[:200])
                    for r in bad
                ),
            )
        )
    if rs.missing:
        out.append(
            Table(
                "Missing runs",
                ("experiment", "strategy", "search", "run"),
                tuple((m.experiment, m.label, m.search_dataset, str(m.index)) for m in rs.missing),
            )
        )
    return tuple(out)


def _final_table(
    rs: RunSet, s: str, d: str, labels, name: str, metric: str = "test accuracy (%)"
) -> Table:
    rows = []
    for lab in labels:
        f = D.summarize_final(rs, lab, s, d)
        allr = rs.select(lab, s, complete_only=False)
        if not allr:
            continue
        failed = sum(r.status == "failed" for r in allr)
        unfinished = sum(r.status == "unfinished" for r in allr)
        missing = sum(m.label == lab and m.search_dataset == s for m in rs.missing)
        rows.append(
            (
                lab,
                str(f.n),
                f"{fmt(f.mean)} ± {fmt(f.std)}",
                fmt(f.median),
                f"{fmt(f.min)} .. {fmt(f.max)}",
                str(failed),
                str(unfinished + missing),
            )
        )
    return Table(
        f"Final {metric}: {name}",
        ("strategy", "runs", "mean ± std", "median", "range", "failed", "unfinished/missing"),
        tuple(rows),
    )


def _pairs_table(comp: S.TaskComparison, name: str) -> Table:
    rows = tuple(
        (
            p.a,
            p.b,
            f"{p.n_a}/{p.n_b}",
            fmt(p.u, 1),
            S._fmt_p(p.p),
            S._fmt_p(p.p_holm),
            fmt(p.a12),
            p.magnitude,
            "yes" if p.significant else "no",
        )
        for p in comp.pairs
    )
    return Table(
        f"Pairwise tests at the final budget: {name}",
        ("A", "B", "n", "U", "p", "p (Holm)", "A12(A,B)", "magnitude", "significant"),
        rows,
    )


def _published(rs: RunSet, store) -> tuple[tuple[Table, ...], tuple[str, ...]]:
    tables, notes = [], []
    for proto in rs.protocols:
        table: PublishedTable | None = published(proto, store)
        if table is None:
            continue
        tables_, notes_ = _published_protocol(rs, proto, table)
        tables.extend(tables_)
        notes.extend(notes_)
    return tuple(tables), tuple(notes)


def _published_protocol(rs: RunSet, proto: str, table: PublishedTable):
    notes = [
        (f"{proto}: {table.citation}, {table.table}. Protocol: {table.protocol}. "
         f"Runs: {table.runs}. Transcription note: {table.verification}")
    ]
    notes.extend(
        f"{proto}: {m.name} = the cells listed in {m.source}, looked up in this store."
        for m in table.methods
        if m.architectures and m.values
    )
    notes.extend(f"{proto}: {m.name}: {m.note}" for m in table.methods if m.note)
    if table.needs_store:
        notes.append(f"{proto}: no benchmark store, so the published cells' accuracies are n/a.")
    if not table.has_values:
        notes.append(f"{proto}: no published values are stored yet, so none are set beside these runs.")
    missing = [m.name for m in table.methods if m.strategy and not (m.values or m.architectures)]
    if table.has_values and missing:
        notes.append(f"{proto}: no published values are stored for {', '.join(missing)}.")
    rows = compare_with_table(rs, table)
    tables = [
        Table(
            f"Ours vs published ({proto}, {table.table})",
            (
                "strategy",
                "published method",
                "search",
                "dataset",
                "runs",
                "ours mean ± std",
                "published mean ± std",
                "ours − published",
                "p (Welch)",
            ),
            tuple(_pub_row(r) for r in rows),
            "Published values are mean ± std over the paper's runs; a budget or protocol "
            "difference (see the spec) changes them. p: Welch's t-test of our runs against the "
            "published mean, std and run count (the published std read as the population std "
            "the authors' scripts print). A small p says our runs differ from the paper's; a "
            "large p from few runs is weak evidence of agreement, not proof of it.",
        )
    ]
    ran = {r.strategy for r in rs.complete if r.protocol == proto}
    context = [m for m in table.methods if m.values and m.strategy not in ran]
    if context:
        ds = sorted({d for m in context for d in m.values})
        tables.append(
            Table(
                f"Published methods not run here ({proto}, {table.table})",
                ("method", "kind", *ds),
                tuple((m.name, m.kind, *(format_pm(m.values.get(d)) for d in ds)) for m in context),
            )
        )
    return tables, notes


def _pub_row(r: ComparisonRow) -> tuple[str, ...]:
    pub = "n/a" if r.published_mean is None else format_pm((r.published_mean, r.published_std))
    return (
        r.label,
        r.method,
        r.search_dataset,
        r.dataset,
        str(r.n),
        f"{fmt(r.mean)} ± {fmt(r.std)}",
        pub,
        fmt(r.difference),
        S._fmt_p(r.p_value),
    )


def _checkpoints(rs: RunSet) -> dict[str, tuple[float, ...]]:
    out = {}
    for s in rs.search_datasets:
        runs = rs.select(search_dataset=s)
        budgets = [r.spec.get("time_budget_s") for r in runs if r.spec.get("time_budget_s")]
        top = (
            max(budgets)
            if budgets
            else max((r.time_s[-1] for r in runs if r.time_s.size), default=0.0)
        )
        out[s] = tuple(float(f * top) for f in CHECKPOINT_FRACTIONS) if top else ()
    return out


# --- figures ----------------------------------------------------------------------------------
def _figures(rs: RunSet, plotted, labels, store, across) -> tuple[FigureSpec, ...]:
    figs = []
    if across is not None and across.nemenyi is not None:
        figs.append(
            FigureSpec(
                "cd",
                "Critical-difference diagram across tasks",
                "Mean rank of each strategy over tasks; strategies joined by a bar are not "
                "significantly different (Nemenyi).",
                _cd_maker(across),
            )
        )
    figs.extend(_arch_weight_figures(rs))
    if store is not None:
        devices = sorted(
            {(r.spec.get("benchmark") or {}).get("latency_device") for r in rs.complete} - {None}
        )
        for dev in devices:
            for s, d in plotted:
                if d != primary_report_dataset(s, rs.report_datasets(s)):
                    continue  # one Pareto plot per search: its own dataset's accuracy
                runs = [
                    r
                    for r in rs.select(search_dataset=s)
                    if (r.spec.get("benchmark") or {}).get("latency_device") == dev
                ]
                if runs:
                    figs.append(
                        FigureSpec(
                            f"pareto-{dev}-{s}-{d}",
                            f"Accuracy vs latency on {dev}: {S.task_name(s, d)}",
                            "Pooled Pareto front of the cells each strategy evaluated; "
                            "grey: the space's front.",
                            _pareto_maker(runs, store, d, P.CostSpec("latency", dev)),
                        )
                    )
    return tuple(figs)


def _arch_weight_figures(rs: RunSet) -> list[FigureSpec]:
    """One figure per one-shot strategy and search dataset: its first run's weights by epoch."""
    from nasbench_suite.analysis.archweights import load_arch_weights

    figs, seen = [], set()
    for run in sorted(rs.complete, key=lambda r: (r.label, r.search_dataset, r.index)):
        key = (run.label, run.search_dataset)
        if key in seen:
            continue
        aw = load_arch_weights(run.path, run.label)
        if aw is None:
            continue
        seen.add(key)
        figs.append(
            FigureSpec(
                f"alphas-{run.label}-{run.search_dataset}",
                f"Architecture weights of {run.label} (run {run.index}, {run.search_dataset})",
                f"Weight of each operation on each edge after every search epoch; derived cell "
                f"{aw.final_arch}.",
                _alphas_maker(aw),
            )
        )
    return figs


def _alphas_maker(aw):
    def make():
        from matplotlib.figure import Figure

        from nasbench_suite.analysis.archweights import plot_arch_weights

        fig = Figure(figsize=(10.4, 5.2), layout="constrained")
        plot_arch_weights(fig.subplots(2, 3, sharey=True), aw)
        return fig

    return make


def _new_figure(ncols: int = 2):
    from matplotlib.figure import Figure

    return Figure(figsize=(5.2 * ncols, 3.9), layout="constrained")


def _cd_maker(across):
    def make():
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9, 1.4 + 0.16 * len(across.labels)), layout="constrained")
        S.plot_cd(fig.subplots(), across)
        return fig

    return make


def _pareto_maker(runs, store, d, cost):
    def make():
        fig = _new_figure(1)
        space = P.space_front(store, d, cost)
        P.plot_pareto(
            fig.subplots(), [P.run_pareto(r, store, d, cost, space) for r in runs], space
        )
        return fig

    return make
